import { createHash } from 'node:crypto';
import { serialize } from 'node:v8';
import type { TriggerConfig } from '../sources/trigger-metadata';
import { historySpec, trainingOptions } from '../forecast/lifecycle/model-key';
import { inlineFitter, type ModelFitter } from '../forecast/lifecycle/model-fitter';
import {
  LIFECYCLE_DEFAULTS,
  retryDelayMs,
  type TrainingSchedule,
} from '../forecast/lifecycle/training-schedule';
import type { RegularSeries, TrainedModel, TrainingOptions } from '../forecast/types';
import { decisionTrainingOptions } from './simulated-forecast';

/**
 * Everything `trainModel(history, options, nowMs)` reads, as one string: `nowMs`, then a SHA-256 of the
 * history (start, step and the exact bits of every value) and of the options (as a worker receives
 * them). Equal keys mean equal inputs, so the same model. Undefined when a value is not a number (a
 * sparse or mixed array): such inputs are never looked up, so they are always fitted inline.
 */
export function fitKey(history: RegularSeries, options: TrainingOptions, nowMs: number): string | undefined {
  const values = history.values;
  const bits = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number') return undefined;
    // NaN payloads are invisible to the numerics; one NaN for all of them.
    bits[i] = value === value ? value : NaN;
  }
  const hash = createHash('sha256');
  hash.update(serialize([history.startMs, history.stepMs, values.length, options]));
  hash.update(new Uint8Array(bits.buffer));
  return `${nowMs}:${hash.digest('hex')}`;
}

/** Where prefetched fits run: `WorkerPoolFitter`, or anything that fits and can withdraw a queued job. */
export interface PrefetchPool {
  fit(
    history: RegularSeries,
    options: TrainingOptions,
    nowMs: number,
    signal?: AbortSignal,
  ): Promise<TrainedModel>;
}

type Settled = { model: TrainedModel } | { error: unknown };

interface Prefetched {
  settled: Promise<Settled>;
  abort: AbortController;
}

/**
 * A `ModelFitter` that answers from fits started ahead of time. `prefetch` starts a fit on the pool
 * under its key (`fitKey`); `fit` looks its own inputs' key up and, on a hit, returns that fit's model.
 * A miss, or a prefetched fit that failed (a training error, a crashed worker), is fitted inline by
 * `fallback`, so what `fit` returns never depends on what was prefetched: a wrong guess costs time only.
 */
export class PrefetchingFitter implements ModelFitter {
  readonly stats = { prefetched: 0, hits: 0, misses: 0 };
  /** Told of every fit, after the look-up: the prefetcher plans its next guesses from it. */
  onFit: ((nowMs: number, key: string | undefined, hit: boolean) => void) | undefined;
  private readonly entries = new Map<string, Prefetched>();

  constructor(
    private readonly pool: PrefetchPool,
    private readonly fallback: ModelFitter = inlineFitter,
  ) {}

  /**
   * Starts fitting these inputs on the pool; `settled` is called once that fit is done (or withdrawn).
   * Returns its key, or undefined when nothing was started (inputs that cannot be keyed, or already
   * prefetched and not taken yet).
   */
  prefetch(
    history: RegularSeries,
    options: TrainingOptions,
    nowMs: number,
    settled?: () => void,
  ): string | undefined {
    const key = fitKey(history, options, nowMs);
    if (key === undefined || this.entries.has(key)) return undefined;
    const abort = new AbortController();
    const result = this.pool.fit(history, options, nowMs, abort.signal).then(
      (model): Settled => ({ model }),
      (error: unknown): Settled => ({ error }),
    );
    if (settled) void result.then(settled);
    this.entries.set(key, { settled: result, abort });
    this.stats.prefetched++;
    return key;
  }

  /** Prefetched fits not yet taken. */
  get pending(): number {
    return this.entries.size;
  }

  async fit(history: RegularSeries, options: TrainingOptions, nowMs: number): Promise<TrainedModel> {
    const key = fitKey(history, options, nowMs);
    const entry = key === undefined ? undefined : this.entries.get(key);
    if (entry) {
      this.entries.delete(key as string);
      this.stats.hits++;
    } else {
      this.stats.misses++;
    }
    this.onFit?.(nowMs, key, entry !== undefined);
    if (entry) {
      const result = await entry.settled;
      if ('model' in result) return result.model;
    }
    return this.fallback.fit(history, options, nowMs);
  }

