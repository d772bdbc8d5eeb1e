/**
 * The M4 competition's scoring for hourly series (Makridakis, Spiliotis & Assimakopoulos, IJF 2020):
 * sMAPE, MASE scaled by the in-sample seasonal naive error at m = 24, the Naive2 benchmark (last value of
 * the seasonally adjusted series, with classical multiplicative decomposition when the series passes
 * the 90 % autocorrelation test at lag m), and OWA against Naive2.
 */
export const M4_HOURLY_SEASON = 24;

/** Symmetric MAPE in percent, as M4 defines it. */
export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const f = forecast[i] as number;
    const denominator = Math.abs(a) + Math.abs(f);
    sum += denominator === 0 ? 0 : (2 * Math.abs(a - f)) / denominator;
  }
  return (100 * sum) / actual.length;
}

/** Mean absolute error over that of the in-sample seasonal naive forecast at period `m`. */
export function mase(
  train: ArrayLike<number>,
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  m = M4_HOURLY_SEASON,
): number {
  let scale = 0;
  for (let i = m; i < train.length; i++) scale += Math.abs((train[i] as number) - (train[i - m] as number));
  scale /= train.length - m;
  let error = 0;
  for (let i = 0; i < actual.length; i++) error += Math.abs((actual[i] as number) - (forecast[i] as number));
  return error / actual.length / scale;
}

function autocorrelation(x: ArrayLike<number>, lag: number): number {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i] as number;
  mean /= x.length;
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < x.length; i++) denominator += ((x[i] as number) - mean) ** 2;
  for (let i = lag; i < x.length; i++)
    numerator += ((x[i] as number) - mean) * ((x[i - lag] as number) - mean);
  return numerator / denominator;
}

/** M4's seasonality test: |acf(m)| beyond 1.645 standard errors (Bartlett) over lags 1..m-1. */
export function isSeasonal(x: ArrayLike<number>, m = M4_HOURLY_SEASON): boolean {
  if (x.length < 3 * m) return false;
  let sumSquares = 0;
  for (let lag = 1; lag < m; lag++) sumSquares += autocorrelation(x, lag) ** 2;
  return Math.abs(autocorrelation(x, m)) > 1.645 * Math.sqrt((1 + 2 * sumSquares) / x.length);
}

/** Naive2: the seasonally adjusted last value, put back on the seasonal indices. */
export function naive2(train: ArrayLike<number>, horizon: number, m = M4_HOURLY_SEASON): number[] {
  const n = train.length;
  let indices = new Array<number>(m).fill(1);
  if (isSeasonal(train, m)) {
    // Ratios to a centred 2×m moving average, averaged per phase and normalised to a mean of 1.
    const ratios: number[][] = Array.from({ length: m }, () => []);
    const half = m / 2;
    for (let t = half; t < n - half; t++) {
      let sum = ((train[t - half] as number) + (train[t + half] as number)) / 2;
      for (let j = t - half + 1; j < t + half; j++) sum += train[j] as number;
      (ratios[t % m] as number[]).push((train[t] as number) / (sum / m));
    }
    indices = ratios.map((r) => r.reduce((a, b) => a + b, 0) / r.length);
    const mean = indices.reduce((a, b) => a + b, 0) / m;
    indices = indices.map((v) => v / mean);
  }
  const level = (train[n - 1] as number) / (indices[(n - 1) % m] as number);
  return Array.from({ length: horizon }, (_, h) => level * (indices[(n + h) % m] as number));
}

/** Overall weighted average: half relative sMAPE, half relative MASE, both against Naive2. */
export function owa(
  method: { smape: number; mase: number },
  naive2Score: { smape: number; mase: number },
): number {
  return 0.5 * (method.smape / naive2Score.smape + method.mase / naive2Score.mase);
}
