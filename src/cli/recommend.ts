/**
 * `npm run recommend -- --input USAGE.csv [--json] [--report]`: CPU and memory requests and limits per
 * planning window (next day, week, weekend, month) from a usage export, with the scaler's own models;
 * `--report` adds every candidate model's backtest scores. See docs/tools.md#recommend and
 * docs/capacity-planning.md.
 */
import { readFileSync } from 'node:fs';
import { parseTimezone } from '../config/business-hours';
import { ForecastInputError, trainModelWithDiagnostics } from '../forecast';
import type { RegularSeries, TrainingOptions } from '../forecast/types';
import { ForecastRangeError } from '../capacity/long-forecast';
import { describeModel } from '../capacity/model-info';
import { formatDuration, DAY_MS, MINUTE_MS } from '../util/duration';
import { planWindows } from '../capacity/plan';
import { DEFAULT_POLICIES, parseMultipliers, type WindowPolicy } from '../capacity/recommend';
import {
  comparisonTable,
  comparisonView,
  resourceComparison,
  resourceTable,
  resourcesBlock,
  resourcesYaml,
  windowReport,
  type ReplicaTarget,
  type ResourceComparison,
  type ResourcePlans,
  type ResourcesBlock,
} from '../capacity/report';
import { parseQuantity, type ResourceKind } from '../capacity/units';
import { parseUsageCsv, type UsageColumns } from '../capacity/usage-csv';
import { CsvError } from '../util/csv';
import { CAPACITY_WINDOWS, isCapacityWindow, type CapacityWindow } from '../capacity/windows';
import { EXIT_OK, EXIT_USAGE, UsageError, parseFlags, runAsProcess, wantsHelp } from './args';

export const RECOMMEND_USAGE = `usage: npm run recommend -- --input USAGE.csv [--json]
  [--cpu-column NAME] [--memory-column NAME] [--timezone UTC] [--quantile 0.9] [--now ISO-8601]
  [--multipliers next_day=0.8:1.2,next_month=0.7:1.5] [--allow-below-peak] [--window all|next_day|...]
  [--report [--target CPU_PER_REPLICA] [--memory-target MEMORY_PER_REPLICA]]

USAGE.csv: timestamp,cpu_cores,memory_bytes (e.g. 5-minute samples), or the old forecasting API's
timestamp,cpu_mean_5m,mem_mean_5m; memory in bytes. Other column names: --cpu-column, --memory-column.

--report: every candidate model's MAE, RMSE, R² and MASE on the backtest (15m ahead) the model was
chosen on. With --target (CPU per replica: 0.5 or 500m) and --memory-target (512Mi, 1Gi or bytes),
also the share of forecasts whose replica count ceil(value / target) equals the actual value's, and is
within one of it.`;

/** The scaler's defaults for a trigger (leadTime 15m, horizon 30m), so the tool learns what the scaler would. */
const TRAINING: Omit<TrainingOptions, 'quantile'> = {
  seasonality: 'auto',
  leadTimesMs: [15 * MINUTE_MS],
  horizonMs: 30 * MINUTE_MS,
  anomalyThreshold: 3.5,
};

interface Options {
  input: string;
  json: boolean;
  timezone: string;
  quantile: number;
  nowMs: number | undefined;
  policies: Record<CapacityWindow, WindowPolicy>;
  yamlWindows: CapacityWindow[];
  columns: UsageColumns;
  /** Set with `--report`: compare the candidates, with replica shares for the resources given a target. */
  report?: { targets: Partial<Record<ResourceKind, ReplicaTarget>> };
}

