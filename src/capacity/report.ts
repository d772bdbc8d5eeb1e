import type { TrainedModel, TrainingBacktest } from '../forecast';
import type { ModelView } from './model-info';
import { compareCandidates, type CandidateComparison } from './model-comparison';
import { formatDuration } from '../util/duration';
import type { WindowPlan } from './plan';
import type { Recommendation } from './recommend';
import { MIB, quantityOf, type Quantity, type ResourceKind } from './units';
import { tidy } from './window-forecast';
import type { CapacityWindow } from './windows';
import { formatLocalTime } from '../util/zoned-time';

/** One resource's model and plans, as the `recommend` tool reports them. */
export interface ResourcePlans {
  resource: ResourceKind;
  model: ModelView;
  plans: WindowPlan[];
}

/** A window's plan in the JSON report (no per-point series: the HTTP API serves those). */
export interface WindowReport {
  window: CapacityWindow;
  from: string;
  to: string;
  fromLocal: string;
  toLocal: string;
  resolution: string;
  mean: number;
  peak: number;
  quantile: { level: number; value: number };
  lower: number;
  upper: number;
  observedPeak: number | null;
  request: Quantity & { bound: string };
  limit: Quantity & { bound: string };
  multipliers: { request: number; limit: number };
  allowBelowPeak: boolean;
}

/** The `resources:` block: the largest request and limit over the chosen windows, per resource. */
export interface ResourcesBlock {
  windows: CapacityWindow[];
  requests: Partial<Record<ResourceKind, string>>;
  limits: Partial<Record<ResourceKind, string>>;
}

/** The JSON form of a window plan with its recommendation. */
export function windowReport(plan: WindowPlan): WindowReport {
  const rec = plan.recommendation as Recommendation;
  return {
    window: plan.range.window,
    from: new Date(plan.range.fromMs).toISOString(),
    to: new Date(plan.range.toMs).toISOString(),
    fromLocal: formatLocalTime(plan.range.fromMs, plan.range.timezone),
    toLocal: formatLocalTime(plan.range.toMs, plan.range.timezone),
    resolution: formatDuration(plan.resolutionMs),
    mean: tidy(plan.summary.mean),
    peak: tidy(plan.summary.peak.value),
    quantile: { level: plan.summary.quantile.level, value: tidy(plan.summary.quantile.value) },
    lower: tidy(plan.summary.lower),
    upper: tidy(plan.summary.upper),
    observedPeak: plan.observedPeak === undefined ? null : tidy(plan.observedPeak),
    request: { ...rec.request, value: tidy(rec.request.value) },
    limit: { ...rec.limit, value: tidy(rec.limit.value) },
    multipliers: { request: rec.policy.requestMultiplier, limit: rec.policy.limitMultiplier },
    allowBelowPeak: rec.policy.allowBelowPeak,
  };
}

/**
 * The largest request and limit over `windows` for each resource: a manifest outlives any one window, so
 * the block covers all of the ones asked for.
 */
export function resourcesBlock(resources: ResourcePlans[], windows: CapacityWindow[]): ResourcesBlock {
  const block: ResourcesBlock = { windows, requests: {}, limits: {} };
  for (const { resource, plans } of resources) {
    let request = 0;
    let limit = 0;
    for (const plan of plans) {
      if (!windows.includes(plan.range.window) || !plan.recommendation) continue;
      request = Math.max(request, plan.recommendation.request.value);
      limit = Math.max(limit, plan.recommendation.limit.value);
    }
    block.requests[resource] = quantityOf(resource, request).text;
    block.limits[resource] = quantityOf(resource, limit).text;
  }
  return block;
}

/** The block as YAML to paste under a container. */
export function resourcesYaml(block: ResourcesBlock): string {
  const lines = [`# covers ${block.windows.join(', ')}`, 'resources:', '  requests:'];
  for (const [name, value] of Object.entries(block.requests)) lines.push(`    ${name}: ${quote(value)}`);
  lines.push('  limits:');
  for (const [name, value] of Object.entries(block.limits)) lines.push(`    ${name}: ${quote(value)}`);
  return `${lines.join('\n')}\n`;
}

