import type { TriggerConfig } from '../sources/trigger-metadata';
import type { ForecastPort, ForecastView } from '../forecast/port/forecast-port';
import type { Reading } from '../sources/source';
import { decide, type Decision } from './decide';
import { LeadErrorTracker } from './lead-error-tracker';
import { ShortfallController } from './shortfall-controller';

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

  /**
   * @param leadErrorWindow how many scored predictions the rolling lead-time error spans
   *   (see LeadErrorTracker); the simulator scores over the whole replay.
   */
  constructor(
    private readonly config: TriggerConfig,
    private readonly forecast: ForecastPort,
    leadErrorWindow?: number,
  ) {
    this.leadError =
      config.leadTimeMs > 0
        ? new LeadErrorTracker(config.leadTimeMs, config.sampleIntervalMs, leadErrorWindow)
        : undefined;
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
   * source fails) is decided on but never learned from or scored.
   */
  run(reading: Reading, stale: boolean, nowMs: number): StepResult {
    const { config } = this;
    if (!stale) this.forecast.observe(config, reading);
    const view = config.predictive === 'false' ? undefined : this.forecast.view(config, nowMs);
    const forecast = view && this.shortfall ? this.withLearnedBound(view, this.shortfall) : view;
    const decision = decide(config, {
      live: reading.value,
      activity: reading.activity,
      liveIsStale: stale,
      forecast,
      nowMs,
    });
    if (!stale && this.leadError) {
      this.leadError.observe(nowMs, reading.value);
      if (forecast) this.leadError.record(nowMs, forecast.meanAtLead, reading.value);
    }
    if (!stale && this.shortfall) {
      this.shortfall.observe(nowMs, reading.value);
      // Scored is what was asked for before the business-hours multiplier: the multiplier is a
      // deliberate extra the controller must not learn away.
      if (forecast) this.shortfall.record(nowMs, Math.max(reading.value, forecast.peakWhenReady));
    }
    return { decision, forecast };
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
}
