import { WorkloadFileError, cadvisorQuery, parseWorkloads } from './workload-file';

const FILE = '/etc/kps/workloads.yaml';

describe('WORKLOADS_FILE', () => {
  it('reads the YAML of the docs: a CPU and a memory Prometheus signal per workload', () => {
    const [web] = parseWorkloads(
      `workloads:
  - name: web
    namespace: shop
    serverAddress: http://prometheus:9090
    cpuQuery: sum(rate(container_cpu_usage_seconds_total{namespace="shop",pod=~"web-.*"}[5m]))
    memoryQuery: sum(container_memory_working_set_bytes{namespace="shop",pod=~"web-.*"})
    timezone: Europe/Berlin
    sampleInterval: 5m
`,
      FILE,
    );
    expect(web).toMatchObject({ name: 'web', namespace: 'shop', timezone: 'Europe/Berlin' });
    expect(web?.cpu).toMatchObject({
      source: 'prometheus',
      serverAddress: 'http://prometheus:9090',
      query: 'sum(rate(container_cpu_usage_seconds_total{namespace="shop",pod=~"web-.*"}[5m]))',
      sampleIntervalMs: 300_000,
      timezone: 'Europe/Berlin',
    });
    expect(web?.memory).toMatchObject({
      query: 'sum(container_memory_working_set_bytes{namespace="shop",pod=~"web-.*"})',
    });
    expect(web?.cpu.signalId).not.toBe(web?.memory.signalId);
  });

  it('reads JSON, builds the cAdvisor queries from a deployment, and resolves …FromEnv from its own environment', () => {
    const [api] = parseWorkloads(
      JSON.stringify({
        workloads: [{ name: 'api', namespace: 'shop', deployment: 'api', serverAddressFromEnv: 'PROM_URL' }],
      }),
      FILE,
      { PROM_URL: 'http://prometheus.monitoring:9090' },
    );
    expect(api?.cpu).toMatchObject({
      serverAddress: 'http://prometheus.monitoring:9090',
      query: cadvisorQuery('cpu', 'shop', 'api'),
    });
    expect(api?.memory).toMatchObject({ query: cadvisorQuery('memory', 'shop', 'api') });
    expect(cadvisorQuery('cpu', 'shop', 'api')).toBe(
      'sum(rate(container_cpu_usage_seconds_total{namespace="shop",pod=~"api-[a-z0-9]+-[a-z0-9]+",container!="",container!="POD"}[5m]))',
    );
    expect(cadvisorQuery('memory', 'shop', 'api')).toBe(
      'sum(container_memory_working_set_bytes{namespace="shop",pod=~"api-[a-z0-9]+-[a-z0-9]+",container!="",container!="POD"})',
    );
  });

  it.each([
    ['nothing: [1]', 'expected a top-level "workloads:" list'],
    ['workloads: [1]', 'workloads[0]: expected a mapping of keys to values'],
    ['workloads:\n  - namespace: shop', 'workloads[0]: name is required'],
    ['workloads:\n  - name: web', 'workloads[0] (web): namespace is required'],
    [
      'workloads:\n  - name: web\n    namespace: shop\n    serverAddress: http://p:9090\n    cpuQuery: up',
      'workloads[0] (web): memoryQuery is required (or a deployment name to build it from)',
    ],
    [
      'workloads:\n  - name: web\n    namespace: shop\n    deployment: web\n    serverAddressFromEnv: NOT_SET',
      "serverAddressFromEnv names the variable NOT_SET, which is not set in the scaler's environment",
    ],
    [
      'workloads:\n  - name: web\n    namespace: shop\n    deployment: web\n    serverAddress: http://p:9090\n    treshold: "2"',
      'workloads[0] (web): treshold:',
    ],
    [
      'workloads:\n  - name: web\n    namespace: shop\n    deployment: web\n    serverAddress: http://p:9090\n    sampleInterval: soon',
      'workloads[0] (web), cpu: ',
    ],
    [
      'workloads:\n  - {name: web, namespace: a, deployment: web, serverAddress: "http://p:9090"}\n  - {name: web, namespace: b, deployment: web, serverAddress: "http://p:9090"}',
      'workloads[1]: name "web" is used twice',
    ],
    ['workloads: [', 'is not valid YAML or JSON'],
  ])('refuses %j naming the file, the entry and the key', (text, message) => {
    expect(() => parseWorkloads(text, FILE, {})).toThrow(WorkloadFileError);
    expect(() => parseWorkloads(text, FILE, {})).toThrow(`WORKLOADS_FILE ${FILE}`);
    expect(() => parseWorkloads(text, FILE, {})).toThrow(message);
  });
});
