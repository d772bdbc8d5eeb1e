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

/**
 * An idle level with a job of `height` that starts every `jobPeriod` samples (not a whole number, so its
 * start drifts across the samples) and runs for one and a half samples; each sample holds its overlap.
 */
function jobSeries(days: number, jobPeriod: number, height: number): Float64Array {
  const values = Float64Array.from(
    syntheticSeries({ days, stepMs: STEP, level: 1, noise: 0.05, seed: 3 }).values,
  );
  for (let start = 4.3; start < values.length; start += jobPeriod) {
    for (let i = Math.floor(start); i < Math.min(values.length, Math.ceil(start + 1.5)); i++) {
      const overlap = Math.min(i + 1, start + 1.5) - Math.max(i, start);
      values[i] = (values[i] as number) + height * overlap;
    }
  }
  return values;
}

function jobSamples(values: Float64Array): number[] {
  return Array.from(values.keys()).filter((i) => (values[i] as number) > 5);
}

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

  it('learns a job that comes back every season, although its start drifts across the samples', () => {
    const values = jobSeries(14, 13.08, 40);
    const jobs = jobSamples(values);
    const result = filterAnomalies(values, { threshold: 3.5, period: 13, nonNegative: true });
    const flaggedJobs = jobs.filter((i) => result.flagged[i] === 1).length;
    expect(flaggedJobs).toBeLessThan(0.01 * jobs.length);
    // Without a season the same bursts are outliers in every window: the exemption is what keeps them.
    const local = filterAnomalies(values, { threshold: 3.5, nonNegative: true });
    expect(jobs.filter((i) => local.flagged[i] === 1).length).toBeGreaterThan(0.5 * jobs.length);
  });

  it('still flags a burst between jobs that does not come back a season later', () => {
    const values = jobSeries(14, 13.08, 40);
    const jobs = new Set(jobSamples(values));
    let lone = 2000;
    while (
      [-2, -1, 0, 1, 2].some((d) => jobs.has(lone + d) || jobs.has(lone + d + 13) || jobs.has(lone + d - 13))
    )
      lone++;
    values[lone] = (values[lone] as number) + 40;
    const result = filterAnomalies(values, { threshold: 3.5, period: 13, nonNegative: true });
    expect(result.flagged[lone]).toBe(1);
    expect(result.values[lone]).toBeLessThan(5);
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
