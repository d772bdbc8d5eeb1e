import { promises as fs } from 'node:fs';
import path from 'node:path';
import { load, loadAll, YAML11_SCHEMA } from 'js-yaml';
import { Registry } from 'prom-client';
import { parseWorkloads } from '../../src/capacity/workload-file';
import { parseTriggerMetadata, type TriggerConfig } from '../../src/sources/trigger-metadata';
import { ScalerMetrics } from '../../src/metrics/scaler-metrics';
import {
  CHART_DIR,
  REPO_ROOT,
  helmBinary,
  kedaAdmission,
  metadataAsKedaSendsIt,
  parseManifests,
  runHelm,
  triggersOf,
  validateManifest,
  type HelmResult,
  type Manifest,
} from '../support/helm';

/**
 * charts/ml-autoscaling rendered by the real helm binary. Every `helm template` run starts in beforeAll
 * and runs in parallel; the tests then only read the results.
 */

const RELEASE = 'ml-autoscaling';
const NAMESPACE = 'autoscaling';
const SCALER_ADDRESS = `${RELEASE}-scaler.${NAMESPACE}.svc.cluster.local:9090`;

const set = (...pairs: string[]): string[] => pairs.flatMap((pair) => ['--set', pair]);

const EXTRA_SERVICES = [
  {
    preset: 'celery',
    namespace: 'reports',
    scaleTargetRef: { name: 'report-workers', envSourceContainerName: 'worker' },
    minReplicas: 0,
    // services.celeryWorkers sets idleReplicaCount=0 in this scenario; null clears the inherited value.
    idleReplicaCount: null,
    rabbitmq: { queueName: 'reports' },
    triggers: { errorRate: { enabled: false } },
  },
  {
    preset: 'vllm',
    namespace: 'ml',
    scaleTargetRef: { name: 'vllm-llama' },
    vllm: { modelName: 'meta-llama/Llama-3.1-8B-Instruct' },
    triggers: { gpuUtilization: { gpusPerReplica: 2 } },
    predictiveScaling: {
      leadTime: '20m',
      businessHours: 'Mon-Fri 08:00-18:00',
      businessHoursMultiplier: 1.5,
    },
  },
  {
    name: 'embeddings-gpu-memory',
    namespace: 'ml',
    scaleTargetRef: { name: 'embeddings' },
    maxReplicas: 6,
    extraTriggers: [
      {
        name: 'gpu-memory',
        metadata: {
          source: 'gpu',
          serverAddress: 'http://prometheus.monitoring:9090',
          metric: 'memory',
          threshold: 70,
        },
      },
    ],
  },
];

const setJson = (key: string, value: unknown): string[] => ['--set-json', `${key}=${JSON.stringify(value)}`];

/** A Value trigger beside the Celery preset; KEDA 2.18 applies the fallback to it too. */
const VALUE_TRIGGER = {
  name: 'backlog-total',
  metricType: 'Value',
  metadata: {
    source: 'prometheus',
    serverAddress: 'http://prometheus.monitoring:9090',
    query: 'sum(celery_queue_length)',
    threshold: '100',
  },
};

/** KEDA's own cpu and memory triggers beside the scaler's. */
const RESOURCE_TRIGGERS = [
  { name: 'cpu', type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } },
  {
    name: 'memory',
    type: 'memory',
    metricType: 'AverageValue',
    metadata: { value: '1536Mi', containerName: 'worker' },
  },
];

/** Value sets that must render; each is checked against the schemas and the scaler's parser. */
/** Workloads planned without a ScaledObject: one with its own queries, one from a deployment name. */
const WORKLOADS = [
  {
    name: 'web',
    namespace: 'shop',
    serverAddress: 'http://prometheus-operated.monitoring.svc:9090',
    cpuQuery: 'sum(rate(container_cpu_usage_seconds_total{namespace="shop",pod=~"web-.*"}[5m]))',
    memoryQuery: 'sum(container_memory_working_set_bytes{namespace="shop",pod=~"web-.*"})',
    timezone: 'Europe/Berlin',
  },
  {
    name: 'api',
    namespace: 'shop',
    deployment: 'api',
    serverAddressFromEnv: 'PROMETHEUS_URL',
    sampleInterval: '5m',
  },
];

/** The start-up time query of docs/metadata.md, which `--set` would split at its commas. */
const STARTUP_TIME_QUERY =
  'quantile(0.9, kube_pod_status_ready_time{namespace="ml", pod=~"vllm-.*"} - on (namespace, pod) kube_pod_created{namespace="ml", pod=~"vllm-.*"})';

