import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { MetadataError } from '../errors';
import { readTriggerMetadata, type TriggerConfig } from '../sources/trigger-metadata';
import type { ResourceKind } from './units';

/** A workload planned without a ScaledObject: its CPU and memory, each a Prometheus signal. */
export interface Workload {
  name: string;
  namespace: string;
  timezone: string;
  cpu: TriggerConfig;
  memory: TriggerConfig;
}

export class WorkloadFileError extends Error {}

/** Keys of an entry that are the workload's own; every other key is passed on as trigger metadata. */
const WORKLOAD_KEYS = new Set(['name', 'namespace', 'deployment', 'cpuQuery', 'memoryQuery']);
/** A Kubernetes name: a DNS label (namespaces) or subdomain (deployments); both fit this. */
const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Reads `WORKLOADS_FILE`: YAML or JSON with a `workloads` list. Each entry names a workload (`name`,
 * `namespace`), its Prometheus (`serverAddress` or `serverAddressFromEnv`, and the auth keys of
 * triggers) and its usage queries (`cpuQuery` and `memoryQuery`, or a `deployment` whose standard
 * cAdvisor queries are built). `…FromEnv` keys name a variable of the scaler's own environment. Any
 * mistake is an error naming the file, the entry and the key: a half-read file would plan the wrong
 * workloads silently.
 */
export function readWorkloadsFile(file: string, env: NodeJS.ProcessEnv = process.env): Workload[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new WorkloadFileError(
      `WORKLOADS_FILE ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parseWorkloads(text, file, env);
}

export function parseWorkloads(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Workload[] {
  let document: unknown;
  try {
    document = load(text);
  } catch (error) {
    throw new WorkloadFileError(
      `WORKLOADS_FILE ${file} is not valid YAML or JSON: ${(error as Error).message}`,
    );
  }
  const list = isRecord(document) ? document.workloads : undefined;
  if (!Array.isArray(list)) {
    throw new WorkloadFileError(`WORKLOADS_FILE ${file}: expected a top-level "workloads:" list`);
  }
  const seen = new Set<string>();
  return list.map((entry: unknown, index) => {
    const where = `WORKLOADS_FILE ${file}, workloads[${index}]`;
    if (!isRecord(entry)) throw new WorkloadFileError(`${where}: expected a mapping of keys to values`);
    const workload = parseWorkload(entry, where, env);
    if (seen.has(workload.name)) {
      throw new WorkloadFileError(
        `${where}: name ${JSON.stringify(workload.name)} is used twice; workloads are addressed by name`,
      );
    }
    seen.add(workload.name);
    return workload;
  });
}

function parseWorkload(entry: Record<string, unknown>, where: string, env: NodeJS.ProcessEnv): Workload {
  const text = (key: string): string | undefined => {
    const value = entry[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new WorkloadFileError(`${where}: ${key} must be a string`);
    }
    return String(value);
  };
  const name = text('name');
  if (name === undefined || !KUBERNETES_NAME.test(name)) {
    throw new WorkloadFileError(`${where}: name is required: a Kubernetes name such as "web"`);
  }
  const at = `${where} (${name})`;
  const namespace = text('namespace');
  if (namespace === undefined || !KUBERNETES_NAME.test(namespace)) {
    throw new WorkloadFileError(`${at}: namespace is required: a Kubernetes namespace such as "shop"`);
  }
  const deployment = text('deployment');
  if (deployment !== undefined && !KUBERNETES_NAME.test(deployment)) {
    throw new WorkloadFileError(`${at}: deployment ${JSON.stringify(deployment)} is not a Kubernetes name`);
  }
  const queries: Record<ResourceKind, string | undefined> = {
    cpu: text('cpuQuery') ?? (deployment && cadvisorQuery('cpu', namespace, deployment)),
    memory: text('memoryQuery') ?? (deployment && cadvisorQuery('memory', namespace, deployment)),
  };
  for (const [resource, query] of Object.entries(queries)) {
    if (query === undefined || query.trim() === '') {
      throw new WorkloadFileError(
        `${at}: ${resource}Query is required (or a deployment name to build it from)`,
      );
    }
  }

  const shared: Record<string, string> = {};
  for (const key of Object.keys(entry)) {
    if (WORKLOAD_KEYS.has(key)) continue;
    const value = text(key);
    if (value === undefined) continue;
    if (key.endsWith('FromEnv')) {
      const resolved = env[value];
      if (resolved === undefined) {
        throw new WorkloadFileError(
          `${at}: ${key} names the variable ${value}, which is not set in the scaler's environment`,
        );
      }
      shared[key] = resolved;
    } else {
      shared[key] = value;
    }
  }
  const configOf = (resource: ResourceKind): TriggerConfig => {
    try {
      const { config, warnings } = readTriggerMetadata({
        threshold: '1',
        // A workload's usage is never truly absent: an empty result is a selector that matches nothing
        // (a misspelt deployment), and learning zeros from it would plan the workload away.
        ignoreNullValues: 'false',
        ...shared,
        source: 'prometheus',
        query: queries[resource] as string,
      });
      // A file is read once, at start: a key that would only be warned about in a trigger is a mistake here.
      const [warning] = warnings;
      if (warning !== undefined) throw new WorkloadFileError(`${at}: ${warning.key}: ${warning.message}`);
      return config;
    } catch (error) {
      if (error instanceof MetadataError) throw new WorkloadFileError(`${at}, ${resource}: ${error.message}`);
      throw error;
    }
  };
  const cpu = configOf('cpu');
  return { name, namespace, timezone: cpu.timezone, cpu, memory: configOf('memory') };
}

/**
 * The usage of a Deployment's pods as cAdvisor reports it through the kubelet: pods named
 * `<deployment>-<replicaset hash>-<pod suffix>`, containers only (not the pod's sandbox).
 */
export function cadvisorQuery(resource: ResourceKind, namespace: string, deployment: string): string {
  const pods = `${deployment.replace(/\./g, '\\\\.')}-[a-z0-9]+-[a-z0-9]+`;
  const selector = `namespace="${namespace}",pod=~"${pods}",container!="",container!="POD"`;
  return resource === 'cpu'
    ? `sum(rate(container_cpu_usage_seconds_total{${selector}}[5m]))`
    : `sum(container_memory_working_set_bytes{${selector}})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
