import type { RegularSeries } from '../forecast/types';

/** The last good live value of a trigger, served for a short staleness when its source fails. */
export interface StoredReading {
  value: number;
  atMs: number;
}

/** A stored model with the metadata the lifecycle needs; `model` is the forecaster's JSON. */
export interface ModelRecord<M = unknown> {
  version: number;
  savedAtMs: number;
  model: M;
}

/** The current model of a signal and the last good one kept for rollback. */
export interface ModelSlots<M = unknown> {
  current: ModelRecord<M> | undefined;
  previous: ModelRecord<M> | undefined;
}

/** Who made a model version current: the trainer after a training, or an operator through the HTTP API. */
export type ModelPromoter = 'trainer' | 'operator';

/** A kept version of a model, with how it last became current. */
export interface ModelVersionRecord<M = unknown> extends ModelRecord<M> {
  /** Undefined for a version kept by a release that did not record it. */
  promotedBy: ModelPromoter | undefined;
  promotedAtMs: number | undefined;
}

/** The versions of a model kept for inspection, pinning and rollback. */
export interface ModelHistory<M = unknown> {
  currentVersion: number | undefined;
  /** The version a rollback without a named version restores (the last good one before the current). */
  previousVersion: number | undefined;
  /** While set, neither training nor a rollback replaces the current model (which is this version). */
  pinnedVersion: number | undefined;
  /** Newest first. */
  versions: Array<ModelVersionRecord<M>>;
}

export { DEFAULT_MODEL_HISTORY_VERSIONS } from '../config/settings';

/** A change of the current model refused because an operator pinned it. */
export class ModelPinnedError extends Error {
  override readonly name = 'ModelPinnedError';
  constructor(readonly pinnedVersion: number) {
    super(`the model is pinned to version ${pinnedVersion}: unpin it first`);
  }
}

/** How a signal's history is sampled and how long it is kept. */
export interface HistorySpec {
  stepMs: number;
  retentionMs: number;
}

/**
 * Everything the scaler keeps between calls. Two implementations: in-process (one replica) and Redis
 * (shared by every replica). Both pass the same conformance suite (src/store/state-store.conformance.ts).
 */
export interface StateStore {
  readonly kind: 'memory' | 'redis';

  getLastReading(triggerKey: string): Promise<StoredReading | undefined>;
  setLastReading(triggerKey: string, reading: StoredReading): Promise<void>;

  /**
   * Puts one sample in the slot `floor(atMs / stepMs)`. A second sample for the same slot replaces the
   * first (last write wins): replicas sampling the same signal converge on one point per interval.
   */
  appendSample(signalId: string, spec: HistorySpec, atMs: number, value: number): Promise<void>;
  /** Writes many samples at once (backfill). Non-finite values are skipped: what is stored there stays. */
  writeSamples(signalId: string, spec: HistorySpec, series: RegularSeries): Promise<void>;
  /** Slots `[fromMs, toMs)` at `spec.stepMs`; missing slots are NaN. */
  readHistory(signalId: string, spec: HistorySpec, fromMs: number, toMs: number): Promise<RegularSeries>;

  getModels<M>(signalId: string): Promise<ModelSlots<M>>;
  /**
   * The version of the current model, undefined when there is none: what a replica checks before it
   * reloads a model, so an unchanged one is neither sent nor parsed again.
   */
  currentModelVersion(signalId: string): Promise<number | undefined>;
  /** The pinned version, undefined when the model is not pinned: what training checks before it fits. */
  pinnedModelVersion(signalId: string): Promise<number | undefined>;
  /**
   * Makes `model` current with the next version; the old current becomes `previous` when `keepPrevious`.
   * The new version joins the history, which keeps the newest `modelHistoryVersions` versions (and the
   * current, previous and pinned ones, however old). Rejects with `ModelPinnedError` while pinned.
   */
  saveModel<M>(
    signalId: string,
    model: M,
    options: { keepPrevious: boolean; nowMs: number; promotedBy?: ModelPromoter },
  ): Promise<ModelRecord<M>>;
  /**
   * Makes the previous version current (or `version`, when named) and the old current previous; returns
   * the restored record, or undefined when there is no previous or the named version is not kept.
   * Rejects with `ModelPinnedError` while pinned.
   */
  rollbackModel<M>(
    signalId: string,
    options?: { version?: number; nowMs?: number },
  ): Promise<ModelRecord<M> | undefined>;
  /** The kept versions, newest first, with the current, previous and pinned version numbers. */
  modelHistory<M>(signalId: string): Promise<ModelHistory<M>>;
  /**
   * Pins `version` (the current one when omitted), making it current first if it is not; returns its
   * record, or undefined when that version is not kept.
   */
  pinModel<M>(
    signalId: string,
    options: { version?: number; nowMs: number },
  ): Promise<ModelRecord<M> | undefined>;
  /** Removes the pin; returns the version that was pinned, undefined when none was. */
  unpinModel(signalId: string): Promise<number | undefined>;

  /**
   * Takes a lock with expiry; returns a token for `releaseLock`, or undefined when it is not taken: someone
   * else holds it, or the store cannot be reached (the caller tries again later either way).
   */
  tryLock(name: string, ttlMs: number): Promise<string | undefined>;
  /** Releases only if `token` still holds it (an expired lock taken over by another replica is left alone). */
  releaseLock(name: string, token: string): Promise<boolean>;

  /** Resolves when the store can serve requests; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
