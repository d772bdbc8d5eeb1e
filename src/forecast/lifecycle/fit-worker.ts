import { parentPort } from 'node:worker_threads';
import { trainModel } from '../train';
import type { RegularSeries, TrainingOptions } from '../types';

/** The training worker: one `trainModel` per message, answered with the model or the error's message. */
parentPort?.on(
  'message',
  (job: { id: number; history: RegularSeries; options: TrainingOptions; nowMs: number }) => {
    try {
      parentPort?.postMessage({ id: job.id, model: trainModel(job.history, job.options, job.nowMs) });
    } catch (error) {
      parentPort?.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
    }
  },
);
