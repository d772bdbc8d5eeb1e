import type { Logger } from 'pino';
import type { TriggerEvaluator } from './trigger-evaluator';
import type { TriggerHandle } from './trigger-registry';

/** Called with each fresh activation state, or with an error when the trigger could not be evaluated. */
export type ActivationListener = (active: boolean | Error) => void;

interface Watch {
  handle: TriggerHandle;
  listeners: Set<ActivationListener>;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  /** Whether the last poll failed: a run of failures is logged once, at its start and at its end. */
  failing: boolean;
}

/**
 * One poller per trigger however many StreamIsActive calls listen to it: KEDA opens a stream per
 * ScaledObject and re-opens broken ones, and a queue must not be read once per stream.
 */
export class ActivationWatcher {
  private readonly watches = new Map<string, Watch>();
  private stopped = false;

  constructor(
    private readonly evaluator: TriggerEvaluator,
    private readonly intervalFor: (handle: TriggerHandle) => number,
    private readonly logger: Logger,
  ) {}

  /** Starts listening; returns the function that stops it. The first state arrives as soon as it is read. */
  watch(handle: TriggerHandle, listener: ActivationListener): () => void {
    let watch = this.watches.get(handle.key);
    if (watch === undefined) {
      watch = { handle, listeners: new Set(), timer: undefined, running: false, failing: false };
      this.watches.set(handle.key, watch);
      this.schedule(watch, 0);
    }
    watch.listeners.add(listener);
    const current = watch;
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size === 0) {
        clearTimeout(current.timer);
        this.watches.delete(handle.key);
      }
    };
  }

  /** Number of pollers running (one per watched trigger). */
  get size(): number {
    return this.watches.size;
  }

  stop(): void {
    this.stopped = true;
    for (const watch of this.watches.values()) clearTimeout(watch.timer);
    this.watches.clear();
  }

  private schedule(watch: Watch, delayMs: number): void {
    if (this.stopped) return;
    watch.timer = setTimeout(() => void this.tick(watch), delayMs);
  }

  private async tick(watch: Watch): Promise<void> {
    if (watch.running || this.watches.get(watch.handle.key) !== watch) return;
    watch.running = true;
    let outcome: boolean | Error;
    const labels = watch.handle.labels;
    try {
      outcome = (await this.evaluator.evaluate(watch.handle, { fresh: true })).active;
      if (watch.failing) this.logger.info({ ...labels }, 'push: trigger evaluates again');
      watch.failing = false;
    } catch (error) {
      outcome = error instanceof Error ? error : new Error(String(error));
      if (!watch.failing) {
        this.logger.warn(
          { ...labels, reason: outcome.message },
          'push: trigger evaluation failed; the stream stays open and retries every poll',
        );
      }
      watch.failing = true;
    }
    watch.running = false;
    for (const listener of watch.listeners) listener(outcome);
    if (this.watches.get(watch.handle.key) === watch) this.schedule(watch, this.intervalFor(watch.handle));
  }
}
