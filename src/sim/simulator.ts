import os from 'node:os';
import { readSettings } from '../config/settings';
import type { TriggerConfig } from '../sources/trigger-metadata';
import type { ModelFitter } from '../forecast/lifecycle/model-fitter';
import { WorkerPoolFitter } from '../forecast/lifecycle/model-fitter';
import { createDemandModel, type DemandKind } from './demand';
import { compareWithFrontier, type FrontierComparison } from './frontier';
import { HPA_DEFAULTS, HpaModel, type HpaSettings } from './hpa-model';
import { KEDA_DEFAULT_COOLDOWN_MS } from '../config/trigger-config';
import { KedaModel, kedaQuantity } from './keda-model';
import { PodModel } from './pod-model';
import { SimulatedForecast, type TrainingStats } from './simulated-forecast';
import { Scorecard, type ScoreDetails, type StrategyScore } from './score';
import {
  DEFAULT_STRATEGIES,
  Lookahead,
  OraclePolicy,
  PredictivePolicy,
  ReactivePolicy,
  type Evaluation,
  type MetricPolicy,
  type StrategySpec,
} from './strategies';
import { createTrack, type Timeline } from './timeline';
import type { Trace } from './trace';
import { TrainingPlan, TrainingPrefetcher } from './training-prefetch';
import { simulatedTrigger } from './trigger';
import { formatDuration } from '../util/duration';

export interface SimulationOptions {
  /** Target per replica, in the trace's unit (`threshold`). */
  target: number;
  /** Time from a pod's creation until it serves; also the trigger's `startupTime`. */
  startupMs: number;
  /** @default rate */
  kind?: DemandKind;
  /**
   * `queue`: work one ready replica finishes per second (a Celery worker's concurrency over its task
   * time). `target` is then the queue length per replica KEDA scales on, as a `QueueLength` trigger's
   * `value`. @default target
   */
  serviceRate?: number;
  /** KEDA `pollingInterval`. @default 30 s */
  pollingMs?: number;
  /** KEDA `cooldownPeriod`; also the trigger's `cooldownPeriod`. @default 300 s */
  cooldownMs?: number;
  /**
   * The HPA's `behavior.scaleDown.stabilizationWindowSeconds`, as the ScaledObject sets it (the Helm
   * chart's presets set their own). @default 300 s, Kubernetes' default
   */
  scaleDownWindowMs?: number;
  /**
   * The HPA's `behavior.scaleUp.tolerance` (Kubernetes 1.33+): how far above target a replica's share of
   * the metric may go before the HPA adds one. The chart's presets set 0 for predictive triggers.
   * @default 0.1, Kubernetes' default
   */
  scaleUpTolerance?: number;
  /** The HPA's `behavior.scaleDown.tolerance`. @default 0.1 */
  scaleDownTolerance?: number;
  /**
   * How far ahead the oracle knows demand. Less than the default makes it late by the difference: what
   * a perfect forecast saves for what it costs when it buys capacity that late.
   * @default startup + polling + one HPA sync (15 s), which is on time for every rise
   */
  oracleForesightMs?: number;
  /** `leadTime` as trigger metadata. @default 15m */
  leadTime?: string;
  /** @default 0 */
  minReplicas?: number;
  /** @default 100 */
  maxReplicas?: number;
  /** The server's `RETRAIN_INTERVAL`. @default 1h */
  retrainIntervalMs?: number;
  /** The server's `DRIFT_RETRAINING`: whether drift retrains the model at once. @default true */
  driftRetraining?: boolean;
  /**
   * More trigger metadata for the simulated trigger (`quantile`, `seasonality`, …). `startupTime` and
   * `cooldownPeriod` set here win over `startupMs` and `cooldownMs` for the trigger (not for the pods and
   * KEDA), to replay a trigger whose settings do not match the workload.
   */
  metadata?: Readonly<Record<string, string>>;
  /** @default DEFAULT_STRATEGIES */
  strategies?: readonly StrategySpec[];
  /** Record a timeline (for `--timeline` and `--svg`). @default false */
  timeline?: boolean;
  /**
   * Worker threads that fit the predictive strategy's models ahead of the replay (`rate` only: a `queue`
   * backlog depends on the strategy, so its models are fitted inline). Results are the same with any
   * number; 0 fits every model inline. @default os.availableParallelism() when the replay has at least
   * 24 retraining intervals, else 0
   */
  trainingWorkers?: number;
}

