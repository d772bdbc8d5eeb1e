export {
  filterAnomalies,
  assertThreshold,
  MIN_ANOMALY_THRESHOLD,
  MAX_ANOMALY_THRESHOLD,
  type AnomalyFilterOptions,
  type AnomalyFilterResult,
} from './filter';
export { hampelScores, type LocalScores } from './hampel';
export { seasonalScores, centredMovingMean, type SeasonalScores } from './seasonal-residual';
export {
  median,
  medianAbsoluteDeviation,
  quantile,
  quantileSorted,
  finiteMean,
  MAD_TO_SIGMA,
} from './robust-stats';
