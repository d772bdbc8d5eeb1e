import type { RegularSeries } from '../forecast/types';

/** One reading of a live signal. */
export interface Reading {
  value: number;
  /** When the source says the value was observed (ms since epoch). */
  atMs: number;
  /**
   * What IsActive compares with the activation level, where that is not `value`: RabbitMQ's `MessageRate`
   * returns the publish rate but is active on a backlog too. Infinity: active whatever the level.
   * @default value
   */
  activity?: number;
}

/**
 * A live signal. Sources know nothing of forecasts or KEDA: they read a number, or fail with an
 * `UpstreamUnavailableError` / `UpstreamDataError` (src/errors.ts). They never return 0 for "unknown".
 */
export interface Source {
  /** Short kind label for metrics and logs: `prometheus`, `rabbitmq`, `gpu`. */
  readonly kind: string;
  /** Reads the current value, bounded by the trigger's timeout. */
  read(signal?: AbortSignal): Promise<Reading>;
  /** Reads past values at `stepMs` resolution, where the source keeps history (Prometheus does, RabbitMQ does not). */
  readRange?(fromMs: number, toMs: number, stepMs: number, signal?: AbortSignal): Promise<RegularSeries>;
  /** Releases what this source holds (connections are usually shared and reference counted). */
  close?(): Promise<void>;
}