/** One strategy's figures. */
export interface StrategyResult extends StrategyScore, ScoreDetails {
  strategy: string;
  headroom: number;
  /** Predictive only: share of evaluations that had a usable model (the rest ran live-only). */
  modelUsedShare?: number;
  /** Predictive only: what training cost. */
  training?: TrainingStats;
  /** Wall-clock time of this strategy's replay, training included. */
  elapsedMs: number;
  /** Predictive only: its shortfall against reactive scaling with headroom at the same replica-hours. */
  frontier?: FrontierComparison;
}

export interface SimulationResult {
  results: StrategyResult[];
  timeline: Timeline | undefined;
  /** Resolution of the replay: KEDA polls, HPA syncs, startup and trace steps all fall on ticks. */
  tickMs: number;
  /** Replayed trace time. */
  durationMs: number;
  /** The trigger as the server would have parsed it. */
  trigger: TriggerConfig;
  /** How far the oracle looks ahead. */
  oracleWindowMs: number;
}

interface RunContext {
  trace: Trace;
  trigger: TriggerConfig;
  kind: DemandKind;
  target: number;
  /** Work a ready replica serves per second: `target` for `rate`, `serviceRate` for `queue`. */
  serviceRate: number;
  startupMs: number;
  pollingMs: number;
  cooldownMs: number;
  hpa: HpaSettings;
  minReplicas: number;
  maxReplicas: number;
  retrainIntervalMs: number;
  driftRetraining: boolean;
  tickMs: number;
  ticks: number;
  oracleWindowMs: number;
  timeline: Timeline | undefined;
  /** Every so many ticks a replay lets the event loop run (0: never), so worker threads get new jobs. */
  yieldEveryTicks: number;
}

/** Settings the replay cannot run with (the CLI's exit status 2). */
export class SimulationSettingsError extends Error {
  override readonly name = 'SimulationSettingsError';
}

/** The scaler's settings when nothing is set: the replay runs the server as shipped. */
const SERVER_DEFAULTS = readSettings({});

/** More ticks than this is a replay nobody wants to wait for (a 1 ms tick over a month). */
const MAX_TICKS = 50_000_000;

/** Fewer retraining intervals than this and starting worker threads costs more than it saves. */
const PREFETCH_MIN_TRAININGS = 24;

/** A millisecond or two of replay between two turns of the event loop while workers fit. */
const YIELD_EVERY_TICKS = 4096;

/**
 * Replays a trace through each strategy against the KEDA + HPA + pod model and scores them. Strategies
 * run one after another from the same start; the predictive one trains online on what it observed.
 */
