/**
 * History is kept in day-long chunks of float32 slots. Missing slots must read as NaN, but Redis pads a
 * string with zero bytes when SETRANGE writes past its end; XOR-ing the bits with a quiet NaN's pattern
 * makes all-zero bytes decode to NaN while every real value round-trips.
 */
const NAN_MASK = 0x7fc00000;
export const BYTES_PER_SAMPLE = 4;
const CHUNK_MS = 86_400_000;

const scratch = new DataView(new ArrayBuffer(4));

export function encodeSample(value: number): Buffer {
  const out = Buffer.allocUnsafe(BYTES_PER_SAMPLE);
  scratch.setFloat32(0, Number.isFinite(value) ? value : NaN, true);
  out.writeUInt32LE((scratch.getUint32(0, true) ^ NAN_MASK) >>> 0, 0);
  return out;
}

export function encodeSamples(values: ArrayLike<number>): Buffer {
  const out = Buffer.allocUnsafe(values.length * BYTES_PER_SAMPLE);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    scratch.setFloat32(0, Number.isFinite(value) ? value : NaN, true);
    out.writeUInt32LE((scratch.getUint32(0, true) ^ NAN_MASK) >>> 0, i * BYTES_PER_SAMPLE);
  }
  return out;
}

/** Decodes `count` slots starting at slot `offset` of `chunk`; bytes beyond the chunk's end are gaps. */
export function decodeSamples(
  chunk: Buffer | null | undefined,
  offset: number,
  count: number,
  into: number[],
): void {
  for (let i = 0; i < count; i++) {
    const at = (offset + i) * BYTES_PER_SAMPLE;
    if (!chunk || at + BYTES_PER_SAMPLE > chunk.length) {
      into.push(NaN);
      continue;
    }
    scratch.setUint32(0, (chunk.readUInt32LE(at) ^ NAN_MASK) >>> 0, true);
    into.push(scratch.getFloat32(0, true));
  }
}

/** Slots of one chunk at `stepMs`; chunks always hold a whole number of slots. */
export function slotsPerChunk(stepMs: number): number {
  return Math.max(1, Math.floor(CHUNK_MS / stepMs));
}

/** Which chunk and which slot inside it a timestamp falls in. */
export function locate(stepMs: number, atMs: number): { chunk: number; slot: number; slotStartMs: number } {
  const absolute = Math.floor(atMs / stepMs);
  const perChunk = slotsPerChunk(stepMs);
  // Floored division both ways, so times before 1970 (simulated traces) land in the right slot too.
  const chunk = Math.floor(absolute / perChunk);
  return {
    chunk,
    slot: absolute - chunk * perChunk,
    slotStartMs: absolute * stepMs,
  };
}

/** `[start, end)` index ranges of consecutive finite values. */
export function finiteRuns(values: ArrayLike<number>): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i <= values.length; i++) {
    const finite = i < values.length && Number.isFinite(values[i] as number);
    if (finite && start < 0) start = i;
    else if (!finite && start >= 0) {
      runs.push([start, i]);
      start = -1;
    }
  }
  return runs;
}
