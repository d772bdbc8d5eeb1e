import type { Logger } from 'pino';
import type { ForecastPort } from '../forecast/port/forecast-port';
import type { Source } from '../sources/source';
import type { TriggerConfig } from '../sources/trigger-metadata';
import { redactSecrets } from '../util/redact';
import type { ResourceKind } from './units';
import type { Workload } from './workload-file';

export interface WorkloadTrackerDeps {
  forecast: ForecastPort;
  /** The same sources the triggers read through (one per parsed config). */
  sourceFor: (config: TriggerConfig) => Source;
  clock: () => number;
  logger: Logger;
}

/** How sampling a workload's resource last went. */
export interface ResourceSampling {
  lastSampleAtMs?: number;
  lastError?: string;
  /** When the last read began, successful or not: the next is due a sample interval later. */
  lastAttemptAtMs?: number;
}

const RESOURCES: readonly ResourceKind[] = ['cpu', 'memory'];

/**
 * Samples each workload's CPU and memory at their sample interval and hands the readings to the
 * forecast, as a KEDA poll does for a trigger: the forecast service then backfills, trains and stores
 * each the same way, with no ScaledObject.
 */
export class WorkloadTracker {
  private readonly sampling = new Map<string, ResourceSampling>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    readonly workloads: readonly Workload[],
    private readonly deps: WorkloadTrackerDeps,
  ) {}

  start(): void {
    if (this.workloads.length === 0 || this.timer !== undefined) return;
    // Ticks at the shortest interval; each resource is read only when its own interval has passed.
    const intervalMs = Math.min(
      ...this.workloads.flatMap((w) => RESOURCES.map((r) => w[r].sampleIntervalMs)),
    );
    void this.sampleDue();
    this.timer = setInterval(() => void this.sampleDue(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  find(name: string): Workload | undefined {
    return this.workloads.find((w) => w.name === name);
  }

  samplingOf(workload: Workload, resource: ResourceKind): ResourceSampling {
    return this.sampling.get(`${workload.name}/${resource}`) ?? {};
  }

  /** Reads every workload's resources once; one pass at a time. */
  sampleAll(): Promise<void> {
    return this.pass(() => true);
  }

  /** Reads the resources whose sample interval has passed since their last read. */
  sampleDue(): Promise<void> {
    const now = this.deps.clock();
    return this.pass((workload, resource) => {
      const last = this.samplingOf(workload, resource).lastAttemptAtMs;
      // A tick may fire a few milliseconds early; a tenth of the interval of slack keeps it from skipping.
      return last === undefined || now - last >= workload[resource].sampleIntervalMs * 0.9;
    });
  }

  private pass(due: (workload: Workload, resource: ResourceKind) => boolean): Promise<void> {
    this.running ??= Promise.all(
      this.workloads.flatMap((workload) =>
        RESOURCES.filter((resource) => due(workload, resource)).map((resource) =>
          this.sample(workload, resource),
        ),
      ),
    ).then(
      () => {
        this.running = undefined;
      },
      () => {
        this.running = undefined;
      },
    );
    return this.running;
  }

  private async sample(workload: Workload, resource: ResourceKind): Promise<void> {
    const config = workload[resource];
    const key = `${workload.name}/${resource}`;
    const attemptAtMs = this.deps.clock();
    this.sampling.set(key, { ...this.sampling.get(key), lastAttemptAtMs: attemptAtMs });
    try {
      const reading = await this.deps.sourceFor(config).read(AbortSignal.timeout(config.timeoutMs));
      if (!Number.isFinite(reading.value)) throw new Error(`the query returned ${reading.value}`);
      const atMs = this.deps.clock();
      this.deps.forecast.observe(config, { value: reading.value, atMs });
      this.sampling.set(key, { lastSampleAtMs: atMs, lastAttemptAtMs: attemptAtMs });
    } catch (error) {
      // Kept redacted: /v1/workloads and the status page show it (the log line below scrubs its own).
      const message = redactSecrets((error as Error).message);
      const before = this.sampling.get(key);
      this.sampling.set(key, { ...before, lastError: message });
      if (before?.lastError !== message) {
        this.deps.logger.warn(
          { workload: workload.name, namespace: workload.namespace, resource, err: error },
          'could not sample a workload; its forecast keeps the history it has',
        );
      }
    }
  }
}

/** One phrase for the status page: sampling, failing, or waiting for its first sample. */
export function workloadState(tracker: WorkloadTracker, workload: Workload): string {
  const states = RESOURCES.map((resource) => {
    const sampling = tracker.samplingOf(workload, resource);
    if (sampling.lastError !== undefined) return `${resource}: failing (${sampling.lastError})`;
    if (sampling.lastSampleAtMs === undefined) return `${resource}: waiting for its first sample`;
    return `${resource}: sampled ${new Date(sampling.lastSampleAtMs).toISOString()}`;
  });
  return states.join('; ');
}
