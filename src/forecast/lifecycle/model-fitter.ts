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