const SCENARIOS: Record<string, string[]> = {
  defaults: [],
  workloads: [
    ...setJson('workloads', WORKLOADS),
    ...setJson('scaler.extraEnv', [{ name: 'PROMETHEUS_URL', value: 'http://prometheus:9090' }]),
  ],
  'node heap default': set('scaler.heapLimitMiB=0'),
  'vllm overrides': set(
    'services.vllmService.minReplicas=0',
    'services.vllmService.maxReplicas=4',
    'services.vllmService.cooldownPeriod=600',
    'predictiveScaling.enabled=true',
  ),
  'value trigger with fallback': setJson('services.celeryWorkers.extraTriggers', [VALUE_TRIGGER]),
  'cpu and memory beside the scaler': [
    ...setJson('services.celeryWorkers.extraTriggers', RESOURCE_TRIGGERS),
    ...set('services.celeryWorkers.fallback.behavior=currentReplicasIfHigher'),
  ],
  'cluster trigger authentication': set(
    'tls.enabled=true',
    'tls.server.secretName=scaler-tls',
    'tls.client.secretName=keda-client-tls',
    'tls.client.authenticationKind=ClusterTriggerAuthentication',
  ),
  'ca bundle from a secret': set('scaler.caBundle.secretName=corp-ca', 'scaler.caBundle.key=bundle.pem'),
  'celery overrides': set(
    'services.celeryWorkers.minReplicas=3',
    'services.celeryWorkers.maxReplicas=30',
    'services.celeryWorkers.cooldownPeriod=120',
    'predictiveScaling.enabled=true',
  ),
  'predictive scaling off': set('predictiveScaling.enabled=false'),
  'keda 2.17': set('kedaVersion=2.17'),
  'hpa tolerances given': [
    ...set(
      'services.celeryWorkers.behavior.scaleDown.tolerance=0.05',
      'services.vllmService.behavior.scaleUp.tolerance=null',
    ),
    '--set-string',
    'services.celeryWorkers.behavior.scaleUp.tolerance=20m',
  ],
  'tls with mtls': set(
    'tls.enabled=true',
    'tls.server.secretName=scaler-tls',
    'tls.client.secretName=keda-client-tls',
  ),
  'tls server only': set(
    'tls.enabled=true',
    'tls.mtls.enabled=false',
    'tls.server.secretName=scaler-tls',
    'tls.client.secretName=scaler-ca',
  ),
  'bundled redis, given password, no persistence': set(
    'redis.bundled.password=Zm9vYmFyYmF6',
    'redis.bundled.persistence.enabled=false',
  ),
  // An external URL replaces the bundled Redis without turning it off explicitly.
  'external redis url': set('redis.url=rediss://:pw@redis.example.internal:6380/2'),
  'external redis secret': set('redis.bundled.enabled=false', 'redis.existingSecret=shared-redis'),
  'one replica, no redis': set('redis.bundled.enabled=false', 'scaler.replicaCount=1'),
  'start-up time measured': [
    ...setJson('predictiveScaling.startupTimeQuery', STARTUP_TIME_QUERY),
    ...set('services.celeryWorkers.prometheus.serverAddress=http://celery-prometheus.monitoring.svc:9090'),
  ],
  'everything on': [
    ...set(
      'fullnameOverride=mlx',
      'metrics.serviceMonitor.enabled=true',
      'metrics.serviceMonitor.labels.release=kube-prometheus-stack',
      'networkPolicy.enabled=true',
      'grafana.dashboards.namespace=monitoring',
      'predictiveScaling.shadow=true',
      'predictiveScaling.shortfallTarget=0.05',
      'predictiveScaling.startupTimeServerAddress=http://prometheus-operated.monitoring.svc:9090',
      'tls.enabled=true',
      'tls.server.secretName=scaler-tls',
      'tls.client.secretName=keda-client-tls',
      'services.celeryWorkers.idleReplicaCount=0',
      'services.celeryWorkers.minReplicas=1',
      'services.vllmService.fallback.behavior=currentReplicas',
      'additionalLabels.team=ml-platform',
      'additionalAnnotations.owner=ml-platform@example.com',
      'scaler.service.annotations.owner=scaler-oncall@example.com',
      'metrics.serviceMonitor.scheme=https',
      'metrics.serviceMonitor.tlsConfig.insecureSkipVerify=true',
      'scaler.caBundle.configMapName=corp-ca',
      'prometheusRule.enabled=true',
    ),
    ...setJson('predictiveScaling.startupTimeQuery', STARTUP_TIME_QUERY),
    ...setJson('metrics.serviceMonitor.relabelings', [
      { sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' },
    ]),
    ...setJson('metrics.serviceMonitor.metricRelabelings', [
      { sourceLabels: ['__name__'], regex: 'keda_predictive_scaler_nodejs_.*', action: 'drop' },
    ]),
    '--set-json',
    `services.extra=${JSON.stringify(EXTRA_SERVICES)}`,
  ],
};

/** Value sets that must fail, with the message the user should see. */
const BAD_VALUES: Array<[string, string[], string]> = [
  [
    'a workload without a namespace',
    setJson('workloads', [{ name: 'web', serverAddress: 'http://p:9090', deployment: 'web' }]),
    "at '/workloads/0': missing property 'namespace'",
  ],
  [
    'negative scaler replicas',
    set('scaler.replicaCount=-1'),
    "at '/scaler/replicaCount': minimum: got -1, want 0",
  ],
  [
    'negative service replicas',
    set('services.celeryWorkers.minReplicas=-2'),
    "at '/services/celeryWorkers/minReplicas': minimum: got -2, want 0",
  ],
  [
    'maxReplicas below minReplicas',
    set('services.vllmService.minReplicas=3', 'services.vllmService.maxReplicas=2'),
    'services.vllmService: maxReplicas (2) must be greater than or equal to minReplicas (3)',
  ],
  [
    'maxReplicas below minReplicas in an extra service',
    [
      '--set-json',
      'services.extra=[{"preset":"celery","scaleTargetRef":{"name":"w"},"minReplicas":5,"maxReplicas":4}]',
    ],
    'services.extra[0]: maxReplicas (4) must be greater than or equal to minReplicas (5)',
  ],
  [
    'an unknown service key',
    set('services.celeryWorkers.maxReplica=5'),
    "at '/services/celeryWorkers': additional properties 'maxReplica' not allowed",
  ],
  [
    'an unknown service',
    set('services.redisWorkers.enabled=true'),
    "at '/services': additional properties 'redisWorkers' not allowed",
  ],
  [
    'an unknown key in an extra service',
    ['--set-json', 'services.extra=[{"preset":"vllm","scaleTargetRef":{"name":"v"},"minReplica":1}]'],
    "additional properties 'minReplica' not allowed",
  ],
  [
    'a zero threshold',
    set('services.vllmService.triggers.requestRate.threshold=0'),
    "at '/services/vllmService/triggers/requestRate/threshold'",
  ],
  [
    'idleReplicaCount not below minReplicas',
    set('services.vllmService.idleReplicaCount=0'),
    'services.vllmService: idleReplicaCount (0) must be less than minReplicas (0)',
  ],
  [
    'several replicas without shared state',
    set('redis.bundled.enabled=false'),
    'scaler.replicaCount=2 needs shared state',
  ],
  ['tls without a server secret', set('tls.enabled=true'), 'tls.enabled=true needs tls.server.secretName'],
  ['a negative heap limit', set('scaler.heapLimitMiB=-1'), "at '/scaler/heapLimitMiB'"],
  [
    'a trigger name used twice',
    setJson('services.celeryWorkers.extraTriggers', [
      { name: 'queue-depth', metadata: VALUE_TRIGGER.metadata },
    ]),
    'services.celeryWorkers: trigger name "queue-depth" is used twice; KEDA requires unique trigger names',
  ],
  [
    'a Value trigger with fallback on KEDA 2.17',
    [...setJson('services.celeryWorkers.extraTriggers', [VALUE_TRIGGER]), ...set('kedaVersion=2.17')],
    'services.celeryWorkers: trigger "backlog-total" has metricType Value, but KEDA before 2.18 applies fallback only to AverageValue triggers (kedaVersion is 2.17)',
  ],
  [
    'fallback.behavior on KEDA 2.16',
    set('kedaVersion=2.16', 'services.vllmService.fallback.behavior=currentReplicas'),
    'services.vllmService: fallback.behavior needs KEDA 2.17 or later (kedaVersion is 2.16)',
  ],
  [
    'an HPA tolerance that is not a ratio',
    ['--set-string', 'services.vllmService.behavior.scaleUp.tolerance=10%'],
    'services.vllmService.behavior.scaleUp.tolerance is "10%"; give a ratio at least 0 such as 0, 0.05 or "50m"',
  ],
  [
    'horizon shorter than leadTime',
    set('predictiveScaling.horizon=10m'),
    'services.celeryWorkers: trigger "queue-depth" has horizon 10m, shorter than its leadTime 15m',
  ],
  [
    'horizon shorter than a service’s leadTime',
    set('services.vllmService.predictiveScaling.leadTime=45m'),
    'services.vllmService: trigger "request-rate" has horizon 30m, shorter than its leadTime 45m',
  ],
  [
    'a trigger horizon in bare milliseconds shorter than its leadTime',
    setJson('services.celeryWorkers.extraTriggers', [
      { name: 'backlog', metadata: { ...VALUE_TRIGGER.metadata, leadTime: '20m', horizon: '900000' } },
    ]),
    'services.celeryWorkers: trigger "backlog" has horizon 900000, shorter than its leadTime 20m',
  ],
  [
    'a cpu trigger without metricType',
    setJson('services.celeryWorkers.extraTriggers', [{ type: 'cpu', metadata: { value: '70' } }]),
    "at '/services/celeryWorkers/extraTriggers/0': missing property 'metricType'",
  ],
  [
    'a cpu Utilization that is not a whole percentage',
    setJson('services.celeryWorkers.extraTriggers', [
      { type: 'cpu', metricType: 'Utilization', metadata: { value: '70%' } },
    ]),
    'services.celeryWorkers: cpu trigger "cpu" with metricType Utilization needs metadata.value, a whole percentage such as "70" (got "70%")',
  ],
  [
    'a memory AverageValue that is not a quantity',
    setJson('services.celeryWorkers.extraTriggers', [
      { type: 'memory', metricType: 'AverageValue', metadata: { value: '1.5 GB' } },
    ]),
    'a Kubernetes quantity such as "500m" or "512Mi" (got "1.5 GB")',
  ],
  [
    'only cpu and memory triggers with minReplicas 0',
    setJson('services.extra', [
      {
        scaleTargetRef: { name: 'api' },
        minReplicas: 0,
        maxReplicas: 5,
        fallback: { enabled: false },
        extraTriggers: RESOURCE_TRIGGERS,
      },
    ]),
    'services.extra[0]: only cpu/memory triggers with minReplicas 0',
  ],
  [
    'a fallback with only cpu and memory triggers',
    setJson('services.extra', [
      {
        scaleTargetRef: { name: 'api' },
        minReplicas: 1,
        maxReplicas: 5,
        fallback: { enabled: true, failureThreshold: 3, replicas: 2 },
        extraTriggers: RESOURCE_TRIGGERS,
      },
    ]),
    'services.extra[0]: fallback needs at least one trigger that is not cpu or memory, as KEDA requires',
  ],
  [
    'a CA bundle from both a ConfigMap and a Secret',
    set('scaler.caBundle.configMapName=a', 'scaler.caBundle.secretName=b'),
    "at '/scaler/caBundle': 'not' failed",
  ],
  // values.schema.json: the path of the wrong value and the rule it breaks.
  [
    'an unknown fallback behavior',
    set('services.celeryWorkers.fallback.behavior=sometimes'),
    "at '/services/celeryWorkers/fallback/behavior': value must be one of '', 'static', 'currentReplicas', 'currentReplicasIfHigher', 'currentReplicasIfLower'",
  ],
  [
    'kedaVersion as a number',
    ['--set-json', 'kedaVersion=2.18'],
    "at '/kedaVersion': got number, want string",
  ],
  [
    'kedaVersion with a patch level',
    set('kedaVersion=v2.18.1'),
    "at '/kedaVersion': 'v2.18.1' does not match pattern",
  ],
  [
    'an unknown authentication kind',
    set('tls.client.authenticationKind=SecretAuthentication'),
    "at '/tls/client/authenticationKind': value must be one of 'TriggerAuthentication', 'ClusterTriggerAuthentication'",
  ],
  [
    'an error ratio above 1',
    set('prometheusRule.alerts.triggerErrors.maxErrorRatio=5'),
    "at '/prometheusRule/alerts/triggerErrors/maxErrorRatio'",
  ],
  [
    'an alert for that is not a duration',
    set('prometheusRule.alerts.scalerDown.for=five minutes'),
    "at '/prometheusRule/alerts/scalerDown/for': 'five minutes' does not match pattern",
  ],
  [
    'a ServiceMonitor scheme other than http or https',
    set('metrics.serviceMonitor.scheme=ftp'),
    "at '/metrics/serviceMonitor/scheme': value must be one of 'http', 'https'",
  ],
];

const rendered = new Map<string, Manifest[]>();
const failures = new Map<string, HelmResult>();
const lints: HelmResult[] = [];

beforeAll(async () => {
  await helmBinary();
  const template = (args: string[]): Promise<HelmResult> =>
    runHelm(['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...args]);
  await Promise.all([
    ...Object.entries(SCENARIOS).map(async ([name, args]) => {
      const result = await template(args);
      if (result.code !== 0) throw new Error(`helm template (${name}) failed:\n${result.stderr}`);
      rendered.set(name, parseManifests(result.stdout));
    }),
    ...BAD_VALUES.map(async ([name, args]) => failures.set(name, await template(args))),
    ...[[], SCENARIOS['tls with mtls'] ?? [], SCENARIOS['external redis url'] ?? []].map(async (args) =>
      lints.push(await runHelm(['lint', CHART_DIR, '--strict', '--namespace', NAMESPACE, ...args])),
    ),
  ]);
}, 120_000);

function manifests(scenario: string): Manifest[] {
  const docs = rendered.get(scenario);
  if (docs === undefined) throw new Error(`scenario ${scenario} was not rendered`);
  return docs;
}

function find(scenario: string, kind: string, name?: string): Manifest {
  const doc = manifests(scenario).find(
    (d) => d.kind === kind && (name === undefined || d.metadata.name === name),
  );
  if (doc === undefined) throw new Error(`${scenario}: no ${kind}${name === undefined ? '' : ` ${name}`}`);
  return doc;
}

function all(scenario: string, kind: string): Manifest[] {
  return manifests(scenario).filter((d) => d.kind === kind);
}

interface Container {
  name: string;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  livenessProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
  securityContext?: Record<string, unknown>;
  resources?: Record<string, unknown>;
  ports?: Array<{ name: string; containerPort: number }>;
}
interface PodSpecLike {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  serviceAccountName?: string;
  topologySpreadConstraints?: Array<{
    topologyKey: string;
    labelSelector?: { matchLabels?: Record<string, string> };
  }>;
  volumes?: Array<{ name: string; secret?: { secretName: string } }>;
}
interface WorkloadSpec {
  replicas?: number;
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: PodSpecLike };
}
interface ScaledObjectSpec {
  scaleTargetRef: { name: string; kind?: string };
  minReplicaCount?: number;
  maxReplicaCount?: number;
  pollingInterval?: number;
  cooldownPeriod?: number;
  idleReplicaCount?: number;
  fallback?: { failureThreshold: number; replicas: number };
  advanced?: { horizontalPodAutoscalerConfig?: { behavior?: Record<string, unknown> } };
}

const workload = (doc: Manifest): WorkloadSpec => doc.spec as WorkloadSpec;
const soSpec = (doc: Manifest): ScaledObjectSpec => doc.spec as ScaledObjectSpec;
const scaler = (scenario: string): Container => {
  const container = workload(find(scenario, 'Deployment')).template.spec.containers[0];
  if (container === undefined) throw new Error('scaler Deployment has no container');
  return container;
};
const env = (container: Container, name: string) => container.env?.find((e) => e.name === name);

/** The triggers the scaler serves (KEDA's own cpu and memory triggers left out). */
const scalerTriggersOf = (so: Manifest) => triggersOf(so).filter((t) => t.type.startsWith('external'));

function parsedTriggers(so: Manifest): Map<string, TriggerConfig> {
  const parsed = new Map<string, TriggerConfig>();
  for (const trigger of scalerTriggersOf(so))
    parsed.set(trigger.name ?? '', parseTriggerMetadata(metadataAsKedaSendsIt(trigger.metadata)));
  return parsed;
}

describe('helm lint', () => {
  it('passes --strict for the defaults, TLS and external Redis', () => {
    expect(lints).toHaveLength(3);
    for (const lint of lints) {
      expect(`${lint.stdout}${lint.stderr}`).toContain('0 chart(s) failed');
      expect(lint.code).toBe(0);
    }
  });
});

describe.each(Object.keys(SCENARIOS))('helm template: %s', (scenario) => {
  it('renders only objects that validate against the Kubernetes and KEDA schemas', () => {
    const docs = manifests(scenario);
    expect(docs.length).toBeGreaterThan(5);
    for (const doc of docs) expect(() => validateManifest(doc)).not.toThrow();
  });

  it('renders triggers whose metadata is all strings and parses with the scaler’s own parser', () => {
    const scaledObjects = all(scenario, 'ScaledObject');
    expect(scaledObjects.length).toBeGreaterThan(0);
    for (const so of scaledObjects) {
      const triggers = triggersOf(so);
      expect(triggers.length).toBeGreaterThan(0);
      for (const trigger of triggers.filter((t) => !['cpu', 'memory'].includes(t.type))) {
        expect(['external', 'external-push']).toContain(trigger.type);
        expect(['AverageValue', 'Value']).toContain(trigger.metricType);
        const metadata = metadataAsKedaSendsIt(trigger.metadata);
        expect(() => parseTriggerMetadata(metadata)).not.toThrow();
      }
    }
  });

  it('points every trigger at the headless scaler Service', () => {
    const service = find(scenario, 'Service', `${find(scenario, 'Deployment').metadata.name}`);
    const address = `${service.metadata.name}.${NAMESPACE}.svc.cluster.local:9090`;
    expect((service.spec as { clusterIP: string }).clusterIP).toBe('None');
    for (const so of all(scenario, 'ScaledObject')) {
      for (const trigger of triggersOf(so).filter((t) => t.type.startsWith('external'))) {
        expect(trigger.metadata.scalerAddress).toBe(address);
      }
    }
  });

  it('renders ScaledObjects KEDA’s admission webhook accepts without a warning', () => {
    for (const so of all(scenario, 'ScaledObject')) {
      expect({ name: so.metadata.name, ...kedaAdmission(so) }).toEqual({
        name: so.metadata.name,
        warnings: [],
        errors: [],
      });
    }
  });
});

describe('defaults', () => {
  it('runs two scaler replicas with gRPC probes on the health service, non-root and read-only', () => {
    const deployment = find('defaults', 'Deployment', `${RELEASE}-scaler`);
    const spec = workload(deployment);
    const container = scaler('defaults');
    expect(spec.replicas).toBe(2);
    expect(container.livenessProbe).toMatchObject({ grpc: { port: 9090 } });
    expect(container.readinessProbe).toMatchObject({ grpc: { port: 9090 } });
    expect(container.ports).toEqual([
      { name: 'grpc', containerPort: 9090, protocol: 'TCP' },
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
    ]);
    expect(spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources).toMatchObject({ requests: { cpu: '100m', memory: '128Mi' } });
    const constraints = spec.template.spec.topologySpreadConstraints ?? [];
    expect(constraints.map((c) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    for (const constraint of constraints) {
      expect(constraint.labelSelector?.matchLabels).toEqual(spec.selector.matchLabels);
    }
    expect(spec.template.metadata.labels).toMatchObject(spec.selector.matchLabels);
  });

  it('passes ports, log level and the bundled Redis URL through env', () => {
    const container = scaler('defaults');
    expect(env(container, 'GRPC_PORT')?.value).toBe('9090');
    expect(env(container, 'HTTP_PORT')?.value).toBe('8080');
    expect(env(container, 'LOG_LEVEL')?.value).toBe('info');
    expect(env(container, 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
      name: `${RELEASE}-redis`,
      key: 'redis-password',
    });
    const names = (container.env ?? []).map((e) => e.name);
    // $(REDIS_PASSWORD) only expands when it is defined earlier in the list.
    expect(names.indexOf('REDIS_PASSWORD')).toBeLessThan(names.indexOf('REDIS_URL'));
    expect(env(container, 'REDIS_URL')?.value).toBe(
      `redis://:$(REDIS_PASSWORD)@${RELEASE}-redis.${NAMESPACE}.svc.cluster.local:6379/0`,
    );
    expect(env(container, 'TLS_CERT_FILE')).toBeUndefined();
  });

  it('caps the V8 heap at scaler.heapLimitMiB, and leaves Node’s default at 0', () => {
    expect(env(scaler('defaults'), 'NODE_OPTIONS')?.value).toBe('--max-old-space-size=192');
    expect(env(scaler('node heap default'), 'NODE_OPTIONS')).toBeUndefined();
  });

  it('selects the scaler pods from the headless Service, the PodDisruptionBudget and the ServiceAccount', () => {
    const spec = workload(find('defaults', 'Deployment'));
    const service = find('defaults', 'Service', `${RELEASE}-scaler`).spec as {
      selector: Record<string, string>;
      ports: Array<{ name: string; port: number }>;
    };
    expect(service.selector).toEqual(spec.selector.matchLabels);
    expect(service.ports.map((p) => [p.name, p.port])).toEqual([
      ['grpc', 9090],
      ['http', 8080],
    ]);
    const pdb = find('defaults', 'PodDisruptionBudget').spec as {
      selector: { matchLabels: Record<string, string> };
    };
    expect(pdb.selector.matchLabels).toEqual(spec.selector.matchLabels);
    expect(spec.template.spec.serviceAccountName).toBe(find('defaults', 'ServiceAccount').metadata.name);
  });

  it('bundles a password-protected Redis with persistence', () => {
    const statefulSet = find('defaults', 'StatefulSet', `${RELEASE}-redis`);
    const spec = statefulSet.spec as WorkloadSpec & { volumeClaimTemplates?: unknown[]; serviceName: string };
    expect(spec.volumeClaimTemplates).toHaveLength(1);
    expect(spec.serviceName).toBe(`${RELEASE}-redis`);
    const secret = find('defaults', 'Secret', `${RELEASE}-redis`) as Manifest & {
      data: Record<string, string>;
    };
    expect(Buffer.from(secret.data['redis-password'] ?? '', 'base64').toString()).toMatch(
      /^[A-Za-z0-9]{32}$/,
    );
    const args = (spec.template.spec.containers[0] as Container & { args: string[] }).args;
    expect(args.slice(0, 2)).toEqual(['--requirepass', '$(REDIS_PASSWORD)']);
  });

  it('renders the Celery preset: queue depth 5, P95 runtime 10 s, error ratio 0.05, 2 to 20, cooldown 60 s', () => {
    const so = find('defaults', 'ScaledObject', 'celery-workers');
    expect(soSpec(so)).toMatchObject({
      scaleTargetRef: { name: 'celery-workers', kind: 'Deployment' },
      minReplicaCount: 2,
      maxReplicaCount: 20,
      fallback: { failureThreshold: 3, replicas: 6 },
      advanced: {
        horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } },
      },
    });
    expect(soSpec(so).idleReplicaCount).toBeUndefined();
    // Never idle (minReplicas 2, no idleReplicaCount): KEDA reads neither and warns about both.
    expect(soSpec(so).pollingInterval).toBeUndefined();
    expect(soSpec(so).cooldownPeriod).toBeUndefined();
    const triggers = parsedTriggers(so);
    expect([...triggers.keys()]).toEqual(['queue-depth', 'task-latency-p95', 'error-rate']);
    expect(triggers.get('queue-depth')).toMatchObject({
      source: 'rabbitmq',
      protocol: 'amqp',
      queueName: 'celery',
      mode: 'QueueLength',
      target: 5,
    });
    const queueDepth = triggersOf(so).find((t) => t.name === 'queue-depth');
    expect(queueDepth?.metadata.hostFromEnv).toBe('CELERY_BROKER_URL');
    expect(queueDepth?.metadata.host).toBeUndefined();
    expect(triggers.get('task-latency-p95')).toMatchObject({ source: 'prometheus', target: 10 });
    expect(triggers.get('error-rate')).toMatchObject({ source: 'prometheus', target: 0.05 });
    const query = (name: string): string => {
      const config = triggers.get(name);
      return config?.source === 'prometheus' ? config.query : '';
    };
    expect(query('task-latency-p95')).toContain(
      'histogram_quantile(0.95, sum by (le) (rate(celery_task_runtime_bucket{queue_name="celery"}[5m])))',
    );
    expect(query('error-rate')).toContain('celery_task_failed_total{queue_name="celery"}');
    expect(query('error-rate')).toContain('celery_task_succeeded_total{queue_name="celery"}');
    for (const name of ['task-latency-p95', 'error-rate']) {
      expect(query(name)).toContain('max(celery_active_worker_count{queue_name="celery"})');
    }
  });

  it('renders the vLLM preset: five signals, 0 to 4, five idle minutes, external-push wake-up', () => {
    const so = find('defaults', 'ScaledObject', 'vllm');
    expect(soSpec(so)).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 4, cooldownPeriod: 300 });
    // KEDA requires idleReplicaCount < minReplicaCount, so with min 0 it must stay unset.
    expect(soSpec(so).idleReplicaCount).toBeUndefined();
    const triggers = parsedTriggers(so);
    expect([...triggers.keys()]).toEqual([
      'request-rate',
      'latency-p95',
      'gpu-utilization',
      'token-rate',
      'waiting-requests',
    ]);
    expect(triggers.get('gpu-utilization')).toMatchObject({
      source: 'gpu',
      metric: 'utilization',
      aggregation: 'sum',
      target: 80,
      selector: `namespace="${NAMESPACE}",pod=~"vllm-.*"`,
    });
    const expected: Array<[string, number, string]> = [
      ['request-rate', 10, 'sum(rate(vllm:request_success_total[2m]))'],
      ['latency-p95', 0.5, 'rate(vllm:e2e_request_latency_seconds_bucket[2m])'],
      ['token-rate', 5000, 'vllm:generation_tokens_total'],
      ['waiting-requests', 5, 'sum(vllm:num_requests_waiting)'],
    ];
    for (const [name, target, fragment] of expected) {
      const config = triggers.get(name);
      expect(config).toMatchObject({ source: 'prometheus', target });
      expect(config?.source === 'prometheus' ? config.query : '').toContain(fragment);
    }
    const types = Object.fromEntries(triggersOf(so).map((t) => [t.name, t.type]));
    expect(types['waiting-requests']).toBe('external-push');
    expect(types['request-rate']).toBe('external');
  });

  it('ships the Grafana dashboard in a ConfigMap the sidecar picks up', () => {
    const configMap = find('defaults', 'ConfigMap', `${RELEASE}-dashboard`) as Manifest & {
      data: Record<string, string>;
    };
    expect(configMap.metadata.labels?.grafana_dashboard).toBe('1');
    const json = configMap.data['ml-autoscaling.json'] ?? '';
    const dashboard = JSON.parse(json) as { uid: string; panels: unknown[] };
    expect(dashboard.uid).toBe('ml-autoscaling');
    for (const metric of [
      'keda_predictive_scaler_live_value',
      'keda_predictive_scaler_forecast_value',
      'keda_predictive_scaler_returned_value',
      'keda_predictive_scaler_anomalies_total',
      'keda_predictive_scaler_forecast_mase',
      'keda_predictive_scaler_forecast_degraded',
      'keda_predictive_scaler_active',
      'keda_predictive_scaler_wakeups_total',
      'keda_predictive_scaler_grpc_request_duration_seconds_bucket',
      'kube_horizontalpodautoscaler_status_current_replicas',
      'kube_deployment_status_replicas',
      'keda_predictive_scaler_prewarm_replica_seconds_total',
      'DCGM_FI_DEV_GPU_UTIL',
      'DCGM_FI_DEV_FB_USED',
      'DCGM_FI_DEV_FB_FREE',
    ]) {
      expect(json).toContain(metric);
    }
    const ids = (dashboard.panels as Array<{ id: number }>).map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('selects the GPU triggers’ series by the metric name the scaler gives them', () => {
    const configMap = find('defaults', 'ConfigMap', `${RELEASE}-dashboard`) as Manifest & {
      data: Record<string, string>;
    };
    const dashboard = JSON.parse(configMap.data['ml-autoscaling.json'] ?? '') as {
      panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
    };
    const gpuPanel = dashboard.panels.find((panel) => panel.title.startsWith('GPU trigger'));
    const exprs = (gpuPanel?.targets ?? []).map((target) => target.expr);
    expect(exprs).toHaveLength(4);
    const gpuMetrics = exprs[0]?.match(/metric=~"([^"]+)"/)?.[1] ?? '';
    for (const expr of exprs) expect(expr).toContain(`metric=~"${gpuMetrics}"`);
    // Prometheus anchors a regex matcher at both ends.
    const pattern = new RegExp(`^(?:${gpuMetrics})$`);
    const vllm = parsedTriggers(find('defaults', 'ScaledObject', 'vllm'));
    expect(vllm.get('gpu-utilization')?.metricName).toMatch(pattern);
    expect(vllm.get('request-rate')?.metricName).not.toMatch(pattern);
  });

  it('queries only series the scaler exports', () => {
    const configMap = find('defaults', 'ConfigMap', `${RELEASE}-dashboard`) as Manifest & {
      data: Record<string, string>;
    };
    const queried = new Set(
      configMap.data['ml-autoscaling.json']?.match(/keda_predictive_scaler_[a-z_]+/g) ?? [],
    );
    const exported = new Set(
      new ScalerMetrics(new Registry(), { defaultMetrics: false }).registry
        .getMetricsAsArray()
        .flatMap((metric) => {
          const name = metric.name;
          return [name, `${name}_bucket`, `${name}_count`, `${name}_sum`];
        }),
    );
    expect(queried.size).toBeGreaterThan(5);
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('addresses the scaler as <release>-scaler.<namespace>.svc.cluster.local:9090', () => {
    for (const so of all('defaults', 'ScaledObject')) {
      for (const trigger of triggersOf(so)) expect(trigger.metadata.scalerAddress).toBe(SCALER_ADDRESS);
    }
  });

  it('renders no TLS, ServiceMonitor or NetworkPolicy unless asked', () => {
    for (const kind of ['TriggerAuthentication', 'ServiceMonitor', 'NetworkPolicy']) {
      expect(all('defaults', kind)).toHaveLength(0);
    }
    for (const so of all('defaults', 'ScaledObject')) {
      for (const trigger of triggersOf(so)) expect(trigger.authenticationRef).toBeUndefined();
    }
  });
});

describe('value overrides', () => {
  it('applies services.vllmService.* and predictiveScaling.enabled', () => {
    const so = find('vllm overrides', 'ScaledObject', 'vllm');
    expect(soSpec(so)).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 4 });
    for (const trigger of triggersOf(so)) expect(trigger.metadata.predictive).toBe('true');
  });

  it('applies services.celeryWorkers.*', () => {
    const so = find('celery overrides', 'ScaledObject', 'celery-workers');
    expect(soSpec(so)).toMatchObject({ minReplicaCount: 3, maxReplicaCount: 30 });
    expect(soSpec(so).cooldownPeriod).toBeUndefined();
    for (const trigger of triggersOf(so)) expect(trigger.metadata.predictive).toBe('true');
  });

  it('renders the same triggers live-only when predictiveScaling.enabled=false', () => {
    const before = all('defaults', 'ScaledObject');
    const after = all('predictive scaling off', 'ScaledObject');
    expect(after.map((so) => so.metadata.name)).toEqual(before.map((so) => so.metadata.name));
    for (const [i, so] of after.entries()) {
      const original = triggersOf(before[i] as Manifest);
      const triggers = triggersOf(so);
      expect(triggers.map((t) => [t.name, t.type])).toEqual(original.map((t) => [t.name, t.type]));
      for (const [j, trigger] of triggers.entries()) {
        expect(trigger.metadata.predictive).toBe('false');
        expect({ ...trigger.metadata, predictive: 'true' }).toEqual(original[j]?.metadata);
        expect(parseTriggerMetadata(metadataAsKedaSendsIt(trigger.metadata)).predictive).toBe('false');
      }
    }
  });

  it('carries the prediction defaults and per-service overrides into every trigger', () => {
    for (const so of all('defaults', 'ScaledObject')) {
      for (const trigger of triggersOf(so)) {
        expect(trigger.metadata).toMatchObject({
          predictive: 'true',
          leadTime: '15m',
          horizon: '30m',
          seasonality: 'auto',
          quantile: '0.9',
          historyWindow: '14d',
          anomalyThreshold: '3.5',
        });
        expect(trigger.metadata.businessHours).toBeUndefined();
        expect(trigger.metadata.shortfallTarget).toBeUndefined();
        expect(trigger.metadata.startupTimeQuery).toBeUndefined();
        expect(trigger.metadata.startupTimeServerAddress).toBeUndefined();
      }
    }
    const startupTimes = Object.fromEntries(
      all('defaults', 'ScaledObject').map((so) => [
        so.metadata.name,
        [...new Set(triggersOf(so).map((t) => t.metadata.startupTime))],
      ]),
    );
    expect(startupTimes).toMatchObject({ 'celery-workers': ['1m'], vllm: ['5m'] });
    const llama = find('everything on', 'ScaledObject', 'vllm-llama');
    for (const config of parsedTriggers(llama).values()) {
      expect(config).toMatchObject({
        predictive: 'shadow',
        leadTimeMs: 20 * 60_000,
        businessHoursMultiplier: 1.5,
        shortfallTarget: 0.05,
        startupTimeQuery: STARTUP_TIME_QUERY,
        startupTimeServerAddress: 'http://prometheus-operated.monitoring.svc:9090',
      });
      expect(config.businessHours).toHaveLength(1);
    }
  });
});

describe('startupTimeQuery', () => {
  it('goes to every scaler trigger; RabbitMQ ones ask their service’s Prometheus, the others their own', () => {
    const addresses = new Map<string, unknown>();
    for (const so of all('start-up time measured', 'ScaledObject')) {
      for (const [name, config] of parsedTriggers(so)) {
        expect(config.startupTimeQuery).toBe(STARTUP_TIME_QUERY);
        addresses.set(`${so.metadata.name}/${name}:${config.source}`, config.startupTimeServerAddress);
      }
    }
    expect(Object.fromEntries(addresses)).toMatchObject({
      'celery-workers/queue-depth:rabbitmq': 'http://celery-prometheus.monitoring.svc:9090',
      'celery-workers/task-latency-p95:prometheus': undefined,
    });
    expect([...addresses.values()].filter((address) => address !== undefined)).toHaveLength(1);
  });

  it('keeps a startupTimeServerAddress given for the service', () => {
    for (const config of parsedTriggers(find('everything on', 'ScaledObject', 'celery-workers')).values())
      expect(config.startupTimeServerAddress).toBe('http://prometheus-operated.monitoring.svc:9090');
  });
});

describe('cooldownPeriod', () => {
  it.each(Object.keys(SCENARIOS))(
    '%s: each trigger carries its ScaledObject’s cooldownPeriod, so it is set once',
    (scenario) => {
      for (const so of all(scenario, 'ScaledObject')) {
        const seconds = soSpec(so).cooldownPeriod;
        for (const trigger of scalerTriggersOf(so)) {
          expect(trigger.metadata.cooldownPeriod).toBe(seconds === undefined ? undefined : `${seconds}s`);
        }
        for (const config of parsedTriggers(so).values()) {
          expect(config.cooldownPeriodMs).toBe((seconds ?? 300) * 1000);
        }
      }
    },
  );

  it('follows a changed cooldownPeriod', () => {
    const so = find('vllm overrides', 'ScaledObject', 'vllm');
    expect(soSpec(so)).toMatchObject({ cooldownPeriod: 600, pollingInterval: 15 });
    for (const config of parsedTriggers(so).values()) expect(config.cooldownPeriodMs).toBe(600_000);
  });

  it('renders pollingInterval and cooldownPeriod once a workload can go idle', () => {
    expect(soSpec(find('everything on', 'ScaledObject', 'celery-workers'))).toMatchObject({
      minReplicaCount: 1,
      idleReplicaCount: 0,
      pollingInterval: 15,
      cooldownPeriod: 60,
    });
  });
});

describe('TLS', () => {
  it('mounts the server certificate, requires client certificates and probes over HTTP', () => {
    const container = scaler('tls with mtls');
    expect(env(container, 'TLS_CERT_FILE')?.value).toBe('/etc/scaler/tls/tls.crt');
    expect(env(container, 'TLS_KEY_FILE')?.value).toBe('/etc/scaler/tls/tls.key');
    expect(env(container, 'TLS_CA_FILE')?.value).toBe('/etc/scaler/tls/ca.crt');
    const volumes = workload(find('tls with mtls', 'Deployment')).template.spec.volumes ?? [];
    expect(volumes.find((v) => v.name === 'tls')?.secret?.secretName).toBe('scaler-tls');
    // kubelet's gRPC probe cannot do TLS.
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 'http' } });
  });

  it('gives KEDA caCert, tlsClientCert and tlsClientKey through a TriggerAuthentication every trigger uses', () => {
    const auth = find('tls with mtls', 'TriggerAuthentication');
    expect(auth.metadata).toMatchObject({ name: `${RELEASE}-scaler-tls`, namespace: NAMESPACE });
    expect((auth.spec as { secretTargetRef: unknown[] }).secretTargetRef).toEqual([
      { parameter: 'caCert', name: 'keda-client-tls', key: 'ca.crt' },
      { parameter: 'tlsClientCert', name: 'keda-client-tls', key: 'tls.crt' },
      { parameter: 'tlsClientKey', name: 'keda-client-tls', key: 'tls.key' },
    ]);
    for (const so of all('tls with mtls', 'ScaledObject')) {
      for (const trigger of triggersOf(so))
        expect(trigger.authenticationRef).toEqual({ name: `${RELEASE}-scaler-tls` });
    }
  });

  it('without mTLS passes only the CA to KEDA and no CA to the scaler', () => {
    expect(env(scaler('tls server only'), 'TLS_CA_FILE')).toBeUndefined();
    const auth = find('tls server only', 'TriggerAuthentication');
    expect(
      (auth.spec as { secretTargetRef: Array<{ parameter: string }> }).secretTargetRef.map(
        (r) => r.parameter,
      ),
    ).toEqual(['caCert']);
  });

  it('renders one TriggerAuthentication per ScaledObject namespace', () => {
    const namespaces = all('everything on', 'TriggerAuthentication').map((a) => a.metadata.namespace);
    expect(namespaces.sort()).toEqual([NAMESPACE, 'ml', 'reports']);
  });
});

