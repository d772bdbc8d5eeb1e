import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { trainModel } from '../train';
import type { RegularSeries, TrainedModel, TrainingOptions } from '../types';

/** Fits a model; where the numerics run is the implementation's business. */
export interface ModelFitter {
  fit(history: RegularSeries, options: TrainingOptions, nowMs: number): Promise<TrainedModel>;
  close(): Promise<void>;
}

/** Fits on the calling thread: for tools and tests that have nothing else to serve. */
export const inlineFitter: ModelFitter = {
  fit: async (history, options, nowMs) => trainModel(history, options, nowMs),
  close: async () => undefined,
};

interface Job {
  id: number;
  resolve: (model: TrainedModel) => void;
  reject: (error: Error) => void;
}

/**
 * Fits on a worker thread, so a training of a few hundred milliseconds never stalls the gRPC calls KEDA
 * is waiting on. Jobs queue on one worker; a crashed worker fails its jobs and is replaced on the next fit.
 */
export class WorkerFitter implements ModelFitter {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;

  fit(history: RegularSeries, options: TrainingOptions, nowMs: number): Promise<TrainedModel> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { id, resolve, reject });
      worker.postMessage({ id, history, options, nowMs });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('model fitter closed'));
    await worker?.terminate();
  }

  private start(): Worker {
    const compiled = path.join(__dirname, 'fit-worker.js');
    // Built image: plain JavaScript. From source (tsx, jest) the worker registers tsx's CommonJS hook
    // itself: loader flags given to a worker do not reach its module loading.
    const worker = existsSync(compiled)
      ? new Worker(compiled)
      : new Worker(
          `require('tsx/cjs/api').register(); require(${JSON.stringify(path.join(__dirname, 'fit-worker.ts'))});`,
          { eval: true },
        );
    worker.unref();
    worker.on('message', (message: { id: number; model?: TrainedModel; error?: string }) => {
      const job = this.jobs.get(message.id);
      if (!job) return;
      this.jobs.delete(message.id);
      if (message.model) job.resolve(message.model);
      else job.reject(new Error(message.error ?? 'training failed'));
    });
    worker.on('error', (error) => {
      this.failAll(error);
      if (this.worker === worker) this.worker = undefined;
    });
    worker.on('exit', () => {
      this.failAll(new Error('training worker exited'));
      if (this.worker === worker) this.worker = undefined;
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const job of this.jobs.values()) job.reject(error);
    this.jobs.clear();
  }
}

interface PoolJob {
  history: RegularSeries;
  options: TrainingOptions;
  nowMs: number;
  resolve: (model: TrainedModel) => void;
  reject: (error: unknown) => void;
}

/**
 * Fits on up to `size` worker threads at once, jobs started in the order they were asked for: for tools
 * that know their trainings ahead (the simulator). Each worker is handed up to `jobsPerWorker` jobs at a
 * time, so it goes on to the next one without waiting for this thread to hear from it; the rest wait
 * here, and a waiting job is withdrawn when its `signal` aborts. While jobs are pending the pool keeps
 * the process alive (its workers alone do not); an idle pool never holds it open.
 */
export class WorkerPoolFitter implements ModelFitter {
  private readonly workers: Array<{ fitter: WorkerFitter; jobs: number }> = [];
  private readonly queue: PoolJob[] = [];
  private running = 0;
  private keepAlive: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly size: number,
    readonly jobsPerWorker = 1,
  ) {
    if (!(Number.isInteger(size) && size >= 1)) throw new Error(`pool size must be at least 1, got ${size}`);
    if (!(Number.isInteger(jobsPerWorker) && jobsPerWorker >= 1)) {
      throw new Error(`jobs per worker must be at least 1, got ${jobsPerWorker}`);
    }
  }

  fit(
    history: RegularSeries,
    options: TrainingOptions,
    nowMs: number,
    signal?: AbortSignal,
  ): Promise<TrainedModel> {
    if (this.closed) return Promise.reject(new Error('model fitter closed'));
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const job: PoolJob = { history, options, nowMs, resolve, reject };
      signal?.addEventListener(
        'abort',
        () => {
          const at = this.queue.indexOf(job);
          if (at < 0) return;
          this.queue.splice(at, 1);
          reject(signal.reason as Error);
          this.holdProcess();
        },
        { once: true },
      );
      this.queue.push(job);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('model fitter closed'));
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((worker) => worker.fitter.close()));
    this.holdProcess();
  }

  private dispatch(): void {
    while (!this.closed && this.queue.length > 0) {
      let worker = this.workers.reduce<{ fitter: WorkerFitter; jobs: number } | undefined>(
        (best, w) => (best === undefined || w.jobs < best.jobs ? w : best),
        undefined,
      );
      if ((worker === undefined || worker.jobs > 0) && this.workers.length < this.size) {
        worker = { fitter: new WorkerFitter(), jobs: 0 };
        this.workers.push(worker);
      }
      if (worker === undefined || worker.jobs >= this.jobsPerWorker) break;
      const job = this.queue.shift() as PoolJob;
      const slot = worker;
      slot.jobs++;
      this.running++;
      const settle = (): void => {
        slot.jobs--;
        this.running--;
        this.dispatch();
      };
      // A worker that crashed fails its jobs and is restarted by its next fit.
      slot.fitter.fit(job.history, job.options, job.nowMs).then(
        (model) => {
          settle();
          job.resolve(model);
        },
        (error: unknown) => {
          settle();
          job.reject(error);
        },
      );
    }
    this.holdProcess();
  }

  /** A referenced timer while anything is queued or running: the workers themselves are unreferenced. */
  private holdProcess(): void {
    const pending = this.queue.length + this.running > 0;
    if (pending && !this.keepAlive) this.keepAlive = setInterval(() => undefined, 1 << 30);
    else if (!pending && this.keepAlive) {
      clearInterval(this.keepAlive);
      this.keepAlive = undefined;
    }
  }
}
