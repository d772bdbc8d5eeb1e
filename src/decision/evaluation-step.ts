import type { TriggerConfig } from '../sources/trigger-metadata';
import type { ForecastPort, ForecastView } from '../forecast/port/forecast-port';
import type { Reading } from '../sources/source';
import { decide, type Decision } from './decide';
import { LeadErrorTracker } from './lead-error-tracker';

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
  }

  /**
   * Decides on `reading`, taken at `nowMs`. A stale reading (the last good value, served while the
   * source fails) is decided on but never learned from or scored.
   */
  run(reading: Reading, stale: boolean, nowMs: number): StepResult {
    const { config } = this;
    if (!stale) this.forecast.observe(config, reading);
    const forecast = config.predictive === 'false' ? undefined : this.forecast.view(config, nowMs);
    const decision = decide(config, { live: reading.value, liveIsStale: stale, forecast, nowMs });
    if (!stale && this.leadError) {
      this.leadError.observe(nowMs, reading.value);
      if (forecast) this.leadError.record(nowMs, forecast.meanAtLead, reading.value);
    }
    return { decision, forecast };
  }

  /** The rolling forecast error at the lead over that of "it stays as it is now"; undefined until scored. */
  leadMase(): number | undefined {
    return this.leadError?.mase();
  }
}
