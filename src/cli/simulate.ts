/**
 * `npm run simulate -- --trace FILE.csv --value-column NAME [--time-column NAME] --target PER_REPLICA
 *   --startup SECONDS [--kind rate|queue] [--service-rate PER_SECOND] [--polling 30] [--lead 15m] [--min 0] [--max 100] [--json]
 *   [--timeline OUT.csv] [--svg OUT.svg] [--step 5m] [--training-workers N]`
 *
 * Replays a trace through the scaler's own decision and forecasting code against a model of KEDA, the
 * HPA and pod startup, for reactive scaling (alone and with 10 to 100 % headroom), this scaler
 * (`predictive`) and perfect foresight (`oracle`). `--startup` is also the trigger's `startupTime` and KEDA's
 * default cooldown its `cooldownPeriod`; `--lead` defaults to 15m, or to the start-up time when that is
 * longer. With `--json`, one JSON object per strategy and line;
 * otherwise a table. `--step` sets the step of traces without timestamps (default 1m). `--training-workers`
 * sets the worker threads that fit the predictive strategy's models ahead of a `rate` replay (default:
 * one per core on replays of a day or more; 0 fits inline); the results are the same either way.
 * Exit codes: 0 done, 2 bad flags or an unreadable trace (the message says which and why), 1 anything else.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDuration } from '../config/parse';
import { readSettings } from '../config/settings';
import { MetadataError } from '../errors';
import { DEMAND_KINDS, type DemandKind } from '../sim/demand';
import { comparisonTable, resultRecord } from '../sim/report';
import {
  SimulationSettingsError,
  simulate,
  type SimulationOptions,
  type SimulationResult,
} from '../sim/simulator';
import { renderSvg } from '../sim/svg';
import { writeTimelineCsv } from '../sim/timeline';
import { loadTrace, type Trace } from '../sim/trace';
import { CsvError } from '../util/csv';
import { DAY_MS, formatDuration } from '../util/duration';
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  PROCESS_IO,
  UsageError,
  parseFlags,
  runAsProcess,
  unexpected,
  wantsHelp,
} from './args';

export { UsageError };

/** The trigger's default `leadTime`. */
const DEFAULT_LEAD_MS = 15 * 60_000;

export const SIMULATE_USAGE =
  'usage: npm run simulate -- --trace FILE.csv --value-column NAME [--time-column NAME] --target PER_REPLICA\n' +
  '         --startup SECONDS [--kind rate|queue] [--service-rate PER_SECOND] [--polling 30] [--lead 15m]\n' +
  '         [--min 0] [--max 100]' +
  ' [--shortfall-target SHARE] [--scale-down-window 300]\n' +
  '         [--scale-up-tolerance 0.1] [--scale-down-tolerance 0.1] [--json] [--timeline OUT.csv]\n' +
  '         [--svg OUT.svg] [--step 1m] [--training-workers N] [--oracle-foresight SECONDS]';

export interface SimulateCliOptions {
  trace: string;
  valueColumn: string;
  timeColumn: string | undefined;
  /** `--target` as given: it becomes the trigger's `threshold` metadata. */
  target: number;
  startupMs: number;
  kind: DemandKind;
  /** `--service-rate` (`queue` only): work one ready replica serves per second; undefined: `target`. */
  serviceRate: number | undefined;
  pollingMs: number;
  lead: string;
  /** `--shortfall-target`: the trigger's `shortfallTarget` metadata, as given; undefined: unset. */
  shortfallTarget: string | undefined;
  /** `--scale-down-window`: the HPA's scale-down stabilisation window. */
  scaleDownWindowMs: number;
  /** `--scale-up-tolerance` / `--scale-down-tolerance`: the HPA's `behavior.*.tolerance`. */
  scaleUpTolerance: number;
  scaleDownTolerance: number;
  minReplicas: number;
  maxReplicas: number;
  json: boolean;
  timeline: string | undefined;
  svg: string | undefined;
  stepMs: number | undefined;
  /** `--training-workers`; undefined: the simulator's default. */
  trainingWorkers: number | undefined;
  /** `--oracle-foresight`; undefined: the simulator's default, on time for every rise. */
  oracleForesightMs: number | undefined;
}

