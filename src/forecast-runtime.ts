import type { Settings } from './config/settings';
import type { ScalerDeps } from './app';

/** Wires model training and the forecast view into the scaler; live-only until models exist. */
export function createForecastRuntime(_settings: Settings): ScalerDeps['forecast'] {
  return undefined;
}
