/** Reconnect delays after a broker connection fails or drops. */
export interface BackoffOptions {
  /** Delay before the first retry. @default 250 */
  initialDelayMs: number;
  /** Upper bound of any delay. @default 10000 */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 250, maxDelayMs: 10_000 };

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random. The fixed half keeps a
 * down broker from being hammered; the random half keeps many scaler replicas from reconnecting in step
 * after the broker restarts. `attempt` counts from 0.
 */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponential = options.initialDelayMs * 2 ** Math.min(Math.max(attempt, 0), 30);
  const capped = Math.min(options.maxDelayMs, exponential);
  return Math.round(capped / 2 + (capped / 2) * random());
}