export function parseSimulateArguments(argv: string[]): SimulateCliOptions {
  const values = parseFlags(argv, {
    trace: { type: 'string' },
    'value-column': { type: 'string' },
    'time-column': { type: 'string' },
    target: { type: 'string' },
    startup: { type: 'string' },
    kind: { type: 'string' },
    'service-rate': { type: 'string' },
    polling: { type: 'string' },
    lead: { type: 'string' },
    'shortfall-target': { type: 'string' },
    'scale-down-window': { type: 'string' },
    'scale-up-tolerance': { type: 'string' },
    'scale-down-tolerance': { type: 'string' },
    min: { type: 'string' },
    max: { type: 'string' },
    json: { type: 'boolean', default: false },
    timeline: { type: 'string' },
    svg: { type: 'string' },
    step: { type: 'string' },
    'training-workers': { type: 'string' },
    'oracle-foresight': { type: 'string' },
  });
  const required = (flag: string, value: string | undefined): string => {
    if (value === undefined || value.trim() === '') throw new UsageError(`--${flag} is required`);
    return value;
  };
  const trace = required('trace', values.trace);
  const valueColumn = required('value-column', values['value-column']);
  const target = decimal('--target', required('target', values.target), { exclusiveMin: 0 });
  const startupSeconds = decimal('--startup', required('startup', values.startup), { min: 0, max: 86_400 });
  const kind = values.kind ?? 'rate';
  if (!DEMAND_KINDS.includes(kind as DemandKind)) {
    throw new UsageError(`--kind must be rate or queue, got ${JSON.stringify(kind)}`);
  }
  const serviceRateRaw = values['service-rate'];
  if (serviceRateRaw !== undefined && kind !== 'queue') {
    throw new UsageError('--service-rate is for --kind queue: a rate replay serves --target per replica');
  }
  const serviceRate =
    serviceRateRaw === undefined ? undefined : decimal('--service-rate', serviceRateRaw, { exclusiveMin: 0 });
  const pollingSeconds = decimal('--polling', values.polling ?? '30', { exclusiveMin: 0, max: 86_400 });
  const startupMs = Math.round(startupSeconds * 1000);
  // The server refuses a start-up time longer than the lead; an unset lead grows to fit it instead.
  const lead = values.lead ?? (startupMs > DEFAULT_LEAD_MS ? formatDuration(startupMs) : '15m');
  duration('--lead', lead, 0);
  const minReplicas = integer('--min', values.min ?? '0', 0);
  const maxReplicas = integer('--max', values.max ?? '100', 1);
  if (maxReplicas < minReplicas) {
    throw new UsageError(`--max (${maxReplicas}) must be at least --min (${minReplicas})`);
  }
  return {
    trace,
    valueColumn,
    timeColumn: values['time-column'],
    target,
    startupMs,
    kind: kind as DemandKind,
    serviceRate,
    pollingMs: Math.round(pollingSeconds * 1000),
    lead,
    shortfallTarget: values['shortfall-target'],
    scaleDownWindowMs: Math.round(
      decimal('--scale-down-window', values['scale-down-window'] ?? '300', { min: 0, max: 3_600 }) * 1000,
    ),
    scaleUpTolerance: decimal('--scale-up-tolerance', values['scale-up-tolerance'] ?? '0.1', {
      min: 0,
      max: 1,
    }),
    scaleDownTolerance: decimal('--scale-down-tolerance', values['scale-down-tolerance'] ?? '0.1', {
      min: 0,
      max: 1,
    }),
    minReplicas,
    maxReplicas,
    json: values.json === true,
    timeline: values.timeline,
    svg: values.svg,
    stepMs: values.step === undefined ? undefined : duration('--step', values.step, 1),
    trainingWorkers:
      values['training-workers'] === undefined
        ? undefined
        : integer('--training-workers', values['training-workers'], 0),
    oracleForesightMs:
      values['oracle-foresight'] === undefined
        ? undefined
        : Math.round(
            decimal('--oracle-foresight', values['oracle-foresight'], { min: 0, max: 86_400 }) * 1000,
          ),
  };
}

