import {
  fitFourierProfile,
  evaluateProfile,
  profileColumns,
} from '../forecast/forecasters/fourier-regression';
import { syntheticSeries } from '../forecast/synthetic-series';
import { filterAnomalies } from './filter';

const STEP = 5 * 60_000;
const DAY = 288;

function dailySeries(days: number, seed = 1): Float64Array {
  return Float64Array.from(syntheticSeries({ days, stepMs: STEP, daily: 30, noise: 2, seed }).values);
}

function withSpikes(values: Float64Array, at: number[], size: number): Float64Array {
  const out = Float64Array.from(values);
  for (const i of at) out[i] = (out[i] as number) + size;
  return out;
}

const SPIKES = [300, 777, 1234, 1900, 2500, 3100, 3650];

describe('filterAnomalies', () => {
  it.each([2, 3.5, 5])(
    'flags injected spikes at threshold %p and replaces them with the seasonal expectation',
    (threshold) => {
      const clean = dailySeries(14);
      const spiked = withSpikes(clean, SPIKES, 60);
      const result = filterAnomalies(spiked, { threshold, period: DAY, nonNegative: true });
      for (const i of SPIKES) {
        expect(result.flagged[i]).toBe(1);
        expect(Math.abs((result.values[i] as number) - (clean[i] as number))).toBeLessThan(10);
      }
      expect(result.count).toBe(result.flagged.reduce((a, b) => a + b, 0));
    },
  );

  it('flags few ordinary points, fewer at higher thresholds', () => {
    const clean = dailySeries(14);
    const strict = filterAnomalies(clean, { threshold: 2, period: DAY }).count;
    const loose = filterAnomalies(clean, { threshold: 5, period: DAY }).count;
    expect(loose).toBeLessThanOrEqual(strict);
    expect(loose).toBeLessThan(clean.length * 0.001);
    expect(strict).toBeLessThan(clean.length * 0.05);
  });

  it('keeps injected spikes out of the learned seasonal profile', () => {
    const clean = dailySeries(14);
    const spiked = withSpikes(clean, [...SPIKES, ...SPIKES.map((i) => i + 1)], 400);
    const timing = { firstBlock: 0, blockMs: STEP, originMs: Date.UTC(2024, 0, 1) };
    const terms = { periodsMs: [86_400_000], harmonics: [10] };
    const reference = fitFourierProfile(clean, timing, terms, false);
    const filtered = fitFourierProfile(
      filterAnomalies(spiked, { threshold: 3.5, period: DAY }).values,
      timing,
      terms,
      false,
    );
    const unfiltered = fitFourierProfile(spiked, timing, terms, false);
    const scratch = new Float64Array(profileColumns(reference));
    let filteredError = 0;
    let unfilteredError = 0;
    for (let i = 0; i < DAY; i++) {
      const t = timing.originMs + i * STEP;
      const truth = evaluateProfile(reference, t, scratch);
      filteredError = Math.max(filteredError, Math.abs(evaluateProfile(filtered, t, scratch) - truth));
      unfilteredError = Math.max(unfilteredError, Math.abs(evaluateProfile(unfiltered, t, scratch) - truth));
    }
    expect(filteredError).toBeLessThan(0.5);
    // Without the filter the same spikes do move the profile: the test would catch a filter doing nothing.
    expect(unfilteredError).toBeGreaterThan(4 * filteredError);
  });

  it('does not flag a real level shift for ever: only its first few points at most', () => {
    const values = dailySeries(14);
    const shiftAt = 2000;
    for (let i = shiftAt; i < values.length; i++) values[i] = (values[i] as number) + 80;
    const result = filterAnomalies(values, { threshold: 3.5, period: DAY });
    let flaggedAfter = 0;
    for (let i = shiftAt; i < values.length; i++) flaggedAfter += result.flagged[i] as number;
    expect(flaggedAfter).toBeLessThanOrEqual(6);
    for (let i = shiftAt + 7; i < values.length; i++) expect(result.flagged[i]).toBe(0);
    for (let i = shiftAt + 7; i < values.length; i++) expect(result.values[i]).toBe(values[i]);
  });

  it('works without a season (local test only) and keeps gaps as gaps', () => {
    const values = Float64Array.from({ length: 500 }, (_, i) => 10 + Math.sin(i / 5));
    values[100] = 80;
    values[200] = NaN;
    const result = filterAnomalies(values, { threshold: 3.5 });
    expect(result.flagged[100]).toBe(1);
    expect(result.values[100]).toBeCloseTo(10 + Math.sin(20), 0);
    expect(Number.isNaN(result.values[200] as number)).toBe(true);
  });

  it.each([
    ['constant', 7],
    ['all zeros', 0],
  ])('flags nothing in a %s series', (_name, level) => {
    const result = filterAnomalies(new Float64Array(2 * DAY + 10).fill(level), {
      threshold: 3.5,
      period: DAY,
    });
    expect(result.count).toBe(0);
    expect(Array.from(result.values)).toEqual(new Array(2 * DAY + 10).fill(level));
  });

  it('flags a spike in an otherwise flat series', () => {
    const values = new Float64Array(100).fill(5);
    values[50] = 9;
    expect(filterAnomalies(values, { threshold: 5 }).flagged[50]).toBe(1);
  });

  it('never replaces with a negative value on a non-negative signal', () => {
    const values = Float64Array.from({ length: 3 * DAY }, (_, i) =>
      Math.max(0, 10 * Math.sin((2 * Math.PI * i) / DAY)),
    );
    values[DAY + 200] = 100;
    const result = filterAnomalies(values, { threshold: 3.5, period: DAY, nonNegative: true });
    expect(result.flagged[DAY + 200]).toBe(1);
    expect(Math.min(...result.values)).toBeGreaterThanOrEqual(0);
  });

  it.each([1.9, 5.1, NaN])('rejects threshold %p with the accepted range in the message', (threshold) => {
    expect(() => filterAnomalies(new Float64Array(10), { threshold })).toThrow(/between 2 and 5/);
  });
});
