import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
    [['--horizon', '6'], /--input is required/],
    [['--input', 'x.csv'], /--horizon is required/],
    [['--input', 'x.csv', '--horizon', '0'], /--horizon must be a positive integer/],
    [['--input', 'x.csv', '--horizon', '5000'], /--horizon must be at most 1440/],
    [['--input', 'x.csv', '--horizon', '6', '--season', '2.5'], /--season must be a positive integer/],
    [
      ['--input', 'x.csv', '--horizon', '6', '--quantile', '1'],
      /--quantile must be at least 0.5 and below 1/,
    ],
    [['--input', 'x.csv', '--horizon', '6', '--quantile', '0.49'], /--quantile must be at least 0.5/],
    [['--input', 'x.csv', '--horizon', '6', '--colour'], /Unknown option '--colour'/],
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
