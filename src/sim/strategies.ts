import type { TriggerConfig } from '../sources/trigger-metadata';
import { decide, type Decision } from '../decision/decide';
import { EvaluationStep } from '../decision/evaluation-step';
import type { SimulatedForecast } from './simulated-forecast';

/** How a strategy turns the live signal into what KEDA receives. */
export type StrategyKind = 'reactive' | 'predictive' | 'oracle';

export interface StrategySpec {
  /** Name in the output (`strategy` field, timeline columns). */
  name: string;
  kind: StrategyKind;
  /** Extra capacity asked for on top of the metric (0.1 = 10 %); reactive and oracle strategies. */
  headroom: number;
}

/**
 * The headroom points of the equal-cost frontier (docs/simulator.md, "The frontier"): 0 to 100 % more
 * capacity than the metric asks for. Denser below 30 %, where a predictive scaler's extra cost usually
 * falls; each point is one more replay without training, so a few seconds on months of data.
 */
export const FRONTIER_HEADROOMS: readonly number[] = [0, 0.1, 0.2, 0.3, 0.5, 0.75, 1];

/** `reactive` for no headroom, else `reactive-headroom-NN` with NN in percent. */
export function reactiveStrategy(headroom: number): StrategySpec {
  const name = headroom === 0 ? 'reactive' : `reactive-headroom-${Math.round(headroom * 100)}`;
  return { name, kind: 'reactive', headroom };
}

/**
 * The comparison docs/simulator.md describes: KEDA alone and with 10 to 100 % more capacity (the
 * equal-cost frontier), this scaler, and perfect foresight.
 */
export const DEFAULT_STRATEGIES: readonly StrategySpec[] = [
  ...FRONTIER_HEADROOMS.map(reactiveStrategy),
  { name: 'predictive', kind: 'predictive', headroom: 0 },
  { name: 'oracle', kind: 'oracle', headroom: 0 },
];

/** What one scaler evaluation answers: GetMetrics' value and IsActive's result. */
export interface Evaluation {
  value: number;
  active: boolean;
}

/** A strategy at run time: one evaluation per KEDA poll / HPA sync, plus background work. */
export interface MetricPolicy {
  evaluate(nowMs: number, live: number): Evaluation;
  /** Background work (model training) due at `nowMs`. */
  backgroundDue?(nowMs: number): boolean;
  background?(nowMs: number): Promise<void>;
}

/**
 * KEDA alone on the same source: the metric is the live value (with headroom, the live value ×
 * (1 + headroom), i.e. a threshold lowered by that factor); active when live exceeds the activation level.
 * It goes through `decide` with no forecast, which is exactly what a live-only trigger answers.
 */
export class ReactivePolicy implements MetricPolicy {
  constructor(
    private readonly config: TriggerConfig,
    private readonly headroom: number,
  ) {}

  evaluate(nowMs: number, live: number): Evaluation {
    const decision = decide(this.config, { live, liveIsStale: false, forecast: undefined, nowMs });
    return { value: decision.value * (1 + this.headroom), active: decision.active };
  }
}

/**
 * This scaler: each evaluation is the server's own `EvaluationStep` (observe → view → decide → record)
 * over the server's own `ForecastService`, on the replay's clock. Its rolling error at the lead spans the
 * server's window, so drift retrains the model when it would on the server; the report scores the
 * whole replay.
 */
export class PredictivePolicy implements MetricPolicy {
  /** Evaluations, and those that had a usable model (the rest ran live-only). */
  evaluations = 0;
  evaluationsWithModel = 0;
  private readonly step: EvaluationStep;

  constructor(
    config: TriggerConfig,
    readonly forecast: SimulatedForecast,
  ) {
    this.step = new EvaluationStep(config, forecast.service);
  }

  evaluate(nowMs: number, live: number): Decision {
    this.forecast.setTime(nowMs);
    const { decision, forecast } = this.step.run({ value: live, atMs: nowMs }, false, nowMs);
    this.evaluations++;
    if (forecast) this.evaluationsWithModel++;
    return decision;
  }

  backgroundDue(nowMs: number): boolean {
    return this.forecast.service.trainingDue(nowMs);
  }

  async background(nowMs: number): Promise<void> {
    this.forecast.setTime(nowMs);
    await this.forecast.service.runOnce();
  }

  /** Mean absolute error of the forecast at the lead over that of "it stays as it is now"; null if never scored. */
  forecastMase(): number | null {
    return this.step.leadMaseSinceStart() ?? null;
  }
}

/**
 * Perfect foresight through the same decision, KEDA and HPA: the "forecast" is the true peak of the
 * demand over the look-ahead window, so capacity is asked for exactly when and as much as it will be
 * needed. For `queue` the live value is the backlog and the peak is the arrival rate, so the metric asks
 * for enough replicas to both drain the backlog and keep up with what is coming.
 */
export class OraclePolicy implements MetricPolicy {
  private readonly config: TriggerConfig;

  /** `peakToMetric`: what one unit of the peak is in the metric's unit (`queue`: target / service rate). */
  constructor(
    config: TriggerConfig,
    private readonly lookahead: Lookahead,
    private readonly headroom = 0,
    private readonly peakToMetric = 1,
  ) {
    this.config = { ...config, predictive: 'true' };
  }

  evaluate(nowMs: number, live: number): Evaluation {
    const peak = this.lookahead.peak(nowMs) * this.peakToMetric;
    const decision = decide(this.config, {
      live,
      liveIsStale: false,
      forecast: { peakWhenReady: peak, peakWithinLead: peak, peakWithinColdStartBudget: peak },
      nowMs,
    });
    return { value: decision.value * (1 + this.headroom), active: decision.active };
  }
}

/**
 * The largest trace value over `[now, now + windowMs]`, for times that never go back: a monotonic deque,
 * so a whole replay costs O(samples).
 */
export class Lookahead {
  private readonly deque: Int32Array;
  private head = 0;
  private tail = 0;
  private next = 0;

  constructor(
    private readonly values: Float64Array,
    private readonly startMs: number,
    private readonly stepMs: number,
    private readonly windowMs: number,
  ) {
    this.deque = new Int32Array(values.length);
  }

  peak(nowMs: number): number {
    const n = this.values.length;
    const first = Math.min(n - 1, Math.max(0, Math.floor((nowMs - this.startMs) / this.stepMs)));
    const last = Math.min(n - 1, Math.floor((nowMs + this.windowMs - this.startMs) / this.stepMs));
    while (this.next <= last) {
      const v = this.values[this.next] as number;
      while (this.tail > this.head && (this.values[this.deque[this.tail - 1] as number] as number) <= v) {
        this.tail--;
      }
      this.deque[this.tail++] = this.next++;
    }
    while (this.tail - this.head > 1 && (this.deque[this.head] as number) < first) this.head++;
    return this.values[this.deque[this.head] as number] as number;
  }
}