export async function simulate(trace: Trace, options: SimulationOptions): Promise<SimulationResult> {
  const startupMs = Math.round(options.startupMs);
  const cooldownMs = options.cooldownMs ?? KEDA_DEFAULT_COOLDOWN_MS;
  const trigger = simulatedTrigger({
    target: String(options.target),
    startupTime: formatDuration(startupMs),
    cooldownPeriod: formatDuration(Math.round(cooldownMs)),
    ...(options.leadTime === undefined ? {} : { leadTime: options.leadTime }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
  });
  const pollingMs = options.pollingMs ?? 30_000;
  const tickMs = [trace.stepMs, pollingMs, HPA_DEFAULTS.syncMs, startupMs].reduce(gcd);
  const durationMs = trace.values.length * trace.stepMs;
  const ticks = durationMs / tickMs;
  if (ticks > MAX_TICKS) {
    throw new SimulationSettingsError(
      `the replay would take ${ticks} ticks of ${tickMs} ms; use whole seconds for startup and polling`,
    );
  }
  const foresight = options.oracleForesightMs;
  if (foresight !== undefined && !(Number.isFinite(foresight) && foresight >= 0)) {
    throw new SimulationSettingsError(`the oracle's foresight must be 0 ms or more, got ${foresight}`);
  }
  const kind = options.kind ?? 'rate';
  if (options.serviceRate !== undefined && kind !== 'queue') {
    throw new SimulationSettingsError(
      'a service rate is for queue replays: a rate replay serves target per replica',
    );
  }
  const strategies = options.strategies ?? DEFAULT_STRATEGIES;
  const rowStepMs = Math.min(trace.stepMs, 60_000);
  const rows = Math.ceil(durationMs / rowStepMs);
  const timeline: Timeline | undefined = options.timeline
    ? {
        startMs: trace.startMs,
        rowStepMs,
        target: options.target,
        demand: Float64Array.from({ length: rows }, (_, r) => sampleAt(trace, trace.startMs + r * rowStepMs)),
        strategies: [],
      }
    : undefined;
  const context: RunContext = {
    trace,
    trigger,
    kind,
    target: options.target,
    serviceRate: options.serviceRate ?? options.target,
    startupMs,
    pollingMs,
    cooldownMs,
    hpa: {
      ...HPA_DEFAULTS,
      scaleDownStabilisationMs: options.scaleDownWindowMs ?? HPA_DEFAULTS.scaleDownStabilisationMs,
      scaleUpTolerance: options.scaleUpTolerance ?? HPA_DEFAULTS.scaleUpTolerance,
      scaleDownTolerance: options.scaleDownTolerance ?? HPA_DEFAULTS.scaleDownTolerance,
    },
    minReplicas: options.minReplicas ?? 0,
    maxReplicas: options.maxReplicas ?? 100,
    retrainIntervalMs: options.retrainIntervalMs ?? SERVER_DEFAULTS.retrainIntervalMs,
    driftRetraining: options.driftRetraining ?? SERVER_DEFAULTS.driftRetraining,
    tickMs,
    ticks,
    // A demand rise is met on time only if the poll or sync that sees it comes `startup` before it, and
    // polls and syncs come every `polling` / 15 s: looking further by one of each makes that certain.
    oracleWindowMs: foresight ?? startupMs + pollingMs + HPA_DEFAULTS.syncMs,
    timeline,
    yieldEveryTicks: 0,
  };
  const workers = trainingWorkers(context, strategies, options.trainingWorkers);
  // Two jobs per worker: one finishing goes straight on to the next while this thread is busy replaying.
  const pool = workers > 0 ? new WorkerPoolFitter(workers, 2) : undefined;
  if (pool) context.yieldEveryTicks = YIELD_EVERY_TICKS;
  // Every predictive strategy's trainings start now, so the workers fit while the other strategies replay.
  const prefetchers = strategies.map((spec) => {
    if (!pool || spec.kind !== 'predictive') return undefined;
    const prefetcher = new TrainingPrefetcher(trainingPlan(context), pool, 4 * workers);
    prefetcher.start();
    return prefetcher;
  });
  const results: StrategyResult[] = [];
  try {
    for (const [i, spec] of strategies.entries()) {
      const prefetcher = prefetchers[i];
      const result = await runStrategy(context, spec, prefetcher?.fitter);
      if (prefetcher) {
        prefetcher.stop();
        if (result.training) {
          result.training.prefetchHits = prefetcher.fitter.stats.hits;
          result.training.prefetchMisses = prefetcher.fitter.stats.misses;
        }
      }
      results.push(result);
    }
  } finally {
    for (const prefetcher of prefetchers) prefetcher?.stop();
    await pool?.close();
  }
  compareWithHeadroom(strategies, results);
  return { results, timeline, tickMs, durationMs, trigger, oracleWindowMs: context.oracleWindowMs };
}

/** Sets each predictive strategy's `frontier`: the reactive strategies are the headroom points. */
function compareWithHeadroom(strategies: readonly StrategySpec[], results: StrategyResult[]): void {
  const points = results.filter((_, i) => strategies[i]?.kind === 'reactive');
  for (const [i, spec] of strategies.entries()) {
    const result = results[i];
    if (spec.kind === 'predictive' && result) result.frontier = compareWithFrontier(points, result);
  }
}

/** How many worker threads prefetch training: none for `queue`, nor without a predictive strategy. */
function trainingWorkers(
  context: RunContext,
  strategies: readonly StrategySpec[],
  requested: number | undefined,
): number {
  if (context.kind !== 'rate' || !strategies.some((s) => s.kind === 'predictive')) return 0;
  if (requested !== undefined) return Math.max(0, Math.floor(requested));
  const trainings = (context.ticks * context.tickMs) / context.retrainIntervalMs;
  return trainings >= PREFETCH_MIN_TRAININGS ? os.availableParallelism() : 0;
}

/** The trainings a `rate` replay will ask for, worked out from the trace and the poll and sync periods. */
function trainingPlan(context: RunContext): TrainingPlan {
  const { trace, tickMs } = context;
  return new TrainingPlan(
    trace.values,
    trace.stepMs,
    {
      startMs: trace.startMs,
      tickMs,
      ticks: context.ticks,
      pollEvery: context.pollingMs / tickMs,
      syncEvery: HPA_DEFAULTS.syncMs / tickMs,
    },
    context.trigger,
    {
      retrainIntervalMs: context.retrainIntervalMs,
      trainingLockTtlMs: SERVER_DEFAULTS.trainingLockTtlMs,
      endMs: trace.startMs + trace.values.length * trace.stepMs,
    },
  );
}

async function runStrategy(
  context: RunContext,
  spec: StrategySpec,
  fitter: ModelFitter | undefined,
): Promise<StrategyResult> {
  const started = performance.now();
  const { trace, tickMs, target, timeline } = context;
  const { policy, predictive } = createPolicy(context, spec, fitter);
  const keda = new KedaModel({
    pollingMs: context.pollingMs,
    cooldownMs: context.cooldownMs,
    minReplicas: context.minReplicas,
    maxReplicas: context.maxReplicas,
  });
  const hpa = new HpaModel(context.hpa);
  const pods = new PodModel(context.startupMs);
  const demand = createDemandModel(context.kind);
  const score = new Scorecard();
  const track = timeline && createTrack(spec.name, timeline.demand.length, context.kind === 'queue');
  if (track && timeline) timeline.strategies.push(track);

  const ticksPerSample = trace.stepMs / tickMs;
  const pollEvery = context.pollingMs / tickMs;
  const syncEvery = HPA_DEFAULTS.syncMs / tickMs;
  const rowEvery = timeline ? timeline.rowStepMs / tickMs : 0;
  const tickSeconds = tickMs / 1000;

  // Warm start: the replay begins as if KEDA and the HPA had been running on this load for a while.
  const t0 = trace.startMs;
  let decision: Evaluation = policy.evaluate(t0, demand.live(trace.values[0] as number));
  let decidedAt = t0;
  let replicas = steadyReplicas(decision, context);
  pods.seed(t0, replicas);
  if (decision.active) keda.markActive(t0);

  const yieldEvery = context.yieldEveryTicks;
  for (let k = 0; k < context.ticks; k++) {
    // Lets the worker threads' answers in, so they are handed their next jobs; changes nothing else.
    if (yieldEvery > 0 && k > 0 && k % yieldEvery === 0)
      await new Promise((resolve) => setImmediate(resolve));
    const t = t0 + k * tickMs;
    const rate = trace.values[Math.floor(k / ticksPerSample)] as number;
    const poll = k % pollEvery === 0;
    const syncTick = k % syncEvery === 0;
    if ((poll || (syncTick && replicas > 0)) && decidedAt !== t) {
      decision = policy.evaluate(t, demand.live(rate));
      decidedAt = t;
    }
    if (poll) {
      const set = keda.poll(t, decision.active, replicas);
      if (set !== undefined && set !== replicas) {
        replicas = set;
        pods.scaleTo(t, replicas);
        score.scaleAction();
      }
    }
    if (syncTick && replicas > 0) {
      if (decidedAt !== t) {
        decision = policy.evaluate(t, demand.live(rate));
        decidedAt = t;
      }
      const desired = hpa.sync(
        t,
        kedaQuantity(decision.value),
        target,
        replicas,
        keda.hpaMinReplicas,
        keda.hpaMaxReplicas,
      );
      if (desired !== replicas) {
        replicas = desired;
        pods.scaleTo(t, replicas);
        score.scaleAction();
      }
    }
    if (policy.backgroundDue?.(t) && policy.background) await policy.background(t);

    const ready = pods.ready(t);
    const outcome = demand.serve(rate, ready, context.serviceRate, tickSeconds);
    score.tick(outcome, ready, replicas, tickSeconds);
    if (track && k % rowEvery === 0) {
      const row = k / rowEvery;
      track.desired[row] = replicas;
      track.ready[row] = ready;
      if (track.backlog) track.backlog[row] = demand.backlog;
    }
  }

  const { score: figures, details } = score.finish(
    predictive ? predictive.forecastMase() : null,
    context.kind === 'queue' ? demand.backlogIntegral : undefined,
  );
  const result: StrategyResult = {
    strategy: spec.name,
    ...figures,
    headroom: spec.headroom,
    ...details,
    elapsedMs: performance.now() - started,
  };
  if (predictive) {
    result.modelUsedShare =
      predictive.evaluations > 0 ? predictive.evaluationsWithModel / predictive.evaluations : 0;
    result.training = { ...predictive.forecast.stats };
  }
  return result;
}

function createPolicy(
  context: RunContext,
  spec: StrategySpec,
  fitter: ModelFitter | undefined,
): { policy: MetricPolicy; predictive?: PredictivePolicy } {
  const { trigger, trace } = context;
  switch (spec.kind) {
    case 'reactive':
      return { policy: new ReactivePolicy(trigger, spec.headroom) };
    case 'predictive': {
      const forecast = new SimulatedForecast({
        retrainIntervalMs: context.retrainIntervalMs,
        driftRetraining: context.driftRetraining,
        ...(fitter ? { fitter } : {}),
      });
      const predictive = new PredictivePolicy(trigger, forecast);
      return { policy: predictive, predictive };
    }
    case 'oracle':
      return {
        policy: new OraclePolicy(
          trigger,
          new Lookahead(trace.values, trace.startMs, trace.stepMs, context.oracleWindowMs),
          spec.headroom,
          // Arrivals per second in replicas' worth of the metric: a replica keeps up with serviceRate.
          context.target / context.serviceRate,
        ),
      };
  }
}

/** What KEDA and the HPA settle on for a steady metric: the replay's starting point. */
function steadyReplicas(decision: Evaluation, context: RunContext): number {
  if (!decision.active && context.minReplicas === 0) return 0;
  const wanted = Math.ceil(kedaQuantity(decision.value) / context.target - 1e-9);
  return Math.min(context.maxReplicas, Math.max(1, context.minReplicas, wanted));
}

function sampleAt(trace: Trace, atMs: number): number {
  const index = Math.floor((atMs - trace.startMs) / trace.stepMs);
  return trace.values[Math.min(trace.values.length - 1, Math.max(0, index))] as number;
}

function gcd(a: number, b: number): number {
  let x = Math.abs(Math.round(a));
  let y = Math.abs(Math.round(b));
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