/** Whole cores (`2`) stay numbers in YAML; quoting them keeps every value a Kubernetes quantity string. */
function quote(value: string): string {
  return /^[0-9.]+$/.test(value) ? `"${value}"` : value;
}

/** The human-readable table of one resource's plans. */
export function resourceTable(resource: ResourcePlans, timezone: string): string {
  const unit = resource.resource === 'cpu' ? 'cores' : 'MiB';
  const show = (value: number | undefined): string =>
    value === undefined
      ? '-'
      : resource.resource === 'cpu'
        ? value.toFixed(3)
        : (value / MIB).toFixed(value / MIB < 10 ? 1 : 0);
  const quantileLevel = resource.plans[0]?.summary.quantile.level ?? 0.9;
  const header = [
    'window',
    `from (${timezone})`,
    'to',
    'mean',
    'peak',
    `p${Math.round(quantileLevel * 100)}`,
    'observed peak',
    'request',
    'limit',
    'multipliers',
  ];
  const rows = resource.plans.map((plan) => {
    const rec = plan.recommendation as Recommendation;
    const mark = (bound: string): string => (bound === 'observed-peak' ? '*' : '');
    return [
      plan.range.window,
      localShort(plan.range.fromMs, timezone),
      localShort(plan.range.toMs, timezone),
      show(plan.summary.mean),
      show(plan.summary.peak.value),
      show(plan.summary.quantile.value),
      show(plan.observedPeak),
      rec.request.text + mark(rec.request.bound),
      rec.limit.text + mark(rec.limit.bound),
      `${pct(rec.policy.requestMultiplier)}/${pct(rec.policy.limitMultiplier)}`,
    ];
  });
  const model = resource.model;
  const dayAhead = model.longHorizon.scores.find((s) => s.lead === '1d')?.mase ?? null;
  const title =
    `${resource.resource === 'cpu' ? 'CPU' : 'Memory'} (${unit}): windows forecast by ${model.longHorizon.method}` +
    (dayAhead === null ? '' : ` (day-ahead MASE ${dayAhead.toFixed(3)})`) +
    `; at the scaling lead ${model.method}, ` +
    `${model.usable ? 'beats the baselines' : 'does NOT beat the baselines'}` +
    (model.backtestMase === null ? '' : `, backtest MASE ${model.backtestMase.toFixed(3)}`) +
    (model.seasonalPeriods.length > 0 ? `, seasons ${model.seasonalPeriods.join(', ')}` : ', no season');
  return `${title}\n${table([header, ...rows])}`;
}

function pct(multiplier: number): string {
  return `${Math.round(multiplier * 100)}%`;
}

/** `2024-03-26 00:00` in the zone (the offset is in the JSON output). */
function localShort(atMs: number, timezone: string): string {
  return formatLocalTime(atMs, timezone).slice(0, 16).replace('T', ' ');
}

