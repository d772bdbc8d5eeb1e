import { parseLabelSelector } from './label-selector';

const EXPECTED =
  'PromQL label matchers such as gpu="0",namespace="ml",pod=~"vllm-.*" (name, one of = != =~ !~, a double-quoted value)';

describe('parseLabelSelector', () => {
  it.each<[string, string]>([
    ['', ''],
    ['   ', ''],
    ['{}', ''],
    ['{ }', ''],
    ['gpu="0"', 'gpu="0"'],
    ['{gpu="0"}', 'gpu="0"'],
    [' { gpu = "0" } ', 'gpu="0"'],
    ['gpu!="0"', 'gpu!="0"'],
    ['pod=~"vllm-.*"', 'pod=~"vllm-.*"'],
    ['pod!~"vllm-.*"', 'pod!~"vllm-.*"'],
    ['namespace="ml", pod=~"vllm-.*" ,gpu!="7"', 'namespace="ml",pod=~"vllm-.*",gpu!="7"'],
    ['gpu="0",', 'gpu="0"'],
    ['_private="x"', '_private="x"'],
    ['Hostname="node-1"', 'Hostname="node-1"'],
    ['gpu=""', 'gpu=""'],
    ['modelName="NVIDIA \\"A100\\""', 'modelName="NVIDIA \\"A100\\""'],
    ['path="C:\\\\models"', 'path="C:\\\\models"'],
    ['pod=~"a\\\\d+"', 'pod=~"a\\\\d+"'],
    ['tab="a\\tb\\nc\\r"', 'tab="a\\tb\\nc\\r"'],
    ['q="} or vector(1) #"', 'q="} or vector(1) #"'],
    ['q="gpu=\\"0\\"} or vector(1)"', 'q="gpu=\\"0\\"} or vector(1)"'],
    ['unicode="Grafikkarte für München"', 'unicode="Grafikkarte für München"'],
    [
      Array.from({ length: 20 }, (_, i) => `l${i}="v"`).join(','),
      Array.from({ length: 20 }, (_, i) => `l${i}="v"`).join(','),
    ],
  ])('%j is %j', (raw, canonical) => {
    expect(parseLabelSelector('selector', raw)).toBe(canonical);
  });

  it.each([
    // Attempts to leave the braces the selector is spliced into.
    'gpu="0"} or vector(1) #',
    'gpu="0"}[5m]',
    'gpu="0"} offset 1h',
    'gpu="0"} + 100',
    '{gpu="0"} or {gpu="1"}',
    '{gpu="0"',
    'gpu="0"}',
    '}',
    '{{gpu="0"}}',
    'gpu="0"}) or vector(1',
    // Unbalanced or odd quoting.
    'gpu="0',
    'gpu=0',
    "gpu='0'",
    'gpu=`0`',
    'gpu="0\\"',
    'gpu="\\"',
    'gpu="a\\d"',
    'gpu="0" pod="a"',
    'gpu="0";pod="a"',
    'gpu="0",,pod="a"',
    ',gpu="0"',
    'gpu="0\nx"',
    'gpu="0\r"',
    // Not matchers at all.
    'gpu',
    '0gpu="0"',
    'gpu-id="0"',
    'gpu.id="0"',
    'gpu=="0"',
    'gpu~="0"',
    'gpu<"0"',
    'absent(up)',
    'up',
    '# comment',
    '"gpu"="0"',
  ])('refuses %j', (raw) => {
    expect(() => parseLabelSelector('selector', raw)).toThrow(
      `metadata key "selector" has invalid value ${JSON.stringify(raw)}: expected ${EXPECTED}`,
    );
  });

  it('refuses more than 20 matchers', () => {
    const raw = Array.from({ length: 21 }, (_, i) => `l${i}="v"`).join(',');
    expect(() => parseLabelSelector('selector', raw)).toThrow(
      `metadata key "selector" has invalid value ${JSON.stringify(raw)}: expected at most 20 label matchers`,
    );
  });

  it('names the key it was given', () => {
    expect(() => parseLabelSelector('gpuSelector', 'x')).toThrow(
      'metadata key "gpuSelector" has invalid value "x"',
    );
  });

  it('checks long input in linear time', () => {
    const started = performance.now();
    expect(() => parseLabelSelector('selector', `gpu="${'\\"'.repeat(200_000)}`)).toThrow();
    expect(() => parseLabelSelector('selector', 'gpu="0",'.repeat(50_000) + '}')).toThrow();
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('gives a canonical form that parses to itself', () => {
    const canonical = parseLabelSelector('selector', ' { namespace = "ml" , pod =~ "vllm-.*" } ');
    expect(parseLabelSelector('selector', canonical)).toBe(canonical);
    expect(parseLabelSelector('selector', `{${canonical}}`)).toBe(canonical);
  });
});
