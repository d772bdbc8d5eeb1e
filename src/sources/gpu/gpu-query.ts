import { parseLabelSelector } from '../../config/label-selector';
import type { GpuTriggerConfig } from './gpu-metadata';

/** The DCGM exporter series each `metric` reads. */
export const DCGM_SERIES = {
  utilization: 'DCGM_FI_DEV_GPU_UTIL',
  framebufferUsed: 'DCGM_FI_DEV_FB_USED',
  framebufferFree: 'DCGM_FI_DEV_FB_FREE',
  temperature: 'DCGM_FI_DEV_GPU_TEMP',
} as const;

export type GpuQueryOptions = Pick<GpuTriggerConfig, 'metric' | 'selector' | 'aggregation'>;

/**
 * The PromQL for a gpu trigger: one value per GPU, then `aggregation` across GPUs, so the result is at
 * most one series (none when no GPU matches).
 *
 * - `utilization`: `DCGM_FI_DEV_GPU_UTIL` (percent).
 * - `memory`: framebuffer used percent, `100 * FB_USED / (FB_USED + FB_FREE)`, computed per GPU before
 *   aggregating, so `max` is the fullest GPU rather than a ratio of sums.
 * - `temperature`: `DCGM_FI_DEV_GPU_TEMP` (degrees Celsius).
 *
 * `selector` is spliced into every series selector, so it applies to both framebuffer series alike and they
 * still match one to one. It is validated again here (the metadata parser already did): whatever builds a
 * config, a selector can never change the shape of the query. Throws `MetadataError` on key `selector`.
 */
export function buildGpuQuery(options: GpuQueryOptions): string {
  const selector = parseLabelSelector('selector', options.selector);
  const series = (name: string): string => (selector === '' ? name : `${name}{${selector}}`);
  let perGpu: string;
  switch (options.metric) {
    case 'utilization':
      perGpu = series(DCGM_SERIES.utilization);
      break;
    case 'temperature':
      perGpu = series(DCGM_SERIES.temperature);
      break;
    case 'memory': {
      const used = series(DCGM_SERIES.framebufferUsed);
      const free = series(DCGM_SERIES.framebufferFree);
      perGpu = `100 * ${used} / (${used} + ${free})`;
      break;
    }
  }
  return `${options.aggregation}(${perGpu})`;
}
