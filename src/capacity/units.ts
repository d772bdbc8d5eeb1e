/**
 * Kubernetes resource quantities for recommendations. Requests and limits are always rounded UP, so a
 * rounded value never falls below the number it came from:
 *
 * | resource | below | step | written as |
 * | --- | --- | --- | --- |
 * | CPU | 10 cores | 10m | `250m`, `1500m`; whole cores as `2` |
 * | CPU | from 10 cores | 100m | `12500m`; whole cores as `12` |
 * | memory | 1Gi | 1Mi | `300Mi` |
 * | memory | from 1Gi | 64Mi (1/16 Gi) | `1088Mi`; whole Gi as `2Gi` |
 *
 * The steps keep the rounding under 1 % for anything worth setting (10m of 1 core, 64Mi of 6Gi) and the
 * numbers short. The smallest result is one step (`10m`, `1Mi`): Kubernetes reads a zero request as "no
 * request", which is not what a recommendation means.
 */

/** A resource a recommendation is made for: CPU in cores, memory in bytes. */
export type ResourceKind = 'cpu' | 'memory';

/** A rounded quantity: its value in base units (cores or bytes) and its Kubernetes spelling. */
export interface Quantity {
  value: number;
  text: string;
}

/** Bytes in a mebibyte (`Mi`) and a gibibyte (`Gi`). */
export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

/** Rounding slack: 0.25 cores is 250m, not 260m because of 250.00000000000003. */
const EPSILON = 1e-9;

function roundUp(value: number, step: number): number {
  return Math.max(step, Math.ceil(value / step - EPSILON) * step);
}

/** Clamps NaN, Infinity and negatives to 0 before rounding: a broken forecast must not print `NaNm`. */
function clean(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** Cores → millicores rounded up (10m below 10 cores, 100m above), e.g. 0.2431 → `250m`. */
export function cpuQuantity(cores: number): Quantity {
  const millicores = clean(cores) * 1000;
  const rounded = roundUp(millicores, millicores < 10_000 ? 10 : 100);
  return {
    value: rounded / 1000,
    text: rounded % 1000 === 0 ? String(rounded / 1000) : `${rounded}m`,
  };
}

/** Bytes → Mi rounded up (1Mi below 1Gi, 64Mi above), e.g. 536870913 → `513Mi`, 2 GiB → `2Gi`. */
export function memoryQuantity(bytes: number): Quantity {
  const mebibytes = clean(bytes) / MIB;
  const rounded = roundUp(mebibytes, mebibytes < 1024 ? 1 : 64);
  return {
    value: rounded * MIB,
    text: rounded % 1024 === 0 ? `${rounded / 1024}Gi` : `${rounded}Mi`,
  };
}

/** The rounded quantity of `value` (cores for CPU, bytes for memory). */
export function quantityOf(resource: ResourceKind, value: number): Quantity {
  return resource === 'cpu' ? cpuQuantity(value) : memoryQuantity(value);
}

/** Multipliers of the Kubernetes quantity suffixes a target is written with (`k` and `K` both kilo). */
const SUFFIXES: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: MIB,
  Gi: GIB,
};

/**
 * Reads a Kubernetes quantity as a resource's base unit: CPU in cores (`0.5`, `500m`), memory in bytes
 * (`536870912`, `512Mi`, `1G`). Only the suffixes people write in a pod spec are accepted, and a suffix that
 * cannot mean that resource (`Mi` of CPU, `m` of memory) is refused rather than read as a tiny or huge
 * number. Throws a message saying what was expected; callers prefix the flag or field it came from.
 */
export function parseQuantity(resource: ResourceKind, text: string): number {
  const match = /^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([a-zA-Z]*)\s*$/.exec(text);
  const suffix = match?.[2] ?? '';
  const allowed = resource === 'cpu' ? ['', 'm'] : ['', 'k', 'K', 'M', 'G', 'Ki', 'Mi', 'Gi'];
  const expected =
    resource === 'cpu'
      ? 'CPU cores as a number or millicores, e.g. 0.5 or 500m'
      : 'memory bytes as a number or with a suffix k, M, G, Ki, Mi or Gi, e.g. 512Mi';
  if (match === null || !allowed.includes(suffix)) {
    throw new Error(`${JSON.stringify(text)} is not a quantity of ${expected}`);
  }
  const value = Number(match[1]) * (SUFFIXES[suffix] as number);
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new Error(`${JSON.stringify(text)} is not above 0: expected ${expected}`);
  }
  return value;
}
