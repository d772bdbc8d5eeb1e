import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SIX = [
  'underProvisionedTimeshare',
  'unservedFraction',
  'replicaHours',
  'coldStarts',
  'scaleActionsPerHour',
  'forecastMase',
];
const FRONTIER = [
  'frontierUnderProvisionedTimeshare',
  'frontierUnservedFraction',
  'underProvisionedVsFrontier',
  'unservedVsFrontier',
  'belowFrontier',
  'costVsFrontier',
];
const STRATEGIES = [
  'reactive',
  'reactive-headroom-10',
  'reactive-headroom-20',
  'reactive-headroom-30',
  'reactive-headroom-50',
  'reactive-headroom-75',
  'reactive-headroom-100',
  'predictive',
  'oracle',
];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command as users run it (`npm run simulate` is `tsx src/cli/simulate.ts`), in a child process. */
function simulateCli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/simulate.ts', ...args],
      { cwd: ROOT, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('npm run simulate', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kps-simulate-'));
  const trace = path.join(dir, 'trace.csv');

  beforeAll(() => {
    // Two days of a daily cycle (busy from 06:00 to 20:00), 5-minute steps, epoch-second timestamps.
    const start = Date.parse('2024-03-04T00:00:00Z') / 1000;
    const rows = ['ts,rps'];
    for (let i = 0; i < 2 * 288; i++) {
      const hour = (i % 288) / 12;
      const rps = 50 + 400 * Math.max(0, Math.sin((Math.PI * (hour - 6)) / 14)) + 3 * Math.sin(i * 7.1);
      rows.push(`${start + i * 300},${Math.max(0, rps).toFixed(2)}`);
    }
    writeFileSync(trace, `${rows.join('\n')}\n`);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON line per strategy and writes the timeline and the chart', async () => {
    const timeline = path.join(dir, 'timeline.csv');
    const svg = path.join(dir, 'chart.svg');
    const run = await simulateCli([
      '--trace',
      trace,
      '--value-column',
      'rps',
      '--time-column',
      'ts',
      '--target',
      '25',
      '--startup',
      '120',
      '--lead',
      '10m',
      '--json',
      '--timeline',
      timeline,
      '--svg',
      svg,
    ]);
    expect(run.stderr).not.toMatch(/unexpected/);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => r.strategy)).toEqual(STRATEGIES);
    for (const record of records) {
      for (const field of SIX) expect(record).toHaveProperty(field);
      expect(record.underProvisionedTimeshare).toEqual(expect.any(Number));
      expect(record.replicaHours).toBeGreaterThan(0);
    }
    const predictive = records.find((r) => r.strategy === 'predictive');
    expect(predictive?.forecastMase).toEqual(expect.any(Number));
    expect(records.find((r) => r.strategy === 'reactive')?.forecastMase).toBeNull();
    expect(predictive?.costVsFrontier).toMatch(/^(within|cheaper|dearer)$/);
    for (const field of FRONTIER) expect(predictive).toHaveProperty(field);
    expect(records.find((r) => r.strategy === 'reactive')).not.toHaveProperty(
      'frontierUnderProvisionedTimeshare',
    );

    const csv = readFileSync(timeline, 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      ['time', 'demand', ...STRATEGIES.flatMap((s) => [`${s}_desired`, `${s}_ready`])].join(','),
    );
    // One row a minute over two days.
    expect(csv).toHaveLength(1 + 2 * 1440);
    expect(csv[1]).toMatch(/^2024-03-04T00:00:00\.000Z,/);

    const chart = readFileSync(svg, 'utf8');
    expect(chart.startsWith('<svg')).toBe(true);
    expect(chart).toContain('predictive');
    expect(chart).toContain('oracle');
  }, 60_000);

  it('prints a table without --json', async () => {
    const run = await simulateCli([
      '--trace',
      trace,
      '--value-column',
      'rps',
      '--time-column',
      'ts',
      '--target',
      '25',
      '--startup',
      '120',
      '--kind',
      'queue',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/strategy\s+short of capacity\s+unserved\s+replica-h/);
    for (const strategy of STRATEGIES) expect(run.stdout).toContain(strategy);
  }, 60_000);

  it.each([
    ['a missing --target', ['--startup', '60'], /--target is required/],
    [
      'a bad --kind',
      ['--target', '5', '--startup', '60', '--kind', 'stream'],
      /--kind must be rate or queue/,
    ],
    ['a lead without a unit', ['--target', '5', '--startup', '60', '--lead', '900'], /--lead needs a unit/],
    [
      'a start-up longer than the lead',
      ['--target', '5', '--startup', '900', '--lead', '10m'],
      /--startup: metadata key "startupTime" has invalid value "15m": expected a duration no longer than leadTime \(10m\)/,
    ],
    [
      'a shortfall target above one half',
      ['--target', '5', '--startup', '60', '--shortfall-target', '0.7'],
      /--shortfall-target: metadata key "shortfallTarget" has invalid value "0.7": expected a decimal number at least 0.001 and at most 0.5/,
    ],
    ['--max below --min', ['--target', '5', '--startup', '60', '--min', '3', '--max', '2'], /--max \(2\)/],
    ['an unknown flag', ['--target', '5', '--startup', '60', '--speed', 'fast'], /Unknown option '--speed'/],
    [
      'an unknown column',
      ['--target', '5', '--startup', '60', '--value-column', 'qps'],
      /"qps" is not a column/,
    ],
  ])('exits 2 on %s', async (_name, extra, message) => {
    const args = ['--trace', trace, '--value-column', 'rps', '--time-column', 'ts', ...extra];
    const run = await simulateCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('exits 2 on a trace it cannot read', async () => {
    const run = await simulateCli([
      '--trace',
      path.join(dir, 'nope.csv'),
      '--value-column',
      'v',
      '--target',
      '1',
      '--startup',
      '1',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot read trace .*nope\.csv: ENOENT/);
  });
});