/** Runs the tool; returns the exit code (0, or 2 for bad arguments or input). */
export function runRecommend(
  argv: string[],
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
): number {
  if (wantsHelp(argv)) {
    io.stdout(`${RECOMMEND_USAGE}\n`);
    return EXIT_OK;
  }
  try {
    const options = readOptions(argv);
    const report = buildReport(options, readInput(options.input));
    if (report.spanMs < 2 * DAY_MS) {
      io.stderr(
        `recommend: warning: ${formatDuration(report.spanMs)} of history; learning a daily pattern needs ` +
          'at least two days (a weekly one two weeks), so the forecast mostly repeats the last value\n',
      );
    }
    io.stdout(options.json ? `${JSON.stringify(jsonReport(report))}\n` : textReport(report, options));
    return EXIT_OK;
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof CsvError ||
      error instanceof ForecastInputError ||
      error instanceof ForecastRangeError
    ) {
      io.stderr(`recommend: ${error.message}\n${RECOMMEND_USAGE}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

interface Report {
  /** Time the usage covers. */
  spanMs: number;
  input: {
    file: string;
    samples: number;
    step: string;
    from: string;
    to: string;
    now: string;
    timezone: string;
  };
  resources: ResourcePlans[];
  block: ResourcesBlock;
  /** With `--report`. */
  comparisons?: ResourceComparison[];
}

function readInput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read --input ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** Trains a model per column and plans every window with it. */
function buildReport(options: Options, text: string): Report {
  const usage = parseUsageCsv(text, options.columns);
  const step = usage.cpu.stepMs;
  const endMs = usage.cpu.startMs + usage.cpu.values.length * step;
  if (options.nowMs !== undefined && options.nowMs < endMs - step) {
    throw new UsageError(`--now ${isoSeconds(options.nowMs)} is before the last sample`);
  }
  const nowMs = options.nowMs ?? endMs;
  const columns: Array<[ResourceKind, RegularSeries]> = [
    ['cpu', usage.cpu],
    ['memory', usage.memory],
  ];
  const comparisons: ResourceComparison[] = [];
  const resources = columns.map(([resource, history]): ResourcePlans => {
    const { model, backtest } = trainModelWithDiagnostics(
      history,
      { ...TRAINING, quantile: options.quantile },
      endMs,
    );
    if (options.report !== undefined) {
      comparisons.push(resourceComparison(resource, model, backtest, options.report.targets[resource]));
    }
    const plans = planWindows({ model, history, timezone: options.timezone, nowMs }, CAPACITY_WINDOWS, {
      resource,
      policies: options.policies,
    });
    return { resource, model: describeModel(model, { allScores: options.json }), plans };
  });
  return {
    spanMs: endMs - usage.cpu.startMs,
    input: {
      file: options.input,
      samples: usage.rows,
      step: formatDuration(step),
      from: isoSeconds(usage.cpu.startMs),
      to: isoSeconds(endMs),
      now: isoSeconds(nowMs),
      timezone: options.timezone,
    },
    resources,
    block: resourcesBlock(resources, options.yamlWindows),
    ...(options.report !== undefined && { comparisons }),
  };
}

function jsonReport({ input, resources, block, comparisons }: Report): unknown {
  return {
    input,
    models: Object.fromEntries(resources.map((r) => [r.resource, r.model])),
    windows: CAPACITY_WINDOWS.map((window) => ({
      window,
      ...Object.fromEntries(
        resources.map((r) => {
          const plan = r.plans.find((p) => p.range.window === window);
          return [r.resource, plan ? windowReport(plan) : null];
        }),
      ),
    })),
    resources: { requests: block.requests, limits: block.limits, windows: block.windows },
    ...(comparisons !== undefined && {
      report: Object.fromEntries(comparisons.map((c) => [c.resource, comparisonView(c)])),
    }),
  };
}

function textReport({ input, resources, block, comparisons }: Report, options: Options): string {
  return [
    `${input.samples} samples every ${input.step}, ${input.from} to ${input.to}; ` +
      `windows after ${input.now} in ${input.timezone}`,
    '',
    ...resources.flatMap((r) => [resourceTable(r, options.timezone), '']),
    `p${Math.round(options.quantile * 100)}: the ${options.quantile} quantile forecast, ` +
      'as reached in the busiest 1 % of the window.',
    'request / limit = multipliers × that value, rounded up; ' +
      '* = raised to the observed peak (--allow-below-peak to allow less).',
    '',
    ...(comparisons === undefined ? [] : comparisonText(comparisons)),
    resourcesYaml(block),
  ].join('\n');
}

/** The `--report` section: a table per resource and how to read it; before the YAML, which stays last to paste. */
function comparisonText(comparisons: ResourceComparison[]): string[] {
  return [
    'Backtest of every candidate model (the one the model was chosen on):',
    '',
    ...comparisons.flatMap((c) => [comparisonTable(c), '']),
    'MAE and RMSE in the unit of the table; R²: 1 is perfect, 0 no better than the mean of the actual ' +
      "values; MASE: the MAE over same time yesterday's error on the older, anomaly-filtered part of the " +
      'history, which the model was chosen by.',
    ...(comparisons.some((c) => c.target !== undefined)
      ? [
          'replicas: share of forecasts whose ceil(value / target) equals, or is within one of, the ' +
            "actual value's.",
        ]
      : []),
    '',
  ];
}

/** ISO-8601 without milliseconds: usage exports are never finer than a second. */
function isoSeconds(atMs: number): string {
  return new Date(atMs).toISOString().replace(/\.000Z$/, 'Z');
}

function readOptions(argv: string[]): Options {
  const values = parseFlags(argv, {
    input: { type: 'string' },
    json: { type: 'boolean', default: false },
    timezone: { type: 'string', default: 'UTC' },
    quantile: { type: 'string', default: '0.9' },
    now: { type: 'string' },
    multipliers: { type: 'string' },
    'allow-below-peak': { type: 'boolean', default: false },
    window: { type: 'string', default: 'all' },
    'cpu-column': { type: 'string' },
    'memory-column': { type: 'string' },
    report: { type: 'boolean', default: false },
    target: { type: 'string' },
    'memory-target': { type: 'string' },
  });
  if (values.input === undefined || values.input === '') throw new UsageError('--input is required');
  const quantile = Number(values.quantile);
  if (!(quantile >= 0.5 && quantile <= 0.999)) {
    throw new UsageError(`--quantile ${values.quantile} is invalid: expected a number from 0.5 to 0.999`);
  }
  let nowMs: number | undefined;
  if (values.now !== undefined) {
    nowMs = Date.parse(values.now);
    if (!Number.isFinite(nowMs)) throw new UsageError(`--now ${values.now} is not an ISO-8601 time`);
  }
  const policies = Object.fromEntries(
    CAPACITY_WINDOWS.map((w) => [w, { ...DEFAULT_POLICIES[w], allowBelowPeak: values['allow-below-peak'] }]),
  ) as Record<CapacityWindow, WindowPolicy>;
  for (const item of (values.multipliers ?? '').split(',').filter((s) => s.trim() !== '')) {
    const [name, spec] = item.split('=').map((s) => s.trim());
    if (name === undefined || spec === undefined || !isCapacityWindow(name)) {
      throw new UsageError(
        `--multipliers ${JSON.stringify(item)} is invalid: expected WINDOW=REQUEST:LIMIT with WINDOW one of ` +
          CAPACITY_WINDOWS.join(', '),
      );
    }
    try {
      Object.assign(policies[name], parseMultipliers(spec));
    } catch (error) {
      throw new UsageError(`--multipliers ${name}: ${(error as Error).message}`);
    }
  }
  const window = values.window;
  if (window !== 'all' && !isCapacityWindow(window)) {
    throw new UsageError(
      `--window ${window} is invalid: expected all or one of ${CAPACITY_WINDOWS.join(', ')}`,
    );
  }
  let timezone: string;
  try {
    timezone = parseTimezone('--timezone', values.timezone);
  } catch {
    throw new UsageError(
      `--timezone ${values.timezone} is not an IANA time zone such as UTC or Europe/Berlin`,
    );
  }
  const targets: Partial<Record<ResourceKind, ReplicaTarget>> = {
    ...(values.target !== undefined && { cpu: targetFlag('--target', 'cpu', values.target) }),
    ...(values['memory-target'] !== undefined && {
      memory: targetFlag('--memory-target', 'memory', values['memory-target']),
    }),
  };
  if (!values.report) {
    const given =
      values.target !== undefined
        ? '--target'
        : values['memory-target'] !== undefined
          ? '--memory-target'
          : undefined;
    if (given !== undefined)
      throw new UsageError(`${given} is used by --report: add --report to compare the models`);
  }
  return {
    input: values.input,
    json: values.json,
    timezone,
    quantile,
    nowMs,
    policies,
    yamlWindows: window === 'all' ? [...CAPACITY_WINDOWS] : [window],
    columns: {
      ...(values['cpu-column'] !== undefined && { cpu: columnFlag('--cpu-column', values['cpu-column']) }),
      ...(values['memory-column'] !== undefined && {
        memory: columnFlag('--memory-column', values['memory-column']),
      }),
    },
    ...(values.report && { report: { targets } }),
  };
}

function targetFlag(flag: string, resource: ResourceKind, text: string): ReplicaTarget {
  try {
    return { value: parseQuantity(resource, text), text: text.trim() };
  } catch (error) {
    throw new UsageError(`${flag} ${(error as Error).message}`);
  }
}

function columnFlag(flag: string, name: string): string {
  if (name.trim() === '') throw new UsageError(`${flag} is empty: expected a column name of the CSV header`);
  return name.trim();
}

if (require.main === module) {
  runAsProcess('recommend', () =>
    runRecommend(process.argv.slice(2), {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    }),
  );
}
