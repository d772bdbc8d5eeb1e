import type { Logger } from 'pino';
import { ForecastInputError } from '../forecast/errors';
import { historySpec, modelKey } from '../forecast/lifecycle/model-key';
import { MODEL_FORMAT_VERSION } from '../forecast/model-state';
import type { TrainedModel } from '../forecast/types';
import { ApiError } from '../metrics/http-api-error';
import type { TriggerConfig } from '../sources/trigger-metadata';
import type { ModelRecord, StateStore } from '../store/state-store';
import { ForecastRangeError, forecastThrough } from './long-forecast';
import { planWindows, type WindowPlan } from './plan';
import type { CapacityWindow } from './windows';

export interface WindowPlannerDeps {
  store: StateStore;
  clock: () => number;
  logger: Logger;
  /** `Retry-After` for a signal whose model is not trained yet. */
  retryAfterSeconds: number;
}

/** Forecasts kept for reuse; each stays valid until its signal's next sample slot. */
const MAX_CACHED_PLANS = 64;

/**
 * A capacity window's forecast for a signal (a trigger KEDA polls, or a workload's CPU or memory), from
 * the stored model and history, with the API's answers for what is missing: 503 with `Retry-After` while
 * no model is trained, for a model of an older format, and while the store does not answer. `name` is how
 * the messages call the signal.
 */
export class WindowPlanner {
  private readonly cache = new Map<string, WindowPlan>();

  constructor(private readonly deps: WindowPlannerDeps) {}

  async currentModel(config: TriggerConfig, name: string): Promise<ModelRecord<TrainedModel>> {
    const { current } = await this.fromStore(() => this.deps.store.getModels<TrainedModel>(modelKey(config)));
    if (!current) throw this.notTrained(name);
    if (current.model.formatVersion !== MODEL_FORMAT_VERSION) {
      throw new ApiError(
        503,
        `the stored model of ${name} has an older format; it is retrained on the next schedule`,
        { status: 'retraining' },
        this.retryAfter(),
      );
    }
    return current;
  }

  /**
   * The window's forecast, from the cache while no new sample has arrived: a month at 1-minute samples
   * takes a fraction of a second of CPU on the thread that also answers KEDA, and dashboards poll.
   */
  async plan(
    config: TriggerConfig,
    current: ModelRecord<TrainedModel>,
    window: CapacityWindow,
    timezone: string,
    name: string,
  ): Promise<WindowPlan> {
    const model = current.model;
    const now = this.deps.clock();
    const spec = historySpec(config);
    const cacheKey = [
      modelKey(config),
      current.version,
      window,
      timezone,
      Math.floor(now / spec.stepMs),
    ].join('|');
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const history = await this.fromStore(() =>
      this.deps.store.readHistory(config.signalId, spec, model.window.fromMs, now + spec.stepMs),
    );
    let plan: WindowPlan;
    try {
      [plan] = planWindows({ model, history, timezone, nowMs: now }, [window]) as [WindowPlan];
    } catch (error) {
      if (error instanceof ForecastRangeError || error instanceof ForecastInputError) {
        throw new ApiError(503, `cannot forecast ${name}: ${error.message}`, {}, this.retryAfter());
      }
      throw error;
    }
    if (this.cache.size >= MAX_CACHED_PLANS) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(cacheKey, plan);
    return plan;
  }

  /** The forecast at one instant after the newest sample: mean and the model's interval. */
  async pointAt(
    config: TriggerConfig,
    current: ModelRecord<TrainedModel>,
    atMs: number,
    name: string,
  ): Promise<{ mean: number; lower: number; upper: number }> {
    const model = current.model;
    const now = this.deps.clock();
    const spec = historySpec(config);
    const history = await this.fromStore(() =>
      this.deps.store.readHistory(config.signalId, spec, model.window.fromMs, now + spec.stepMs),
    );
    try {
      const forecast = forecastThrough(model, history, atMs + model.stepMs);
      if (atMs < forecast.fromMs) {
        throw new ApiError(
          400,
          `at ${new Date(atMs).toISOString()} is not after the newest sample of ${name} ` +
            `(${new Date(forecast.lastSampleMs).toISOString()}): ask for a time to come`,
        );
      }
      const index = Math.min(
        forecast.mean.length - 1,
        Math.floor((atMs - forecast.fromMs) / forecast.stepMs),
      );
      return {
        mean: forecast.mean[index] as number,
        lower: forecast.lower[index] as number,
        upper: forecast.upper[index] as number,
      };
    } catch (error) {
      if (error instanceof ForecastRangeError || error instanceof ForecastInputError) {
        throw new ApiError(503, `cannot forecast ${name}: ${error.message}`, {}, this.retryAfter());
      }
      throw error;
    }
  }

  notTrained(name: string): ApiError {
    return new ApiError(
      503,
      `no model of ${name} yet: it is trained in the background once there is enough history ` +
        '(Prometheus and GPU triggers backfill historyWindow on first use; RabbitMQ triggers need about an hour ' +
        'of samples)',
      { status: 'not_trained' },
      this.retryAfter(),
    );
  }

  retryAfter(): Record<string, string> {
    return { 'retry-after': String(this.deps.retryAfterSeconds) };
  }

  /** Store failures answer 503: the API is read-mostly and the next try may find Redis back. */
  async fromStore<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ApiError) throw error;
      this.deps.logger.warn({ err: error }, 'capacity API could not read the state store');
      throw new ApiError(
        503,
        `the state store is not answering: ${(error as Error).message}`,
        {},
        this.retryAfter(),
      );
    }
  }
}
