import type { TriggerConfig } from '../sources/trigger-metadata';
import type { ForecastPort, ForecastView } from '../forecast/port/forecast-port';
import type { Reading } from '../sources/source';
import { decide, type Decision } from './decide';
import { DRIFT_RULE, DriftDetector } from './drift-detector';
import { LeadErrorTracker } from './lead-error-tracker';
import { ShortfallController } from './shortfall-controller';
import { SleepEstimate } from './sleep-estimate';

/** What one step made of a reading: the decision and the forecast it saw. */
export interface StepResult {
  decision: Decision;
  forecast: ForecastView | undefined;
}

/**
 * One evaluation of one trigger, after its live value is known: observe → view → decide → record. The
 * server's `TriggerEvaluator` and the simulator's predictive strategy both run it, so a replay makes the
 * decisions the server would make on the same readings at the same times.
 */
export class EvaluationStep {
  private readonly leadError: LeadErrorTracker | undefined;
  private readonly shortfall: ShortfallController | undefined;
  private readonly drift: DriftDetector | undefined;
  private readonly sleep: SleepEstimate;
  private degradedNow = false;
  /** When the model behind the last view was trained: a view of another one starts its own score. */
  private modelTrainedAtMs: number | undefined;

  /**
   * @param leadErrorWindow how many scored predictions the rolling lead-time error spans (see
   *   LeadErrorTracker); the drift rule reads the same window, so only tests change it.
   * @param driftWindowMs how long the error must stay above the drift threshold before it counts
   *   (`DRIFT_WINDOW` on the server; the simulator keeps the default).
   */
  constructor(
    private readonly config: TriggerConfig,
    private readonly forecast: ForecastPort,
    leadErrorWindow?: number,
    driftWindowMs: number = DRIFT_RULE.sustainMs,
  ) {
    this.leadError =
      config.leadTimeMs > 0
        ? new LeadErrorTracker(config.leadTimeMs, config.sampleIntervalMs, leadErrorWindow)
        : undefined;
    this.drift = this.leadError ? new DriftDetector(driftWindowMs) : undefined;
    this.sleep = new SleepEstimate(config.cooldownPeriodMs);
    this.shortfall =
      config.shortfallTarget === undefined
        ? undefined
        : new ShortfallController({
            target: config.shortfallTarget,
            leadMs: config.startupTimeMs,
            minSpacingMs: config.sampleIntervalMs,
            perReplica: config.target,
          });
  }

  /**
   * Decides on `reading`, taken at `nowMs`. A stale reading (the last good value, served while the
   * source fails) is decided on but never learned from or scored. `startupTimeMs` is the start-up time
   * capacity is bought for: the config's, or the one `startupTimeQuery` measured.
   */
  run(
    reading: Reading,
    stale: boolean,
    nowMs: number,
    startupTimeMs = this.config.startupTimeMs,
  ): StepResult {
    const { config } = this;
    if (!stale) this.forecast.observe(config, reading);
    const windows = startupTimeMs === config.startupTimeMs ? config : { ...config, startupTimeMs };
    const view = config.predictive === 'false' ? undefined : this.forecast.view(config, nowMs, windows);
    const forecast = view && this.shortfall ? this.withLearnedBound(view, this.shortfall) : view;
    const decision = decide(config, {
      live: reading.value,
      activity: reading.activity,
      liveIsStale: stale,
      forecast,
      nowMs,
      asleep: this.sleep.asleep(nowMs),
    });
    this.sleep.record(nowMs, decision.active);
    if (!stale && this.leadError) {
      this.leadError.observe(nowMs, reading.value);
      if (forecast) {
        this.noticeModel(forecast, this.leadError);
        this.leadError.record(nowMs, forecast.meanAtLead, reading.value);
      }
      if (this.drift) this.judgeDrift(nowMs, forecast, this.leadError, this.drift);
    }
    if (!stale && this.shortfall) {
      this.shortfall.observe(nowMs, reading.value);
      // Scored is what was asked for before the business-hours multiplier: the multiplier is a
      // deliberate extra the controller must not learn away.
      if (forecast)
        this.shortfall.record(nowMs, Math.max(reading.value, forecast.peakWhenReady), startupTimeMs);
    }
    return { decision, forecast };
  }

  /**
   * A new model (a scheduled retraining, a drift one, another replica's) is judged on its own forecasts:
   * it promised nothing about those of the model before it. Until its first prediction comes due the drift
   * rule has nothing to judge, so its hour starts afresh.
   */
  private noticeModel(forecast: ForecastView, leadError: LeadErrorTracker): void {
    if (forecast.modelTrainedAtMs === this.modelTrainedAtMs) return;
    this.modelTrainedAtMs = forecast.modelTrainedAtMs;
    leadError.newModel();
  }

  /**
   * Runs the drift rule on the current model's rolling error and its backtest promise, and asks the
   * forecast to retrain when it says so. Only a forecast in use is judged: without a view nothing is
   * promised.
   */
  private judgeDrift(
    nowMs: number,
    forecast: ForecastView | undefined,
    leadError: LeadErrorTracker,
    drift: DriftDetector,
  ): void {
    const liveMase = forecast ? leadError.modelMase() : undefined;
    const backtestMase = forecast?.backtestLeadRatio;
    const judgement = drift.observe(nowMs, liveMase, backtestMase);
    this.degradedNow = judgement.degraded;
    if (!judgement.retrain || liveMase === undefined || backtestMase === undefined) return;
    this.forecast.retrain?.(this.config, {
      liveMase,
      backtestMase,
      threshold: judgement.threshold as number,
    });
  }

  /** The view with its capacity bound set by the shortfall controller (the `quantile` band rescaled). */
  private withLearnedBound(view: ForecastView, shortfall: ShortfallController): ForecastView {
    return { ...view, peakWhenReady: shortfall.bound(view.meanWhenReady, view.peakWhenReady) };
  }

  /** How many times the `quantile` band's width the capacity bound is, with a `shortfallTarget`. */
  widthFactor(): number | undefined {
    return this.shortfall?.widthFactor();
  }

  /** The rolling forecast error at the lead over that of "it stays as it is now"; undefined until scored. */
  leadMase(): number | undefined {
    return this.leadError?.mase();
  }

  /** The same ratio over every prediction scored since this step was made (what a replay reports). */
  leadMaseSinceStart(): number | undefined {
    return this.leadError?.maseSinceStart();
  }

  /**
   * Whether the forecast has drifted (`DriftDetector`): the model's rolling error stayed above what its
   * backtest promised for the rule's whole period, and no score since (its successor's included) has
   * been back under it. Undefined for a trigger with no lead time to judge.
   */
  degraded(): boolean | undefined {
    return this.drift ? this.degradedNow : undefined;
  }
}
