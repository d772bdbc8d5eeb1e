import { MetadataError } from '../../errors';
import { buildGpuQuery } from './gpu-query';

describe('buildGpuQuery', () => {
  it.each([
    ['utilization', '', 'avg', 'avg(DCGM_FI_DEV_GPU_UTIL)'],
    ['utilization', 'namespace="ml"', 'max', 'max(DCGM_FI_DEV_GPU_UTIL{namespace="ml"})'],
    ['temperature', '', 'max', 'max(DCGM_FI_DEV_GPU_TEMP)'],
    [
      'temperature',
      'Hostname="node-a",gpu=~"0|1"',
      'sum',
      'sum(DCGM_FI_DEV_GPU_TEMP{Hostname="node-a",gpu=~"0|1"})',
    ],
    ['memory', '', 'avg', 'avg(100 * DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE))'],
    [
      'memory',
      'pod=~"vllm-.*"',
      'max',
      'max(100 * DCGM_FI_DEV_FB_USED{pod=~"vllm-.*"} / (DCGM_FI_DEV_FB_USED{pod=~"vllm-.*"} + DCGM_FI_DEV_FB_FREE{pod=~"vllm-.*"}))',
    ],
  ] as const)('%s with selector %j and %s', (metric, selector, aggregation, expected) => {
    expect(buildGpuQuery({ metric, selector, aggregation })).toBe(expected);
  });

  it('always yields one aggregate, never a per-GPU vector', () => {
    for (const metric of ['utilization', 'memory', 'temperature'] as const) {
      const query = buildGpuQuery({ metric, selector: 'gpu="0"', aggregation: 'sum' });
      expect(query).toMatch(/^sum\(.*\)$/);
      expect(query).not.toMatch(/\b(by|without)\s*\(/);
    }
  });

  it.each(['gpu="0"} or vector(1000', 'gpu="0"}) + on() vector(1) or (up{', 'sum(up)', 'gpu="0" or up'])(
    'refuses a selector that is not plain label matchers: %s',
    (selector) => {
      expect(() => buildGpuQuery({ metric: 'utilization', selector, aggregation: 'avg' })).toThrow(
        MetadataError,
      );
    },
  );
});