/** Runs the command; returns the exit code. Output goes through `out` (stdout) and `err` (stderr). */
export async function runSimulateCli(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  try {
    if (wantsHelp(argv)) {
      out(SIMULATE_USAGE);
      return EXIT_OK;
    }
    const options = parseSimulateArguments(argv);
    const trace = loadTrace(options.trace, {
      valueColumn: options.valueColumn,
      ...(options.timeColumn === undefined ? {} : { timeColumn: options.timeColumn }),
      ...(options.stepMs === undefined ? {} : { stepMs: options.stepMs }),
    });
    for (const note of traceNotes(trace, options)) err(`simulate: ${note}`);
    const simulation = await simulate(trace, simulationOptions(options));
    if (options.json) {
      for (const result of simulation.results) out(JSON.stringify(resultRecord(result)));
    } else {
      out(describeRun(trace, options));
      out('');
      out(comparisonTable(simulation));
    }
    await writeOutputs(simulation, trace, options, err);
    return EXIT_OK;
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof CsvError ||
      error instanceof SimulationSettingsError
    ) {
      err(`simulate: ${error.message}`);
      if (error instanceof UsageError) err(SIMULATE_USAGE);
      return EXIT_USAGE;
    }
    if (error instanceof MetadataError) {
      err(`simulate: ${flagMessage(error)}`);
      return EXIT_USAGE;
    }
    err(unexpected('simulate', error));
    return EXIT_FAILURE;
  }
}

/** The library call behind the flags (also used by the demo). */
export function simulationOptions(options: SimulateCliOptions): SimulationOptions {
  return {
    target: options.target,
    startupMs: options.startupMs,
    kind: options.kind,
    ...(options.serviceRate === undefined ? {} : { serviceRate: options.serviceRate }),
    pollingMs: options.pollingMs,
    scaleDownWindowMs: options.scaleDownWindowMs,
    scaleUpTolerance: options.scaleUpTolerance,
    scaleDownTolerance: options.scaleDownTolerance,
    leadTime: options.lead,
    ...(options.shortfallTarget === undefined
      ? {}
      : { metadata: { shortfallTarget: options.shortfallTarget } }),
    minReplicas: options.minReplicas,
    maxReplicas: options.maxReplicas,
    ...serverSchedule(),
    timeline: options.timeline !== undefined || options.svg !== undefined,
    ...(options.trainingWorkers === undefined ? {} : { trainingWorkers: options.trainingWorkers }),
    ...(options.oracleForesightMs === undefined ? {} : { oracleForesightMs: options.oracleForesightMs }),
  };
}

/**
 * The server's `RETRAIN_INTERVAL` and `DRIFT_RETRAINING`, read by its own settings reader, so a replay
 * follows a changed schedule.
 */
