import type { SourceKind } from '../source-kind';
import { GPU_KEYS, parseGpuMetadata, type GpuTriggerConfig } from './gpu-metadata';
import { createGpuSource } from './gpu.source';

/** DCGM telemetry queried through Prometheus, a shared server: push streams poll it at the slow cadence. */
export const gpuKind: SourceKind<GpuTriggerConfig> = {
  kind: 'gpu',
  keys: GPU_KEYS,
  parse: parseGpuMetadata,
  create: createGpuSource,
  pushPolling: 'slow',
};