describe('Redis', () => {
  it('uses a given bundled password and runs without a volume claim when persistence is off', () => {
    const scenario = 'bundled redis, given password, no persistence';
    const secret = find(scenario, 'Secret', `${RELEASE}-redis`) as Manifest & {
      data: Record<string, string>;
    };
    expect(Buffer.from(secret.data['redis-password'] ?? '', 'base64').toString()).toBe('Zm9vYmFyYmF6');
    const spec = find(scenario, 'StatefulSet').spec as { volumeClaimTemplates?: unknown[] };
    expect(spec.volumeClaimTemplates).toBeUndefined();
  });

  it('stores an external URL in a Secret and reads REDIS_URL from it', () => {
    const scenario = 'external redis url';
    expect(all(scenario, 'StatefulSet')).toHaveLength(0);
    const secret = find(scenario, 'Secret', `${RELEASE}-redis-url`) as Manifest & {
      stringData: Record<string, string>;
    };
    expect(secret.stringData['redis-url']).toBe('rediss://:pw@redis.example.internal:6380/2');
    expect(env(scaler(scenario), 'REDIS_URL')?.valueFrom?.secretKeyRef).toEqual({
      name: `${RELEASE}-redis-url`,
      key: 'redis-url',
    });
  });

  it('reads REDIS_URL from an existing Secret without rendering one', () => {
    const scenario = 'external redis secret';
    expect(all(scenario, 'Secret')).toHaveLength(0);
    expect(env(scaler(scenario), 'REDIS_URL')?.valueFrom?.secretKeyRef).toEqual({
      name: 'shared-redis',
      key: 'redis-url',
    });
  });

  it('runs a single replica in-process when no Redis is configured', () => {
    const scenario = 'one replica, no redis';
    expect(workload(find(scenario, 'Deployment')).replicas).toBe(1);
    expect(env(scaler(scenario), 'REDIS_URL')).toBeUndefined();
    expect(all(scenario, 'StatefulSet')).toHaveLength(0);
  });
});

