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
