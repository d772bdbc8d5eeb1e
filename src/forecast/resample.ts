import { finiteMean } from '../anomaly/robust-stats';
import type { RegularSeries } from './types';

/** Models learn at 5-minute resolution or coarser: enough for 15-minute leads, and 5× less work than 1-minute. */
export const DEFAULT_MIN_MODEL_STEP_MS = 5 * 60_000;

/**
 * Where model-resolution blocks sit in time. Blocks are numbered from the first training block (0); block
 * b covers `aggregation` input samples and is dated by its centre. The grid is anchored on the END of the
 * training window, so the newest block is always complete and new samples extend the same grid.
 */
export interface ModelGrid {
  fineStepMs: number;
  /** Input samples per block. */
  aggregation: number;
  blockMs: number;
  /** Centre time of block 0. */
  originMs: number;
  /** Exclusive end of the training window: the time just after its last input sample. */
  trainingEndMs: number;
  /** Index of the last training block. */
  lastTrainingBlock: number;
}

/** Input samples per model block for a series sampled every `stepMs`. */
export function chooseAggregation(stepMs: number, modelStepMs?: number): number {
  if (modelStepMs !== undefined) return Math.max(1, Math.round(modelStepMs / stepMs));
  return Math.max(1, Math.ceil(DEFAULT_MIN_MODEL_STEP_MS / stepMs - 1e-9));
}

/** Centre time of block `block`. */
export function blockCentreMs(grid: ModelGrid, block: number): number {
  return grid.originMs + block * grid.blockMs;
}

/**
 * Block means of `series` (gaps ignored; a block with no sample is NaN). The first `length mod
 * aggregation` samples, which do not fill a block, are dropped.
 */
export function aggregateToBlocks(
  series: RegularSeries,
  aggregation: number,
): { values: Float64Array; grid: ModelGrid } {
  const n = series.values.length;
  const blocks = Math.floor(n / aggregation);
  const skipped = n - blocks * aggregation;
  const values = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const from = skipped + b * aggregation;
    values[b] = finiteMean(series.values, from, from + aggregation);
  }
  const blockMs = aggregation * series.stepMs;
  return {
    values,
    grid: {
      fineStepMs: series.stepMs,
      aggregation,
      blockMs,
      originMs: series.startMs + (skipped + (aggregation - 1) / 2) * series.stepMs,
      trainingEndMs: series.startMs + n * series.stepMs,
      lastTrainingBlock: blocks - 1,
    },
  };
}
