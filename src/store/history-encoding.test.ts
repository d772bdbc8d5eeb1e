import { decodeSamples, encodeSamples, finiteRuns, locate, slotsPerChunk } from './history-encoding';

describe('history encoding', () => {
  it('round-trips values and reads zero bytes as gaps', () => {
    const bytes = Buffer.concat([encodeSamples([1.5, 0, -2, NaN, 1e6]), Buffer.alloc(8)]);
    const out: number[] = [];
    decodeSamples(bytes, 0, 8, out);
    expect(out).toEqual([1.5, 0, -2, NaN, 1e6, NaN, NaN, NaN]);
  });

  it.each([
    [60_000, 0, { chunk: 0, slot: 0 }],
    [60_000, 86_400_000 + 60_000, { chunk: 1, slot: 1 }],
    [60_000, -60_000, { chunk: -1, slot: 1439 }],
    [60_000, -86_400_000, { chunk: -1, slot: 0 }],
  ])('locates step %d at %d ms', (stepMs, atMs, expected) => {
    expect(locate(stepMs, atMs)).toMatchObject(expected);
    const { chunk, slot } = locate(stepMs, atMs);
    expect(chunk * slotsPerChunk(stepMs) + slot).toBe(Math.floor(atMs / stepMs));
  });

  it('finds runs of finite values', () => {
    expect(finiteRuns([NaN, 1, 2, NaN, 3])).toEqual([
      [1, 3],
      [4, 5],
    ]);
    expect(finiteRuns([])).toEqual([]);
  });
});