describe('workloads', () => {
  it('renders WORKLOADS_FILE from values: a ConfigMap the scaler reads as it is, mounted, and rolled on change', () => {
    const configMap = find('workloads', 'ConfigMap', 'ml-autoscaling-scaler-workloads');
    const text = (configMap as unknown as { data: Record<string, string> }).data['workloads.yaml'] as string;
    const parsed = parseWorkloads(text, 'workloads.yaml', { PROMETHEUS_URL: 'http://prometheus:9090' });
    expect(parsed.map((w) => `${w.namespace}/${w.name}`)).toEqual(['shop/web', 'shop/api']);
    expect(parsed[0]?.timezone).toBe('Europe/Berlin');
    expect(parsed[1]?.cpu).toMatchObject({
      serverAddress: 'http://prometheus:9090',
      sampleIntervalMs: 300_000,
    });

    const container = scaler('workloads');
    expect(env(container, 'WORKLOADS_FILE')?.value).toBe('/etc/scaler/workloads/workloads.yaml');
    const pod = workload(find('workloads', 'Deployment')).template;
    const volumes = pod.spec.volumes as Array<{ name: string; configMap?: { name: string } }>;
    expect(volumes.find((v) => v.name === 'workloads')?.configMap?.name).toBe(configMap.metadata.name);
    const mounts = (container as unknown as { volumeMounts: Array<{ name: string; mountPath: string }> })
      .volumeMounts;
    expect(mounts).toContainEqual({ name: 'workloads', mountPath: '/etc/scaler/workloads', readOnly: true });
    const annotations = (pod.metadata as { annotations?: Record<string, string> }).annotations ?? {};
    expect(annotations['checksum/workloads']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('renders no workloads file by default', () => {
    expect(all('defaults', 'ConfigMap').map((c) => c.metadata.name)).not.toContain(
      'ml-autoscaling-scaler-workloads',
    );
    expect(env(scaler('defaults'), 'WORKLOADS_FILE')).toBeUndefined();
  });
});

describe('optional parts and extra services', () => {
  it('renders the ServiceMonitor, NetworkPolicies and the dashboard in Grafana’s namespace', () => {
    const scenario = 'everything on';
    const monitor = find(scenario, 'ServiceMonitor');
    expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
    expect((monitor.spec as { endpoints: unknown[] }).endpoints).toEqual([
      {
        port: 'http',
        path: '/metrics',
        interval: '30s',
        scrapeTimeout: '10s',
        honorLabels: true,
        scheme: 'https',
        tlsConfig: { insecureSkipVerify: true },
        relabelings: [
          { sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' },
        ],
        metricRelabelings: [
          { sourceLabels: ['__name__'], regex: 'keda_predictive_scaler_nodejs_.*', action: 'drop' },
        ],
      },
    ]);
    expect(all(scenario, 'NetworkPolicy').map((p) => p.metadata.name)).toEqual(['mlx-scaler', 'mlx-redis']);
    expect(find(scenario, 'ConfigMap', 'mlx-dashboard').metadata.namespace).toBe('monitoring');
    for (const trigger of triggersOf(find(scenario, 'ScaledObject', 'vllm'))) {
      expect(trigger.metadata.scalerAddress).toBe(`mlx-scaler.${NAMESPACE}.svc.cluster.local:9090`);
    }
  });

  it('renders extra services from presets (inheriting the preset service) and from plain triggers', () => {
    const scenario = 'everything on';
    expect(all(scenario, 'ScaledObject').map((so) => `${so.metadata.namespace}/${so.metadata.name}`)).toEqual(
      [
        `${NAMESPACE}/celery-workers`,
        `${NAMESPACE}/vllm`,
        'reports/report-workers',
        'ml/vllm-llama',
        'ml/embeddings-gpu-memory',
      ],
    );
    const reports = find(scenario, 'ScaledObject', 'report-workers');
    expect(soSpec(reports)).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 20, cooldownPeriod: 60 });
    expect(soSpec(reports).idleReplicaCount).toBeUndefined();
    expect(triggersOf(reports).map((t) => t.name)).toEqual(['queue-depth', 'task-latency-p95']);
    expect(parsedTriggers(reports).get('queue-depth')).toMatchObject({ queueName: 'reports' });
    const llama = parsedTriggers(find(scenario, 'ScaledObject', 'vllm-llama'));
    expect(llama.get('gpu-utilization')).toMatchObject({
      target: 160,
      selector: 'namespace="ml",pod=~"vllm-llama-.*"',
    });
    const requestRate = llama.get('request-rate');
    expect(requestRate?.source === 'prometheus' ? requestRate.query : '').toContain(
      'vllm:request_success_total{model_name="meta-llama/Llama-3.1-8B-Instruct"}',
    );
    const embeddings = find(scenario, 'ScaledObject', 'embeddings-gpu-memory');
    expect(soSpec(embeddings)).toMatchObject({ scaleTargetRef: { name: 'embeddings' }, maxReplicaCount: 6 });
    expect(parsedTriggers(embeddings).get('gpu-memory')).toMatchObject({
      source: 'gpu',
      metric: 'memory',
      target: 70,
    });
    expect(soSpec(find(scenario, 'ScaledObject', 'celery-workers')).idleReplicaCount).toBe(0);
  });
});

describe('fallback, KEDA resource triggers and trigger names', () => {
  it('keeps the fallback beside a Value trigger on KEDA 2.18', () => {
    const so = find('value trigger with fallback', 'ScaledObject', 'celery-workers');
    expect(soSpec(so).fallback).toEqual({ failureThreshold: 3, replicas: 6 });
    const value = triggersOf(so).find((t) => t.name === 'backlog-total');
    expect(value?.metricType).toBe('Value');
    expect(value?.metadata.scalerAddress).toBe(SCALER_ADDRESS);
  });

  it('renders fallback.behavior', () => {
    expect(
      soSpec(find('cpu and memory beside the scaler', 'ScaledObject', 'celery-workers')).fallback,
    ).toEqual({
      failureThreshold: 3,
      replicas: 6,
      behavior: 'currentReplicasIfHigher',
    });
    expect(soSpec(find('everything on', 'ScaledObject', 'vllm')).fallback).toMatchObject({
      behavior: 'currentReplicas',
    });
    expect(soSpec(find('defaults', 'ScaledObject', 'vllm')).fallback).not.toHaveProperty('behavior');
  });

  it('renders the presets’ scale-up tolerance 0 as a quantity string, and leaves it out for KEDA before 2.18', () => {
    type Rules = { scaleUp?: Record<string, unknown>; scaleDown?: Record<string, unknown> };
    const behavior = (scenario: string, name: string): Rules =>
      soSpec(find(scenario, 'ScaledObject', name)).advanced?.horizontalPodAutoscalerConfig?.behavior as Rules;
    for (const name of ['celery-workers', 'vllm']) {
      expect(behavior('defaults', name).scaleUp?.tolerance).toBe('0');
      expect(behavior('defaults', name).scaleDown).not.toHaveProperty('tolerance');
      expect(behavior('keda 2.17', name).scaleUp).not.toHaveProperty('tolerance');
      expect(behavior('keda 2.17', name).scaleUp?.stabilizationWindowSeconds).toBe(0);
    }
    expect(behavior('hpa tolerances given', 'celery-workers').scaleUp?.tolerance).toBe('20m');
    expect(behavior('hpa tolerances given', 'celery-workers').scaleDown?.tolerance).toBe('0.05');
    expect(behavior('hpa tolerances given', 'vllm').scaleUp).not.toHaveProperty('tolerance');
  });

  it('passes cpu and memory triggers to KEDA as they are: no scaler address, prediction keys or TLS', () => {
    const triggers = triggersOf(find('cpu and memory beside the scaler', 'ScaledObject', 'celery-workers'));
    expect(triggers.filter((t) => ['cpu', 'memory'].includes(t.type))).toEqual([
      { type: 'cpu', name: 'cpu', metricType: 'Utilization', metadata: { value: '70' } },
      {
        type: 'memory',
        name: 'memory',
        metricType: 'AverageValue',
        metadata: { containerName: 'worker', value: '1536Mi' },
      },
    ]);
    expect(triggers.filter((t) => t.type === 'external')).toHaveLength(3);
  });

  it('gives every trigger a unique name', () => {
    for (const scenario of Object.keys(SCENARIOS)) {
      for (const so of all(scenario, 'ScaledObject')) {
        const names = triggersOf(so).map((t) => t.name);
        expect(new Set(names).size).toBe(names.length);
      }
    }
  });
});

describe('ClusterTriggerAuthentication for KEDA’s mTLS', () => {
  it('renders one cluster-wide object that every trigger references by kind', () => {
    const scenario = 'cluster trigger authentication';
    expect(all(scenario, 'TriggerAuthentication')).toHaveLength(0);
    const [auth, ...others] = all(scenario, 'ClusterTriggerAuthentication');
    expect(others).toHaveLength(0);
    expect(auth?.metadata.name).toBe(`${RELEASE}-scaler-tls-${NAMESPACE}`);
    expect(auth?.metadata.namespace).toBeUndefined();
    expect((auth?.spec as { secretTargetRef: unknown[] }).secretTargetRef).toEqual([
      { parameter: 'caCert', name: 'keda-client-tls', key: 'ca.crt' },
      { parameter: 'tlsClientCert', name: 'keda-client-tls', key: 'tls.crt' },
      { parameter: 'tlsClientKey', name: 'keda-client-tls', key: 'tls.key' },
    ]);
    for (const so of all(scenario, 'ScaledObject')) {
      for (const trigger of triggersOf(so)) {
        expect(trigger.authenticationRef).toEqual({
          name: `${RELEASE}-scaler-tls-${NAMESPACE}`,
          kind: 'ClusterTriggerAuthentication',
        });
      }
    }
  });
});

describe('additionalLabels and additionalAnnotations', () => {
  it('land on every object, under the object’s own annotations', () => {
    const docs = manifests('everything on');
    expect(docs.length).toBeGreaterThan(10);
    for (const doc of docs) {
      expect({ kind: doc.kind, team: doc.metadata.labels?.team }).toEqual({
        kind: doc.kind,
        team: 'ml-platform',
      });
      const annotations = doc.metadata.annotations as Record<string, string> | undefined;
      const owner =
        doc.kind === 'Service' && doc.metadata.name === 'mlx-scaler'
          ? 'scaler-oncall@example.com'
          : 'ml-platform@example.com';
      expect({ kind: doc.kind, owner: annotations?.owner }).toEqual({ kind: doc.kind, owner });
    }
  });
});

describe('CA bundle for sources behind a private CA', () => {
  it.each([
    ['everything on', { configMap: { name: 'corp-ca', items: [{ key: 'ca.crt', path: 'ca-bundle.crt' }] } }],
    [
      'ca bundle from a secret',
      { secret: { secretName: 'corp-ca', items: [{ key: 'bundle.pem', path: 'ca-bundle.crt' }] } },
    ],
  ])('%s: mounts it read-only and names it in NODE_EXTRA_CA_CERTS', (scenario, source) => {
    const container = scaler(scenario) as Container & {
      volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
    };
    expect(env(container, 'NODE_EXTRA_CA_CERTS')?.value).toBe('/etc/scaler/ca-bundle/ca-bundle.crt');
    expect(container.volumeMounts).toContainEqual({
      name: 'ca-bundle',
      mountPath: '/etc/scaler/ca-bundle',
      readOnly: true,
    });
    const volumes = workload(find(scenario, 'Deployment')).template.spec.volumes ?? [];
    expect(volumes.find((v) => v.name === 'ca-bundle')).toEqual({ name: 'ca-bundle', ...source });
  });

  it('is not set without one', () => {
    expect(env(scaler('defaults'), 'NODE_EXTRA_CA_CERTS')).toBeUndefined();
  });
});

describe('bad values fail helm template with a clear message', () => {
  it.each(BAD_VALUES)('%s', (name, _args, message) => {
    const result = failures.get(name);
    expect(result?.code).not.toBe(0);
    expect(result?.stderr).toContain(message);
  });
});

describe('examples/scaledobjects match what the chart renders', () => {
  it.each([
    ['celery-workers.yaml', 'celery-workers', 'services.celeryWorkers.namespace=jobs'],
    ['vllm.yaml', 'vllm', 'services.vllmService.namespace=ml'],
  ])('%s', async (file, name, namespaceOverride) => {
    const example = parseManifests(
      await fs.readFile(path.join(REPO_ROOT, 'examples', 'scaledobjects', file), 'utf8'),
    );
    const result = await runHelm([
      'template',
      'ml-autoscaling',
      CHART_DIR,
      '--namespace',
      'keda',
      '--show-only',
      'templates/scaledobjects.yaml',
      '--set',
      namespaceOverride,
    ]);
    expect(result.stderr).toBe('');
    const fromChart = parseManifests(result.stdout).find((so) => so.metadata.name === name);
    const fromExample = example.find((doc) => doc.kind === 'ScaledObject');
    expect(fromExample?.metadata.name).toBe(fromChart?.metadata.name);
    expect(fromExample?.metadata.namespace).toBe(fromChart?.metadata.namespace);
    expect(fromExample?.spec).toEqual(fromChart?.spec);
  });
});

describe('values snippets in the docs', () => {
  it.each(['docs/helm-chart.md', 'docs/workload-presets.md'])(
    '%s: every values block renders',
    async (file) => {
      const markdown = await fs.readFile(path.join(REPO_ROOT, file), 'utf8');
      const valuesKeys = Object.keys(
        load(await fs.readFile(path.join(CHART_DIR, 'values.yaml'), 'utf8'), {
          schema: YAML11_SCHEMA,
        }) as object,
      );
      // A values block is one whose top-level keys are all chart values (not a manifest or a pod spec fragment).
      const blocks = [...markdown.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)]
        .map((match) => match[1] as string)
        .filter((yaml) => {
          const docs = loadAll(yaml, { schema: YAML11_SCHEMA });
          const [doc] = docs;
          return (
            docs.length === 1 &&
            doc !== null &&
            typeof doc === 'object' &&
            Object.keys(doc).every((key) => valuesKeys.includes(key))
          );
        });
      expect(blocks.length).toBeGreaterThan(0);
      const dir = path.join(REPO_ROOT, '.tmp', 'helm', 'doc-values');
      await fs.mkdir(dir, { recursive: true });
      const results = await Promise.all(
        blocks.map(async (yaml, i) => {
          const valuesFile = path.join(dir, `${path.basename(file, '.md')}-${i}.yaml`);
          await fs.writeFile(valuesFile, yaml);
          return runHelm(['template', RELEASE, CHART_DIR, '--namespace', 'keda', '-f', valuesFile]);
        }),
      );
      for (const result of results) expect(result.stderr).toBe('');
    },
  );
});

describe('values documentation', () => {
  /** Dotted paths of values.yaml down to its leaves (lists, scalars, empty maps). */
  function leafPaths(value: unknown, prefix = ''): string[] {
    if (
      value === null ||
      typeof value !== 'object' ||
      Array.isArray(value) ||
      Object.keys(value).length === 0
    ) {
      return [prefix];
    }
    return Object.entries(value).flatMap(([key, child]) =>
      leafPaths(child, prefix === '' ? key : `${prefix}.${key}`),
    );
  }

  /** The first-column keys of a markdown values table. */
  function tableKeys(markdown: string): string[] {
    return [...markdown.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1] as string);
  }

  it.each(['charts/ml-autoscaling/README.md', 'docs/helm-chart.md'])(
    '%s documents every value',
    async (file) => {
      const values = load(await fs.readFile(path.join(CHART_DIR, 'values.yaml'), 'utf8'), {
        schema: YAML11_SCHEMA,
      });
      const documented = new Set(tableKeys(await fs.readFile(path.join(REPO_ROOT, file), 'utf8')));
      const leaves = leafPaths(values);
      const isDocumented = (leaf: string): boolean => {
        const parts = leaf.split('.');
        return parts.some((_, i) => documented.has(parts.slice(0, i + 1).join('.')));
      };
      expect(leaves.filter((leaf) => !isDocumented(leaf))).toEqual([]);
      const known = new Set(
        leaves.flatMap((leaf) => leaf.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))),
      );
      expect([...documented].filter((key) => !known.has(key))).toEqual([]);
    },
  );
});
