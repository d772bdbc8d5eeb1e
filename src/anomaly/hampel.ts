import { MAD_TO_SIGMA, isMissing as isMissingValue } from './robust-stats';

/**
 * Bound once: these loops test millions of values per training, and a call through the module binding
 * (a getter under some loaders) would cost more than the test itself.
 */
const isMissing = isMissingValue;

/** Local robust statistics of each point: the median of its window and its robust z-score against it. */
export interface LocalScores {
  /** Median of the finite values in the window centred on each point (NaN when the window is empty). */
  median: Float64Array;
  /** |value − median| / (1.4826 × MAD) of each point; 0 for gaps. */
  z: Float64Array;
}

/**
 * Hampel identifier: each point is compared with the median and MAD of the `2 × halfWidth + 1` points
 * around it. A window whose MAD is 0 (flat stretches) borrows `scaleFloor`, so a flat series with one
 * spike flags the spike without dividing by zero, and a flat series on its own flags nothing.
 */
export function hampelScores(values: ArrayLike<number>, halfWidth: number, scaleFloor: number): LocalScores {
  const n = values.length;
  const medianOut = new Float64Array(n);
  const z = new Float64Array(n);
  const window = new Float64Array(2 * halfWidth + 1);
  const deviations = new Float64Array(2 * halfWidth + 1);
  for (let i = 0; i < n; i++) {
    let count = 0;
    const from = i > halfWidth ? i - halfWidth : 0;
    const to = i + halfWidth < n - 1 ? i + halfWidth : n - 1;
    for (let j = from; j <= to; j++) {
      const v = values[j] as number;
      if (!isMissing(v)) insertSorted(window, count++, v);
    }
    if (count === 0) {
      medianOut[i] = NaN;
      continue;
    }
    const m = middle(window, count);
    medianOut[i] = m;
    const v = values[i] as number;
    if (isMissing(v)) continue;
    for (let j = 0; j < count; j++) {
      const d = (window[j] as number) - m;
      insertSorted(deviations, j, d < 0 ? -d : d);
    }
    const mad = MAD_TO_SIGMA * middle(deviations, count);
    const scale = mad > scaleFloor ? mad : scaleFloor;
    const deviation = v > m ? v - m : m - v;
    z[i] = deviation === 0 ? 0 : scale > 0 ? deviation / scale : Infinity;
  }
  return { median: medianOut, z };
}

function insertSorted(buffer: Float64Array, length: number, value: number): void {
  let j = length - 1;
  while (j >= 0 && (buffer[j] as number) > value) {
    buffer[j + 1] = buffer[j] as number;
    j--;
  }
  buffer[j + 1] = value;
}

function middle(sorted: Float64Array, count: number): number {
  const half = count >> 1;
  return count % 2 === 1
    ? (sorted[half] as number)
    : ((sorted[half - 1] as number) + (sorted[half] as number)) / 2;
}
