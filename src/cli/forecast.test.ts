import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gaussian, seededRandom } from '../forecast/synthetic-series';
import type { BandReport, SeriesForecast } from './forecast';
import { main } from './forecast';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** Two series: hourly with a daily cycle (ISO timestamps), and integer steps with a period of 24. */
function longCsv(): string {
  const rows = ['series_id,t,value'];
  for (let i = 0; i < 24 * 21; i++) {
    rows.push(
      `web,${new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString()},${(50 + 20 * Math.sin((2 * Math.PI * i) / 24)).toFixed(4)}`,
    );
  }
  for (let i = 0; i < 24 * 21; i++)
    rows.push(`steps,${i},${(10 + 5 * Math.cos((2 * Math.PI * i) / 24)).toFixed(4)}`);
  return `${rows.join('\n')}\n`;
}

const HOUR_MS = 3_600_000;
/** Monday 2024-01-01, 00:00 UTC. */
const MONDAY_MS = Date.UTC(2024, 0, 1);

/**
 * Hourly load with a weekly pattern: a daytime peak on weekdays, a busier Monday, a weekend at a third
 * of the weekday level, and 10 % seeded noise. What "same time yesterday" gets wrong every Saturday and
 * Monday, and last value gets wrong all day.
 */
function weeklyHourly(days: number): number[] {
  const noise = gaussian(seededRandom(11));
  return Array.from({ length: 24 * days }, (_, i) => {
    const hour = i % 24;
    const weekday = Math.floor(i / 24) % 7;
    const shape = 40 + 30 * Math.max(0, Math.sin((Math.PI * (hour - 7)) / 14));
    const level = weekday >= 5 ? 0.35 : weekday === 0 ? 1.2 : 1;
    return shape * level * (1 + 0.05 * noise());
  });
}

function hourlyCsv(id: string, values: number[]): string {
  const rows = values.map(
    (v, i) => `${id},${new Date(MONDAY_MS + i * HOUR_MS).toISOString()},${v.toFixed(4)}`,
  );
  return `series_id,t,value\n${rows.join('\n')}\n`;
}

function meanAbsoluteError(forecast: number[], actual: number[]): number {
  return forecast.reduce((sum, f, i) => sum + Math.abs(f - (actual[i] as number)), 0) / forecast.length;
}

/** Runs the command in-process; fails the test on any exit code but 0. */
function run(argv: string[]): string[] {
  const out: string[] = [];
  const errors: string[] = [];
  const code = main(
    argv,
    (line) => out.push(line),
    (line) => errors.push(line),
  );
  expect(errors).toEqual([]);
  expect(code).toBe(0);
  return out;
}

