import type { GpuTriggerConfig } from './gpu-metadata';
import { parseTriggerMetadata } from '../trigger-metadata';
import { COMMON_DEFAULTS, errorOf, omit, GPU, type Metadata } from '../../../test/support/trigger-metadata';

/** The gpu keys, read through the top-level parser (the common keys: `../trigger-metadata.test.ts`). */
describe('parseTriggerMetadata', () => {
  describe('defaults for a minimal trigger', () => {
    it('gpu', () => {
      const config = parseTriggerMetadata(GPU) as GpuTriggerConfig;
      expect(config).toMatchObject({
        ...COMMON_DEFAULTS,
        timeoutMs: 3_000,
        source: 'gpu',
        serverAddress: 'http://prometheus.monitoring:9090',
        metric: 'utilization',
        selector: '',
        aggregation: 'avg',
        customHeaders: [],
        credentialHeaders: [],
        queryParameters: [],
        namespace: undefined,
        authModes: [],
        tls: { caFile: undefined, certFile: undefined, keyFile: undefined },
        sourceUnsafeSsl: false,
        target: 70,
      });
    });
  });

  describe('gpu', () => {
    it.each<[Metadata, Partial<GpuTriggerConfig>]>([
      [{ metric: 'utilization' }, { metric: 'utilization' }],
      [{ metric: 'memory' }, { metric: 'memory' }],
      [{ metric: 'temperature' }, { metric: 'temperature' }],
      [{ metric: 'Memory' }, { metric: 'memory' }],
      [{ aggregation: 'avg' }, { aggregation: 'avg' }],
      [{ aggregation: 'max' }, { aggregation: 'max' }],
      [{ aggregation: 'sum' }, { aggregation: 'sum' }],
      [{ selector: '' }, { selector: '' }],
      [{ selector: 'gpu="0"' }, { selector: 'gpu="0"' }],
      [{ selector: '{gpu="0"}' }, { selector: 'gpu="0"' }],
      [
        { selector: 'namespace = "ml", pod =~ "vllm-.*", gpu!="7", Hostname!~"node-[0-3]"' },
        { selector: 'namespace="ml",pod=~"vllm-.*",gpu!="7",Hostname!~"node-[0-3]"' },
      ],
      [
        { selector: 'modelName="NVIDIA A100 \\"80GB\\""' },
        { selector: 'modelName="NVIDIA A100 \\"80GB\\""' },
      ],
      [{ threshold: '80' }, { target: 80 }],
      [{ activationThreshold: '5' }, { activationTarget: 5 }],
      [{ sourceUnsafeSsl: 'true' }, { sourceUnsafeSsl: true }],
      [
        { serverAddress: 'https://mimir.example.com/prometheus' },
        { serverAddress: 'https://mimir.example.com/prometheus' },
      ],
    ])('accepts %j', (extra, expected) => {
      expect(parseTriggerMetadata({ ...GPU, ...extra })).toMatchObject(expected);
    });

    const SELECTOR_EXPECTED =
      'PromQL label matchers such as gpu="0",namespace="ml",pod=~"vllm-.*" (name, one of = != =~ !~, a double-quoted value)';
    it.each<[string, Metadata, string]>([
      [
        'an unknown metric',
        { ...GPU, metric: 'power' },
        'metadata key "metric" has invalid value "power": expected one of utilization, memory, temperature',
      ],
      [
        'a raw DCGM metric name',
        { ...GPU, metric: 'DCGM_FI_DEV_GPU_UTIL' },
        'metadata key "metric" has invalid value "DCGM_FI_DEV_GPU_UTIL": expected one of utilization, memory, temperature',
      ],
      [
        'an unknown aggregation',
        { ...GPU, aggregation: 'median' },
        'metadata key "aggregation" has invalid value "median": expected one of avg, max, sum',
      ],
      [
        'no threshold',
        omit(GPU, 'threshold'),
        'metadata key "threshold" is required: expected a decimal number greater than 0 (value per replica)',
      ],
      [
        'no serverAddress',
        omit(GPU, 'serverAddress'),
        'metadata key "serverAddress" is required: expected the http(s):// address of the Prometheus server (or serverAddressFromEnv)',
      ],
      [
        'a selector that closes the braces and adds an "or"',
        { ...GPU, selector: 'gpu="0"} or vector(1) #' },
        `metadata key "selector" has invalid value "gpu=\\"0\\"} or vector(1) #": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'a selector that turns the query into a range vector',
        { ...GPU, selector: 'gpu="0"}[5m]' },
        `metadata key "selector" has invalid value "gpu=\\"0\\"}[5m]": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'a braced selector followed by more PromQL',
        { ...GPU, selector: '{gpu="0"} or {gpu="1"}' },
        `metadata key "selector" has invalid value "{gpu=\\"0\\"} or {gpu=\\"1\\"}": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'an unbalanced quote',
        { ...GPU, selector: 'gpu="0' },
        `metadata key "selector" has invalid value "gpu=\\"0": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'an escaped closing quote leaving the value open',
        { ...GPU, selector: 'gpu="0\\"' },
        `metadata key "selector" has invalid value "gpu=\\"0\\\\\\"": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'single quotes',
        { ...GPU, selector: "gpu='0'" },
        `metadata key "selector" has invalid value "gpu='0'": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'a missing comma between matchers',
        { ...GPU, selector: 'gpu="0" pod="a"' },
        `metadata key "selector" has invalid value "gpu=\\"0\\" pod=\\"a\\"": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'a function call',
        { ...GPU, selector: 'absent(up)' },
        `metadata key "selector" has invalid value "absent(up)": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'a label name starting with a digit',
        { ...GPU, selector: '0gpu="0"' },
        `metadata key "selector" has invalid value "0gpu=\\"0\\"": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'an unknown operator',
        { ...GPU, selector: 'gpu=="0"' },
        `metadata key "selector" has invalid value "gpu==\\"0\\"": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'a line break inside a value',
        { ...GPU, selector: 'gpu="0\n"' },
        `metadata key "selector" has invalid value "gpu=\\"0\\n\\"": expected ${SELECTOR_EXPECTED}`,
      ],
      [
        'more than 20 matchers',
        { ...GPU, selector: Array.from({ length: 21 }, (_, i) => `l${i}="v"`).join(',') },
        `metadata key "selector" has invalid value ${JSON.stringify(
          Array.from({ length: 21 }, (_, i) => `l${i}="v"`).join(','),
        )}: expected at most 20 label matchers`,
      ],
    ])('refuses %s', (_name, metadata, message) => {
      expect(() => parseTriggerMetadata(metadata)).toThrow(message);
      expect(errorOf(metadata)).toBe(message);
    });
  });
});