function table(rows: string[][]): string {
  const widths = (rows[0] as string[]).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A per-replica target as given on the command line, and its value in cores or bytes. */
export interface ReplicaTarget {
  value: number;
  text: string;
}

/** One resource's candidates compared on the backtest its model was selected on (`recommend --report`). */
export interface ResourceComparison {
  resource: ResourceKind;
  /** The method the model ships with. */
  selected: string;
  target?: ReplicaTarget;
  /** Absent when the history was too short to hold any of it out; `reason` then says why. */
  backtest?: {
    /** The scaling lead every forecast is scored at. */
    lead: string;
    step: string;
    /** The stretch at the end of the history the forecasts are made over. */
    holdout: string;
    candidates: CandidateComparison[];
  };
  reason: string;
}

/** Compares every candidate of `backtest` at its first (the scaler's) lead. */
export function resourceComparison(
  resource: ResourceKind,
  model: TrainedModel,
  backtest: TrainingBacktest | undefined,
  target: ReplicaTarget | undefined,
): ResourceComparison {
  const base = {
    resource,
    selected: model.method,
    ...(target !== undefined && { target }),
    reason: model.reason,
  };
  const lead = backtest?.setup.leadBlocks[0];
  if (backtest === undefined || lead === undefined) return base;
  const { setup } = backtest;
  return {
    ...base,
    backtest: {
      lead: formatDuration(lead * setup.blockMs),
      step: formatDuration(setup.blockMs),
      holdout: formatDuration((setup.observed.length - setup.foldEnd) * setup.blockMs),
      candidates: compareCandidates(backtest, {
        lead,
        ...(target !== undefined && { target: target.value }),
      }),
    },
  };
}

/** A candidate's scores in the JSON report; null where nothing could be measured. */
export interface CandidateView {
  method: string;
  selected: boolean;
  failure?: string;
  samples: number;
  mae: number | null;
  rmse: number | null;
  r2: number | null;
  mase: number | null;
  replicas: { samples: number; exact: number | null; withinOne: number | null } | null;
}

/** The JSON form of a resource's comparison. */
export function comparisonView(comparison: ResourceComparison): {
  selected: string;
  target: ReplicaTarget | null;
  lead: string | null;
  step: string | null;
  holdout: string | null;
  reason: string;
  candidates: CandidateView[];
} {
  const backtest = comparison.backtest;
  return {
    selected: comparison.selected,
    target: comparison.target ?? null,
    lead: backtest?.lead ?? null,
    step: backtest?.step ?? null,
    holdout: backtest?.holdout ?? null,
    reason: comparison.reason,
    candidates: (backtest?.candidates ?? []).map((c): CandidateView => ({
      method: c.method,
      selected: c.method === comparison.selected,
      ...(c.failure !== undefined && { failure: c.failure }),
      samples: c.errors.samples,
      mae: finiteOrNull(c.errors.mae),
      rmse: finiteOrNull(c.errors.rmse),
      r2: finiteOrNull(c.errors.r2),
      mase: finiteOrNull(c.errors.mase),
      replicas:
        c.replicas === undefined
          ? null
          : {
              samples: c.replicas.samples,
              exact: finiteOrNull(c.replicas.exact),
              withinOne: finiteOrNull(c.replicas.withinOne),
            },
    })),
  };
}

/** The human-readable table of one resource's comparison. */
export function comparisonTable(comparison: ResourceComparison): string {
  const cpu = comparison.resource === 'cpu';
  const name = `${cpu ? 'CPU' : 'Memory'} (${cpu ? 'cores' : 'MiB'})`;
  const backtest = comparison.backtest;
  if (backtest === undefined) return `${name}: no backtest: ${comparison.reason}`;
  const target = comparison.target;
  // Errors in the resource's unit: memory in bytes would be ten-digit numbers nobody compares by eye.
  const inUnit = (value: number): string =>
    Number.isFinite(value) ? (cpu ? value.toFixed(3) : (value / MIB).toFixed(1)) : '-';
  const fixed = (value: number): string => (Number.isFinite(value) ? value.toFixed(3) : '-');
  const share = (value: number | undefined): string =>
    value !== undefined && Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '-';
  const header = ['model', 'MAE', 'RMSE', 'R²', 'MASE'];
  if (target !== undefined) header.push('replicas exact', 'within one');
  const rows = backtest.candidates.map((c) => {
    const row = [
      `${c.method}${c.method === comparison.selected ? ' (chosen)' : ''}${c.failure !== undefined ? ' (failed)' : ''}`,
      inUnit(c.errors.mae),
      inUnit(c.errors.rmse),
      fixed(c.errors.r2),
      fixed(c.errors.mase),
    ];
    if (target !== undefined) row.push(share(c.replicas?.exact), share(c.replicas?.withinOne));
    return row;
  });
  const title =
    `${name}: ${backtest.lead} ahead from every ${backtest.step} of the last ${backtest.holdout}` +
    (target === undefined ? '' : `; replicas at ${target.text} per replica`);
  const failures = backtest.candidates
    .filter((c) => c.failure !== undefined)
    .map((c) => `${c.method}: ${c.failure}`);
  return [title, table([header, ...rows]), ...failures].join('\n');
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? tidy(value) : null;
}