  /** Withdraws every prefetched fit not taken yet (those still queued never run). */
  discardAll(): void {
    for (const entry of this.entries.values()) entry.abort.abort(new Error('prefetched fit withdrawn'));
    this.entries.clear();
  }

  async close(): Promise<void> {
    this.discardAll();
  }
}

/** When KEDA polls and the HPA syncs in a replay, in ticks from its start. */
export interface ReplaySchedule {
  startMs: number;
  tickMs: number;
  ticks: number;
  pollEvery: number;
  syncEvery: number;
}

export interface TrainingPlanSettings extends TrainingSchedule {
  /** The replay's end, to size the sample buffer. */
  endMs: number;
}

/**
 * The predictive strategy's trainings on a `rate` trace, worked out before the replay. The value such
 * a replay reads is the trace's own value at that tick whatever the strategy does, and it reads at every
 * KEDA poll and at every HPA sync while it has replicas. Assuming it always has some (a deployment under
 * load), the samples the forecast service stores, the history `ModelTrainer` reads at a given time and the
 * times the server's schedule trains at all follow from the trace and the poll and sync periods.
 * A guess that turns out wrong (the replay scaled to zero and skipped a sync that would have stored a
 * sample, or a training failed and was retried sooner) only costs a prefetch miss.
 */
export class TrainingPlan {
  /** The predicted stored sample of each slot, as the float32 history store keeps it (NaN: none). */
  private readonly stored: Float32Array;
  private readonly firstSlot: number;
  private readonly stepMs: number;
  private readonly endMs: number;

  constructor(
    values: Float64Array,
    traceStepMs: number,
    private readonly schedule: ReplaySchedule,
    private readonly config: TriggerConfig,
    private readonly settings: TrainingPlanSettings,
  ) {
    this.stepMs = historySpec(config).stepMs;
    this.firstSlot = Math.floor(schedule.startMs / this.stepMs);
    const slots = Math.floor(settings.endMs / this.stepMs) - this.firstSlot + 2;
    this.stored = new Float32Array(slots).fill(NaN);
    this.endMs = schedule.startMs + schedule.ticks * schedule.tickMs;
    const ticksPerSample = traceStepMs / schedule.tickMs;
    // The first reading of each slot is its stored sample, as TriggerForecaster.observe hands it out.
    let lastSlot = -1;
    for (let k = 0; k < schedule.ticks; k++) {
      if (!this.reads(k)) continue;
      const slot = Math.floor((schedule.startMs + k * schedule.tickMs) / this.stepMs) - this.firstSlot;
      if (slot <= lastSlot || slot >= slots) continue;
      this.stored[slot] = values[Math.floor(k / ticksPerSample)] as number;
      lastSlot = slot;
    }
  }

  /** The options every training of this trigger uses, as the replay's fitter receives them. */
  get options(): TrainingOptions {
    return decisionTrainingOptions(trainingOptions(this.config));
  }

  /** The history `ModelTrainer` would read at `nowMs`: `readHistory(now - historyWindow, now)`. */
  history(nowMs: number): RegularSeries {
    const { first, count, lastRead } = this.window(nowMs);
    const values: number[] = [];
    for (let i = 0; i < count; i++) {
      const slot = first + i - this.firstSlot;
      values.push(slot >= 0 && slot <= lastRead ? (this.stored[slot] as number) : NaN);
    }
    return { startMs: first * this.stepMs, stepMs: this.stepMs, values };
  }

  /** The first training that gets past the minimum of samples (the attempts before are skipped). */
  firstFit(): number | undefined {
    const gap = retryDelayMs('skipped', this.settings);
    for (
      let at: number | undefined = this.schedule.startMs;
      at !== undefined;
      at = this.tickAtOrAfter(at + gap)
    ) {
      if (this.samples(at) >= LIFECYCLE_DEFAULTS.minSamples) return at;
    }
    return undefined;
  }