function serverSchedule(): Pick<SimulationOptions, 'retrainIntervalMs' | 'driftRetraining'> {
  try {
    const { retrainIntervalMs, driftRetraining } = readSettings({
      RETRAIN_INTERVAL: process.env.RETRAIN_INTERVAL,
      DRIFT_RETRAINING: process.env.DRIFT_RETRAINING,
    });
    return { retrainIntervalMs, driftRetraining };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** One line saying what was replayed and how. */
export function describeRun(trace: Trace, options: SimulateCliOptions): string {
  return (
    `${path.basename(options.trace)} ${options.valueColumn}: ${trace.values.length} samples every ` +
    `${formatDuration(trace.stepMs)} (${formatDuration(trace.values.length * trace.stepMs)}), ` +
    `kind ${options.kind}, target ${options.target} per replica, ` +
    (options.serviceRate === undefined ? '' : `service rate ${options.serviceRate}/s per replica, `) +
    `startup ${options.startupMs / 1000} s, ` +
    `polling ${options.pollingMs / 1000} s, lead ${options.lead}, replicas ${options.minReplicas}..${options.maxReplicas}`
  );
}

async function writeOutputs(
  simulation: SimulationResult,
  trace: Trace,
  options: SimulateCliOptions,
  err: (line: string) => void,
): Promise<void> {
  const timeline = simulation.timeline;
  if (!timeline) return;
  if (options.timeline !== undefined) {
    await writeTimelineCsv(options.timeline, timeline).catch((error: Error) => {
      throw new UsageError(`cannot write --timeline ${options.timeline}: ${error.message}`);
    });
    err(`simulate: timeline written to ${options.timeline}`);
  }
  if (options.svg !== undefined) {
    const svg = renderSvg(timeline, {
      title: `${path.basename(options.trace)}: demand and ready capacity`,
      subtitle: describeRun(trace, options),
      scores: new Map(simulation.results.map((r) => [r.strategy, r])),
      relativeTime: trace.timeFormat === 'steps' || trace.timeFormat === 'row-index',
      unit: options.valueColumn,
    });
    try {
      writeFileSync(options.svg, svg);
    } catch (error) {
      throw new UsageError(`cannot write --svg ${options.svg}: ${(error as Error).message}`);
    }
    err(`simulate: chart written to ${options.svg}`);
  }
}

function traceNotes(trace: Trace, options: SimulateCliOptions): string[] {
  const notes: string[] = [];
  if ((trace.timeFormat === 'row-index' || trace.timeFormat === 'steps') && options.stepMs === undefined) {
    notes.push(`no timestamps: assuming one row per ${formatDuration(trace.stepMs)} (set --step otherwise)`);
  }
  if (trace.filledGaps > 0) notes.push(`${trace.filledGaps} missing steps filled with 0`);
  return notes;
}

/** Trigger metadata errors name metadata keys; the user typed flags. */
function flagMessage(error: MetadataError): string {
  const flag =
    {
      threshold: '--target',
      leadTime: '--lead',
      horizon: '--lead',
      startupTime: '--startup',
      shortfallTarget: '--shortfall-target',
    }[error.key] ?? error.key;
  return `${flag}: ${error.message}`;
}

function decimal(
  flag: string,
  raw: string,
  bounds: { min?: number; max?: number; exclusiveMin?: number },
): number {
  const value = Number(raw);
  const ok =
    /^\s*(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw) &&
    Number.isFinite(value) &&
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.exclusiveMin === undefined || value > bounds.exclusiveMin) &&
    (bounds.max === undefined || value <= bounds.max);
  if (!ok) {
    const range =
      bounds.exclusiveMin !== undefined
        ? `greater than ${bounds.exclusiveMin}`
        : `at least ${bounds.min ?? 0}`;
    throw new UsageError(
      `${flag} must be a number ${range}${bounds.max === undefined ? '' : ` and at most ${bounds.max}`}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

function integer(flag: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${flag} must be an integer of at least ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Durations need a unit here: a bare "900" would be read as milliseconds, which nobody means. */
function duration(flag: string, raw: string, minMs: number): number {
  if (/^\s*\d+(\.\d+)?\s*$/.test(raw)) {
    throw new UsageError(`${flag} needs a unit, such as 15m or 90s, got ${JSON.stringify(raw)}`);
  }
  try {
    return parseDuration(flag, raw, { minMs, maxMs: 7 * DAY_MS });
  } catch {
    throw new UsageError(`${flag} must be a duration such as 30s, 15m or 2h, got ${JSON.stringify(raw)}`);
  }
}

if (require.main === module) {
  runAsProcess('simulate', () => runSimulateCli(process.argv.slice(2), PROCESS_IO.out, PROCESS_IO.err));
}
