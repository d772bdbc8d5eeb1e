import type { TrainingOutcome } from './model-trainer';

/** When each model is trained, for the server and the simulator alike. */
export interface TrainingSchedule {
  /** How often each model is retrained (`RETRAIN_INTERVAL`). */
  retrainIntervalMs: number;
  /** Expiry of the per-model training lock (`TRAINING_LOCK_TTL`). */
  trainingLockTtlMs: number;
}

/** The forecast lifecycle's fixed settings, in one place for the server and the simulator. */
export const LIFECYCLE_DEFAULTS = {
  /** Samples needed before the first training. */
  minSamples: 60,
  /** A worse new model still replaces a current one older than this, so a changed pattern is learned. */
  maxModelAgeMs: 3 * 86_400_000,
  /** The longest wait after an attempt that had nothing to show (too few samples, a failed fit). */
  retryAfterNothingMs: 5 * 60_000,
  /** Bounds the in-memory tail: two days of samples is more than any lead or refresh gap needs. */
  maxRecentSamples: 2 * 1440,
} as const;

/** How long after an attempt with this outcome the next one is due. */
export function retryDelayMs(outcome: TrainingOutcome, schedule: TrainingSchedule): number {
  const interval = schedule.retrainIntervalMs;
  switch (outcome) {
    case 'saved':
    case 'kept_previous':
    case 'pinned':
      return interval;
    // Another replica holds the lock; it may die and leave the lock to expire.
    case 'locked':
      return Math.max(100, schedule.trainingLockTtlMs / 4);
    case 'skipped':
    case 'failed':
      return Math.min(interval, LIFECYCLE_DEFAULTS.retryAfterNothingMs);
  }
}