  /** The training after one at `nowMs` that saved or kept a model: a whole interval later. */
  nextFit(nowMs: number): number | undefined {
    return this.tickAtOrAfter(nowMs + this.settings.retrainIntervalMs);
  }

  /** The slots `readHistory` covers at `nowMs` (absolute), and the last one read by then (from the first). */
  private window(nowMs: number): { first: number; count: number; lastRead: number } {
    const step = this.stepMs;
    const first = Math.floor((nowMs - this.config.historyWindowMs) / step);
    const count = Math.max(0, Math.ceil((nowMs - first * step) / step));
    return { first, count, lastRead: this.lastReadSlot(nowMs) };
  }

  /** The finite values of `history(nowMs)`, counted without building it. */
  private samples(nowMs: number): number {
    const { first, count, lastRead } = this.window(nowMs);
    const to = Math.min(lastRead, first + count - 1 - this.firstSlot);
    let samples = 0;
    for (let slot = Math.max(0, first - this.firstSlot); slot <= to; slot++) {
      if (Number.isFinite(this.stored[slot] as number)) samples++;
    }
    return samples;
  }

  private reads(tick: number): boolean {
    return tick % this.schedule.pollEvery === 0 || tick % this.schedule.syncEvery === 0;
  }

  /** The slot of the last reading at or before `nowMs`, from the first slot. */
  private lastReadSlot(nowMs: number): number {
    const { startMs, tickMs, pollEvery, syncEvery } = this.schedule;
    const tick = Math.floor((nowMs - startMs) / tickMs);
    if (tick < 0) return -1;
    const last = Math.max(Math.floor(tick / pollEvery) * pollEvery, Math.floor(tick / syncEvery) * syncEvery);
    const slot = Math.floor((startMs + last * tickMs) / this.stepMs) - this.firstSlot;
    return Math.min(slot, this.stored.length - 1);
  }

  /** The replay's first tick at or after `atMs`; undefined past its end. */
  private tickAtOrAfter(atMs: number): number | undefined {
    const { startMs, tickMs } = this.schedule;
    const at = startMs + Math.ceil((atMs - startMs) / tickMs) * tickMs;
    return at < this.endMs ? at : undefined;
  }
}

/**
 * Keeps the pool busy with the plan's trainings, in time order and a few ahead of what it has finished,
 * and follows the replay: a training at a time the plan did not expect (a failed one is retried a
 * minute later) moves the plan there; one at an expected time whose inputs differ from the guess means
 * the plan's assumption does not hold for this replay, and the rest is trained inline.
 */
export class TrainingPrefetcher {
  readonly fitter: PrefetchingFitter;
  private readonly expected = new Map<number, string>();
  private next: number | undefined;
  private inFlight = 0;
  private stopped = false;

  constructor(
    private readonly plan: TrainingPlan,
    pool: PrefetchPool,
    /** Fits queued or running at once; finished ones wait, a few kilobytes each. */
    private readonly depth: number,
  ) {
    this.fitter = new PrefetchingFitter(pool);
    this.fitter.onFit = (nowMs, key, hit) => this.followed(nowMs, key, hit);
  }

  start(): void {
    this.next = this.plan.firstFit();
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    this.fitter.discardAll();
    this.expected.clear();
  }

  private pump(): void {
    const options = this.plan.options;
    while (!this.stopped && this.inFlight < this.depth && this.next !== undefined) {
      const at = this.next;
      this.next = this.plan.nextFit(at);
      this.inFlight++;
      const key = this.fitter.prefetch(this.plan.history(at), options, at, () => {
        this.inFlight--;
        this.pump();
      });
      if (key === undefined) this.inFlight--;
      else this.expected.set(at, key);
    }
  }

  private followed(nowMs: number, key: string | undefined, hit: boolean): void {
    const expected = this.expected.get(nowMs);
    this.expected.delete(nowMs);
    if (hit || this.stopped) return;
    if (expected !== undefined && expected !== key) {
      this.stop();
      return;
    }
    // The replay trains at a time the plan did not expect: plan again from there.
    this.fitter.discardAll();
    this.expected.clear();
    this.next = this.plan.nextFit(nowMs);
    this.pump();
  }
}
