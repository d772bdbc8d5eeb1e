import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';

const ROOT = path.join(__dirname, '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/capacity/azure-vm-964968-usage.csv');
/** Two weeks in the old forecasting API's columns, busy on weekdays from 08:00 to 18:00, quiet at weekends. */
const WEEKLY_OLD_API = path.join(ROOT, 'test/fixtures/capacity/weekly-usage-old-api.csv');
const MIB = 1024 * 1024;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the tool as `npm run recommend` does (tsx), in a child process. */
function recommend(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [require.resolve('tsx/cli'), path.join(ROOT, 'src/cli/recommend.ts'), ...args],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Two weeks of 5-minute usage: CPU 0.5 cores, 1 core from 09:00 to 17:00; memory flat at 512Mi. */
function syntheticCsv(): string {
  const rows = ['timestamp,cpu_cores,memory_bytes'];
  const start = Date.parse('2024-03-04T00:00:00Z');
  for (let i = 0; i < 14 * 288; i++) {
    const hour = (i % 288) / 12;
    rows.push(
      `${new Date(start + i * 300_000).toISOString()},${hour >= 9 && hour < 17 ? 1 : 0.5},${512 * MIB}`,
    );
  }
  return `${rows.join('\n')}\n`;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('npm run recommend', () => {
  let dir: string;
  let synthetic: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kps-recommend-'));
    synthetic = path.join(dir, 'usage.csv');
    await writeFile(synthetic, syntheticCsv());
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a table per resource and a resources: block for the real trace', async () => {
    const { code, stdout, stderr } = await recommend('--input', FIXTURE, '--timezone', 'Europe/Berlin');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('2016 samples every 5m, 2024-03-18T00:00:00Z to 2024-03-25T00:00:00Z');
    expect(stdout).toMatch(/^CPU \(cores\): /m);
    expect(stdout).toMatch(/^Memory \(MiB\): /m);
    // Europe/Berlin: the weekend of the spring change (31 March) is 47 hours; next month is April.
    expect(stdout).toMatch(/^next_weekend +2024-03-30 00:00 +2024-04-01 00:00 /m);
    expect(stdout).toMatch(/^next_month +2024-04-01 00:00 +2024-05-01 00:00 /m);
    const yaml = load(stdout.slice(stdout.indexOf('resources:'))) as any;
    expect(yaml.resources.requests.cpu).toMatch(/^(\d+m|\d+)$/);
    expect(yaml.resources.limits.cpu).toMatch(/^(\d+m|\d+)$/);
    expect(yaml.resources.requests.memory).toMatch(/^\d+(Mi|Gi)$/);
    expect(yaml.resources.limits.memory).toMatch(/^\d+(Mi|Gi)$/);
  }, 60_000);

  it('prints the same as JSON: never below the observed peak, the limit never below the request', async () => {
    const { code, stdout } = await recommend('--input', FIXTURE, '--json', '--timezone', 'Europe/Berlin');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.input).toMatchObject({ samples: 2016, step: '5m', timezone: 'Europe/Berlin' });
    expect(report.models.cpu.seasonalPeriods).toEqual(['65m', '1d']);
    expect(report.windows.map((w: any) => w.window)).toEqual([
      'next_day',
      'next_week',
      'next_weekend',
      'next_month',
    ]);
    const weekend = report.windows[2].cpu;
    expect(weekend).toMatchObject({
      fromLocal: '2024-03-30T00:00+01:00',
      toLocal: '2024-04-01T00:00+02:00',
      resolution: '1h',
    });
    for (const window of report.windows) {
      for (const resource of ['cpu', 'memory']) {
        const plan = window[resource];
        expect(plan.request.value).toBeGreaterThanOrEqual(plan.observedPeak);
        expect(plan.limit.value).toBeGreaterThanOrEqual(plan.request.value);
        expect(plan.quantile.value).toBeGreaterThanOrEqual(plan.mean);
      }
    }
    expect(report.windows[3].cpu.multipliers).toEqual({ request: 0.7, limit: 1.5 });
    // The block covers every window: the largest request and limit of each resource.
    const largest = (resource: string, side: string) =>
      report.windows.reduce(
        (best: any, w: any) => (w[resource][side].value > best.value ? w[resource][side] : best),
        {
          value: -1,
        },
      ).text;
    expect(report.resources.requests).toEqual({
      cpu: largest('cpu', 'request'),
      memory: largest('memory', 'request'),
    });
    expect(report.resources.limits).toEqual({
      cpu: largest('cpu', 'limit'),
      memory: largest('memory', 'limit'),
    });
  }, 60_000);

  it("answers the old forecasting API's CSV, and other column names given by flag, as its own", async () => {
    const own = await recommend('--input', synthetic, '--json');
    const oldApi = path.join(dir, 'old-api.csv');
    await writeFile(oldApi, syntheticCsv().replace('cpu_cores,memory_bytes', 'cpu_mean_5m,mem_mean_5m'));
    const named = path.join(dir, 'named.csv');
    await writeFile(named, syntheticCsv().replace('cpu_cores,memory_bytes', 'cpu,rss'));
    const fromOld = await recommend('--input', oldApi, '--json');
    const fromNamed = await recommend(
      '--input',
      named,
      '--json',
      '--cpu-column',
      'cpu',
      '--memory-column',
      'rss',
    );
    for (const run of [own, fromOld, fromNamed]) expect(run.code).toBe(0);
    const resources = (run: Run): unknown => JSON.parse(run.stdout).resources;
    expect(resources(fromOld)).toEqual(resources(own));
    expect(resources(fromNamed)).toEqual(resources(own));

    const unnamed = await recommend('--input', named);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain(
      'missing columns cpu_cores, memory_bytes: the header is "timestamp,cpu,rss"',
    );
    expect(unnamed.stderr).toContain('--cpu-column and --memory-column');
  }, 60_000);

  it('applies the multipliers exactly on a known pattern', async () => {
    const { code, stdout } = await recommend('--input', synthetic, '--json');
    expect(code).toBe(0);
    const byWindow = Object.fromEntries(JSON.parse(stdout).windows.map((w: any) => [w.window, w]));
    // CPU peaks at 1 core every day: request at the peak (80 % of it is below it), limit 120 % / 150 %.
    expect(byWindow.next_day.cpu.request).toEqual({ value: 1, text: '1', bound: 'observed-peak' });
    expect(byWindow.next_day.cpu.limit).toEqual({ value: 1.2, text: '1200m', bound: 'forecast' });
    expect(byWindow.next_month.cpu.limit.text).toBe('1500m');
    // Memory is flat at 512Mi: 120 % is 614.4Mi, rounded up to 615Mi; 150 % is 768Mi.
    expect(byWindow.next_week.memory.request.text).toBe('512Mi');
    expect(byWindow.next_week.memory.limit.text).toBe('615Mi');
    expect(byWindow.next_month.memory.limit.text).toBe('768Mi');

    const custom = await recommend(
      '--input',
      synthetic,
      '--json',
      '--allow-below-peak',
      '--multipliers',
      'next_day=0.5:2',
    );
    const day = JSON.parse(custom.stdout).windows[0];
    expect(day.cpu.request).toEqual({ value: 0.5, text: '500m', bound: 'forecast' });
    expect(day.cpu.limit.text).toBe('2');
    expect(day.memory.request.text).toBe('256Mi');
  }, 60_000);

  it('warns on stderr when the history is too short to learn a daily pattern', async () => {
    const oneDay = path.join(dir, 'one-day.csv');
    await writeFile(oneDay, syntheticCsv().split('\n').slice(0, 289).join('\n'));
    const { code, stdout, stderr } = await recommend('--input', oneDay);
    expect(code).toBe(0);
    expect(stderr).toMatch(
      /^recommend: warning: 1d of history; learning a daily pattern needs at least two days/,
    );
    expect(stdout).toContain('resources:');
  }, 30_000);

  it('compares every candidate model on the backtest with --report, in the tables and in JSON', async () => {
    const text = await recommend(
      '--input',
      WEEKLY_OLD_API,
      '--report',
      '--target',
      '500m',
      '--memory-target',
      '512Mi',
    );
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('4032 samples every 5m, 2024-04-01T00:00:00Z to 2024-04-15T00:00:00Z');
    expect(text.stdout).toMatch(
      /^CPU \(cores\): 15m ahead from every 5m of the last \d+h; replicas at 500m per replica$/m,
    );
    expect(text.stdout).toMatch(
      /^Memory \(MiB\): 15m ahead from every 5m of the last \d+h; replicas at 512Mi per replica$/m,
    );
    expect(text.stdout).toMatch(/^model +MAE +RMSE +R² +MASE +replicas exact +within one$/m);
    expect(text.stdout).toMatch(/^last-value +[\d.]+ +[\d.]+ +-?[\d.]+ +[\d.]+ +[\d.]+% +[\d.]+%$/m);
    expect(text.stdout.match(/ \(chosen\) /g)).toHaveLength(2);
    // The report comes before the resources: block, which stays last and pastes as it is.
    expect(text.stdout.indexOf('Backtest of every candidate model')).toBeLessThan(
      text.stdout.indexOf('resources:'),
    );
    const yaml = load(text.stdout.slice(text.stdout.indexOf('resources:'))) as any;
    expect(yaml.resources.requests.cpu).toMatch(/^(\d+m|\d+)$/);

    const json = await recommend(
      '--input',
      WEEKLY_OLD_API,
      '--json',
      '--report',
      '--target',
      '0.5',
      '--memory-target',
      String(512 * MIB),
    );
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    for (const resource of ['cpu', 'memory']) {
      const report = result.report[resource];
      expect(report).toMatchObject({ selected: result.models[resource].method, lead: '15m', step: '5m' });
      const methods = report.candidates.map((c: any) => c.method);
      expect(methods).toEqual(
        expect.arrayContaining(['last-value', 'seasonal-naive-day', 'seasonal-naive-week']),
      );
      expect(report.candidates.filter((c: any) => c.selected).map((c: any) => c.method)).toEqual([
        report.selected,
      ]);
      for (const candidate of report.candidates) {
        // The MASE is the one the model was chosen by, for every candidate.
        const score = result.models[resource].scores.find(
          (s: any) => s.method === candidate.method && s.lead === '15m',
        );
        expect(candidate.mase).toBeCloseTo(score.mase, 4);
        expect(candidate.rmse).toBeGreaterThanOrEqual(candidate.mae);
        expect(candidate.r2).toBeLessThanOrEqual(1);
        expect(candidate.replicas.samples).toBe(candidate.samples);
        expect(candidate.replicas.exact).toBeGreaterThanOrEqual(0);
        expect(candidate.replicas.withinOne).toBeGreaterThanOrEqual(candidate.replicas.exact);
        expect(candidate.replicas.withinOne).toBeLessThanOrEqual(1);
      }
      // Same time yesterday misses every Saturday morning's quiet; last week's shape does not.
      const r2 = (method: string) => report.candidates.find((c: any) => c.method === method).r2;
      expect(r2('seasonal-naive-week')).toBeGreaterThan(r2('seasonal-naive-day'));
      const chosen = report.candidates.find((c: any) => c.selected);
      expect(chosen.r2).toBeGreaterThan(0.9);
      expect(chosen.replicas.withinOne).toBeGreaterThan(0.95);
    }
    expect(result.report.cpu.target).toEqual({ value: 0.5, text: '0.5' });
    expect(result.report.memory.target).toEqual({ value: 512 * MIB, text: String(512 * MIB) });

    // The same target as a quantity and as a number; no replica shares for a resource without a target.
    const quantity = await recommend('--input', WEEKLY_OLD_API, '--json', '--report', '--target', '500m');
    const fromQuantity = JSON.parse(quantity.stdout).report;
    expect(fromQuantity.cpu.candidates.map((c: any) => c.replicas)).toEqual(
      result.report.cpu.candidates.map((c: any) => c.replicas),
    );
    for (const candidate of fromQuantity.memory.candidates) expect(candidate.replicas).toBeNull();
  }, 90_000);

  it('prints no replica columns without a target, and no report without --report', async () => {
    const { code, stdout } = await recommend('--input', WEEKLY_OLD_API, '--report');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^model +MAE +RMSE +R² +MASE$/m);
    expect(stdout).not.toContain('replicas');
    const plain = await recommend('--input', WEEKLY_OLD_API, '--json');
    expect(JSON.parse(plain.stdout).report).toBeUndefined();
  }, 60_000);

  it('prints its usage on --help', async () => {
    const { code, stdout } = await recommend('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('usage: npm run recommend -- --input USAGE.csv [--json]');
    expect(stdout).toContain('[--report [--target CPU_PER_REPLICA] [--memory-target MEMORY_PER_REPLICA]]');
  }, 30_000);

  it.each([
    [[], 'recommend: --input is required'],
    [['--input', '/nonexistent/usage.csv'], 'recommend: cannot read --input /nonexistent/usage.csv: ENOENT'],
    [['--input', 'HEADER'], 'recommend: missing column memory_bytes: the header is "timestamp,cpu_cores"'],
    [
      ['--input', 'SYNTHETIC', '--timezone', 'Moon/Base'],
      'recommend: --timezone Moon/Base is not an IANA time zone',
    ],
    [
      ['--input', 'SYNTHETIC', '--multipliers', 'next_year=1:2'],
      'recommend: --multipliers "next_year=1:2" is invalid',
    ],
    [['--input', 'SYNTHETIC', '--quantile', '2'], 'recommend: --quantile 2 is invalid'],
    [['--input', 'SYNTHETIC', '--bogus'], "recommend: Unknown option '--bogus'"],
    [
      ['--input', 'SYNTHETIC', '--report', '--target', '1Gi'],
      'recommend: --target "1Gi" is not a quantity of CPU cores as a number or millicores, e.g. 0.5 or 500m',
    ],
    [
      ['--input', 'SYNTHETIC', '--report', '--memory-target', '512m'],
      'recommend: --memory-target "512m" is not a quantity of memory bytes',
    ],
    [['--input', 'SYNTHETIC', '--report', '--target', '0'], 'recommend: --target "0" is not above 0'],
    [
      ['--input', 'SYNTHETIC', '--target', '500m'],
      'recommend: --target is used by --report: add --report to compare the models',
    ],
  ])(
    'exits 2 with a clear message for %j',
    async (args, message) => {
      const header = path.join(dir, 'header.csv');
      await writeFile(header, 'timestamp,cpu_cores\n2024-03-04T00:00:00Z,1\n');
      const resolved = args.map((a) => (a === 'HEADER' ? header : a === 'SYNTHETIC' ? synthetic : a));
      const { code, stdout, stderr } = await recommend(...resolved);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.split('\n')[0]).toContain(message);
      expect(stderr).toContain('usage: npm run recommend');
    },
    30_000,
  );
});