describe('forecast CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'forecast-cli-'));
    writeFileSync(path.join(dir, 'long.csv'), longCsv());
    writeFileSync(path.join(dir, 'bad.csv'), 'series_id,t,value\na,1,x\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON line per series with forecast, bounds and model (run as a process)', () => {
    const stdout = execFileSync(
      TSX,
      ['src/cli/forecast.ts', '--input', path.join(dir, 'long.csv'), '--horizon', '6', '--json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.series_id)).toEqual(['web', 'steps']);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(
        expect.arrayContaining(['series_id', 'forecast', 'lower', 'upper', 'model']),
      );
      const forecast = line.forecast as number[];
      expect(forecast).toHaveLength(6);
      (line.lower as number[]).forEach((l, i) => expect(l).toBeLessThanOrEqual(forecast[i] as number));
      (line.upper as number[]).forEach((u, i) => expect(u).toBeGreaterThanOrEqual(forecast[i] as number));
    }
    for (const line of lines as unknown as SeriesForecast[]) {
      // Hourly and integer-step series: the scaling band answers step 1, the long band the rest.
      expect(line.bands.scaling.steps).toEqual({ from: 1, to: 1 });
      expect(line.bands.long.steps).toEqual({ from: 2, to: 6 });
      expect(line.model).toBe(line.bands.long.model);
    }
    const web = lines[0] as { t: string[]; forecast: number[]; usable: boolean };
    expect(web.t[0]).toBe(new Date(Date.UTC(2024, 0, 22)).toISOString());
    expect(web.usable).toBe(true);
    // 00:00 to 05:00 of the daily cycle: 50 + 20 sin(2πh/24).
    web.forecast.forEach((f, h) =>
      expect(Math.abs(f - (50 + 20 * Math.sin((2 * Math.PI * h) / 24)))).toBeLessThan(2),
    );
    const steps = lines[1] as { t: number[]; forecast: number[] };
    expect(steps.t).toEqual([504, 505, 506, 507, 508, 509]);
    steps.forecast.forEach((f, h) =>
      expect(Math.abs(f - (10 + 5 * Math.cos((2 * Math.PI * h) / 24)))).toBeLessThan(1),
    );
  });

  it.each([[['--help']], [['-h']], [['--input', 'x.csv', '--help']]])(
    '%p prints the help on stdout: usage, flags, output fields and exit codes',
    (argv) => {
      const text = run(argv).join('\n');
      expect(text).toMatch(/^usage: npm run forecast -- --input LONG\.csv --horizon STEPS/);
      for (const flag of ['--input FILE', '--horizon STEPS', '--season STEPS', '--quantile Q', '--json']) {
        expect(text).toContain(`\n  ${flag}`);
      }
      expect(text).toContain('1 to 144000');
      for (const field of ['series_id', 't', 'forecast', 'model', 'usable', 'reason', 'bands']) {
        expect(text).toMatch(new RegExp(`\\n  ${field} `));
      }
      expect(text).toMatch(/scaling +what the scaler's decision uses/);
      expect(text).toMatch(/long +a daily and weekly profile/);
      expect(text).toMatch(/Exit codes: 0 done[^]*2 a bad flag or bad input[^]*1 anything unexpected/);
    },
  );

  it('exits with code 2 and a message naming the line on bad input (run as a process)', () => {
    const run = spawnSync(
      TSX,
      ['src/cli/forecast.ts', '--input', path.join(dir, 'bad.csv'), '--horizon', '6', '--json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('forecast: line 2: value "x" is not a number');
    expect(run.stdout).toBe('');
  });

  it.each([
    [['--horizon', '6'], /--input is required\nusage: npm run forecast/],
    [['--input', 'x.csv'], /--horizon is required/],
    [['--input', 'x.csv', '--horizon', '0'], /--horizon must be a positive integer/],
    [['--input', 'x.csv', '--horizon', '144001'], /--horizon must be at most 144000 steps/],
    [['--input', 'x.csv', '--horizon', 'week'], /--horizon must be a positive integer/],
    [['--input', 'x.csv', '--horizon', '6', '--season', '0'], /--season must be a positive integer/],
    [
      ['--input', 'x.csv', '--horizon', '6', 'extra'],
      /Unexpected argument 'extra'[^]*\nusage: npm run forecast/,
    ],
    [['--input', 'x.csv', '--horizon', '6', '--season', '2.5'], /--season must be a positive integer/],
    [
      ['--input', 'x.csv', '--horizon', '6', '--quantile', '1'],
      /--quantile must be at least 0.5 and below 1/,
    ],
    [['--input', 'x.csv', '--horizon', '6', '--quantile', '0.49'], /--quantile must be at least 0.5/],
    [
      ['--input', 'x.csv', '--horizon', '6', '--colour'],
      /Unknown option '--colour'[^]*\nusage: npm run forecast/,
    ],
    [['--input', '/nonexistent/x.csv', '--horizon', '6'], /cannot read --input/],
  ])('exits with code 2 for arguments %p', (argv, message) => {
    const errors: string[] = [];
    expect(
      main(
        argv,
        () => undefined,
        (line) => errors.push(line),
      ),
    ).toBe(2);
    expect(errors.join('\n')).toMatch(message);
  });

  it('honours --season and reports a series of NaN as bad input', () => {
    const out: string[] = [];
    const file = path.join(dir, 'season.csv');
    writeFileSync(
      file,
      `series_id,t,value\n${Array.from({ length: 120 }, (_, i) => `s,${i},${i % 12}`).join('\n')}\n`,
    );
    expect(
      main(
        ['--input', file, '--horizon', '3', '--season', '12', '--json'],
        (l) => out.push(l),
        () => undefined,
      ),
    ).toBe(0);
    const line = JSON.parse(out[0] as string) as { forecast: number[] };
    expect(line.forecast.map((f) => Math.round(f))).toEqual([0, 1, 2]);

    const empty = path.join(dir, 'empty.csv');
    writeFileSync(empty, 'series_id,t,value\ns,0,\ns,1,\n');
    const errors: string[] = [];
    expect(
      main(
        ['--input', empty, '--horizon', '3'],
        () => undefined,
        (l) => errors.push(l),
      ),
    ).toBe(2);
    expect(errors[0]).toMatch(/series "s": history has no observed values/);
  });
});

describe('forecast CLI a week ahead', () => {
  const HISTORY_DAYS = 21;
  const WEEK_STEPS = 168;
  let dir: string;
  let line: SeriesForecast;
  let actual: number[];
  let history: number[];
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'forecast-cli-week-'));
    const series = weeklyHourly(HISTORY_DAYS + 7);
    history = series.slice(0, 24 * HISTORY_DAYS);
    actual = series.slice(24 * HISTORY_DAYS);
    const file = path.join(dir, 'weekly.csv');
    writeFileSync(file, hourlyCsv('web', history));
    line = JSON.parse(
      run(['--input', file, '--horizon', String(WEEK_STEPS), '--json'])[0] as string,
    ) as SeriesForecast;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers past the scaling leads with the long band, which beats last value on the week that followed', () => {
    const long = line.bands.long;
    expect(long.model).not.toBe('last-value');
    expect(line.model).toBe(long.model);
    // Hourly data: the 15-minute and 1-hour scaling leads are both one step.
    expect(line.bands.scaling.steps).toEqual({ from: 1, to: 1 });
    expect(long.steps).toEqual({ from: 2, to: WEEK_STEPS });
    expect(line.forecast).toHaveLength(WEEK_STEPS);
    expect(line.t[WEEK_STEPS - 1]).toBe(new Date(MONDAY_MS + (24 * 28 - 1) * HOUR_MS).toISOString());

    // The reported case: last value held for a week, against the same hour last week.
    const lastValue = actual.map(() => history[history.length - 1] as number);
    const sameHourLastWeek = history.slice(-WEEK_STEPS);
    const error = meanAbsoluteError(line.forecast, actual);
    expect(error).toBeLessThan(0.25 * meanAbsoluteError(lastValue, actual));
    expect(error).toBeLessThan(1.1 * meanAbsoluteError(sameHourLastWeek, actual));
    const dayAhead = long.scores.find((s) => s.lead === '1d');
    expect(dayAhead?.mase).toBeLessThan(1);
  });

  it('reports both bands with their model, reason, steps and backtest scores, leads in the data unit', () => {
    for (const key of [
      'series_id',
      't',
      'forecast',
      'lower',
      'upper',
      'model',
      'usable',
      'reason',
      'bands',
    ]) {
      expect(line).toHaveProperty(key);
    }
    for (const values of [line.forecast, line.lower, line.upper]) {
      expect(values).toHaveLength(WEEK_STEPS);
      values.forEach((v) => expect(Number.isFinite(v)).toBe(true));
    }
    expect(line.usable).toBe(true);
    expect(line.reason).toBe(line.bands.scaling.reason);
    expect(line.bands.scaling.scores.map((s) => s.lead)).toEqual(['1h']);
    expect(line.bands.long.scores.map((s) => s.lead)).toEqual(['1h', '1d', '7d']);
    expect(line.bands.long.calibratedThrough).toBe('7d');
    const bands: BandReport[] = [line.bands.scaling, line.bands.long];
    for (const band of bands) {
      expect(band.model).toMatch(/\S/);
      expect(band.reason).toMatch(/\S/);
      expect(band.scores.length).toBeGreaterThan(0);
      for (const score of band.scores) {
        expect(Number.isFinite(score.mase)).toBe(true);
        expect(Number.isFinite(score.smape)).toBe(true);
        // A week-ahead lead has too few backtest origins in three weeks to hold a calibration half out;
        // every lead up to a day has both.
        if (score.lead !== '7d') {
          expect(Number.isFinite(score.pinball)).toBe(true);
          expect(score.coverage).toBeGreaterThanOrEqual(0);
          expect(score.coverage).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('shows each band in the text output before the points', () => {
    const file = path.join(dir, 'weekly.csv');
    const lines = run(['--input', file, '--horizon', String(WEEK_STEPS)]);
    expect(lines[0]).toBe(`web\t${line.model}`);
    const scaling = lines.findIndex((l) => l.startsWith('  scaling band: '));
    const long = lines.findIndex((l) => l.startsWith('  long band: '));
    const firstPoint = lines.findIndex((l) => l.startsWith(`  ${line.t[0] as string}\t`));
    expect(scaling).toBeGreaterThan(0);
    expect(long).toBeGreaterThan(scaling);
    expect(firstPoint).toBeGreaterThan(long);
    expect(lines[scaling]).toContain('answers step 1');
    expect(lines[long]).toContain(
      `${line.bands.long.model} (bounds calibrated through 7d), answers steps 2-168`,
    );
    expect(lines.slice(long, firstPoint).join('\n')).toMatch(
      /lead 1d +MASE \d+\.\d{3} +sMAPE \d+\.\d% +pinball \d+\.\d{3} +coverage \d+%/,
    );
    expect(lines).toHaveLength(firstPoint + WEEK_STEPS);
  });
});

describe('forecast CLI on integer-step series', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'forecast-cli-steps-'));
    const random = seededRandom(5);
    const noise = gaussian(seededRandom(6));
    const rows = ['series_id,t,value'];
    // t counts in fives from 100: a step is one row, so leads and seasons count rows, not units of t.
    for (let i = 0; i < 24 * 14; i++) {
      rows.push(
        `spaced,${100 + 5 * i},${(10 + 5 * Math.cos((2 * Math.PI * i) / 24) + 0.3 * noise()).toFixed(4)}`,
      );
    }
    let level = 50;
    for (let i = 0; i < 400; i++) {
      level += random() - 0.5;
      rows.push(`walk,${i},${level.toFixed(4)}`);
    }
    for (let i = 0; i < 20; i++) rows.push(`short,${i},${i % 4}`);
    writeFileSync(path.join(dir, 'steps.csv'), `${rows.join('\n')}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows every lead and message in steps, never in milliseconds', () => {
    const file = path.join(dir, 'steps.csv');
    const text = run(['--input', file, '--horizon', '30']);
    const json = run(['--input', file, '--horizon', '30', '--json']);
    const milliseconds = /\d\s*ms\b|\bms\b|milli/i;
    for (const line of [...text, ...json]) expect(line).not.toMatch(milliseconds);

    const lines = json.map((l) => JSON.parse(l) as SeriesForecast);
    expect(lines.map((l) => l.series_id)).toEqual(['spaced', 'walk', 'short']);
    for (const line of lines) {
      const { scaling, long } = line.bands;
      for (const score of [...scaling.scores, ...long.scores]) expect(score.lead).toMatch(/^\d+ steps?$/);
      expect(long.calibratedThrough).toMatch(/^\d+ steps?$/);
      expect(scaling.steps).toEqual({ from: 1, to: 1 });
      expect(long.steps).toEqual({ from: 2, to: 30 });
    }
    const spaced = lines[0] as SeriesForecast;
    expect(spaced.bands.scaling.scores.map((s) => s.lead)).toEqual(['1 step']);
    expect(spaced.t.slice(0, 3)).toEqual([100 + 5 * 336, 105 + 5 * 336, 110 + 5 * 336]);
    expect(spaced.bands.long.model).not.toBe('last-value');
    expect((lines[2] as SeriesForecast).reason).toMatch(
      /too little history to backtest: 20 blocks of 1 step/,
    );
  });
});
