import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseTriggerMetadata, type TriggerConfig } from '../src/sources/trigger-metadata';
import {
  REPO_ROOT,
  metadataAsKedaSendsIt,
  parseManifests,
  triggersOf,
  validateManifest,
  type Manifest,
} from './support/helm';

/**
 * The workload presets as users meet them: the ready-to-apply ScaledObjects in examples/scaledobjects/
 * and the YAML in docs/workload-presets.md. They must validate against KEDA's schema, and every trigger
 * must be one the scaler accepts.
 */

const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples', 'scaledobjects');
const PRESETS_DOC = path.join(REPO_ROOT, 'docs', 'workload-presets.md');

/** Series the presets may query: what danihodovic/celery-exporter and vLLM really export. */
const KNOWN_SERIES = new Set([
  'celery_task_runtime_bucket',
  'celery_task_succeeded_total',
  'celery_task_failed_total',
  'celery_task_received_total',
  'celery_active_worker_count',
  'celery_queue_length',
  'vllm:num_requests_waiting',
  'vllm:num_requests_running',
  'vllm:e2e_request_latency_seconds_bucket',
  'vllm:time_to_first_token_seconds_bucket',
  'vllm:request_success_total',
  'vllm:generation_tokens_total',
  'vllm:prompt_tokens_total',
]);

interface Source {
  label: string;
  docs: Manifest[];
}

async function exampleSources(): Promise<Source[]> {
  const files = (await fs.readdir(EXAMPLES_DIR)).filter((f) => f.endsWith('.yaml')).sort();
  return Promise.all(
    files.map(async (file) => ({
      label: `examples/scaledobjects/${file}`,
      docs: parseManifests(await fs.readFile(path.join(EXAMPLES_DIR, file), 'utf8')),
    })),
  );
}

/** Every ```yaml block of the presets doc, numbered in order. */
async function docBlocks(): Promise<Array<{ label: string; yaml: string }>> {
  const markdown = await fs.readFile(PRESETS_DOC, 'utf8');
  return [...markdown.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match, i) => ({
    label: `docs/workload-presets.md yaml block ${i + 1}`,
    yaml: match[1] as string,
  }));
}

function scaledObjects(sources: Source[], name?: string): Manifest[] {
  return sources
    .flatMap((s) => s.docs)
    .filter((d) => d.kind === 'ScaledObject' && (name === undefined || d.metadata.name === name));
}

function parsed(so: Manifest): Map<string, TriggerConfig> {
  return new Map(
    triggersOf(so).map((t) => [t.name ?? '', parseTriggerMetadata(metadataAsKedaSendsIt(t.metadata))]),
  );
}

function query(config: TriggerConfig | undefined): string {
  return config?.source === 'prometheus' ? config.query : '';
}

let examples: Source[] = [];
let docs: Source[] = [];

beforeAll(async () => {
  examples = await exampleSources();
  docs = (await docBlocks()).map(({ label, yaml }) => ({ label, docs: parseManifests(yaml) }));
});

describe('preset sources', () => {
  it('ship celery-workers.yaml and vllm.yaml examples', () => {
    expect(examples.map((s) => s.label)).toEqual(
      expect.arrayContaining([
        'examples/scaledobjects/celery-workers.yaml',
        'examples/scaledobjects/vllm.yaml',
      ]),
    );
  });

  it('document a ScaledObject for each preset', () => {
    const names = scaledObjects(docs).map((so) => so.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['celery-workers', 'vllm']));
  });

  it('show in the docs exactly the ScaledObjects of the examples', () => {
    for (const so of scaledObjects(examples)) {
      const [documented] = scaledObjects(docs, so.metadata.name);
      expect(documented).toEqual(so);
    }
  });

  it('load every yaml block of docs/workload-presets.md', async () => {
    const blocks = await docBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) expect(() => parseManifests(block.yaml)).not.toThrow();
  });
});

describe.each([
  ['examples', () => examples],
  ['docs', () => docs],
])('%s', (_label, sources) => {
  it('validate against KEDA’s schema', () => {
    const kedaDocs = sources()
      .flatMap((s) => s.docs)
      .filter((d) => d.apiVersion === 'keda.sh/v1alpha1');
    expect(kedaDocs.length).toBeGreaterThan(0);
    for (const doc of kedaDocs) expect(() => validateManifest(doc)).not.toThrow();
  });

  it('have external triggers whose metadata the scaler accepts', () => {
    for (const so of scaledObjects(sources())) {
      for (const trigger of triggersOf(so)) {
        expect(['external', 'external-push']).toContain(trigger.type);
        expect(trigger.metadata.scalerAddress).toMatch(/^[a-z0-9.-]+\.svc\.cluster\.local:9090$/);
        expect(() => parseTriggerMetadata(metadataAsKedaSendsIt(trigger.metadata))).not.toThrow();
      }
    }
  });

  it('query only series the exporters really export', () => {
    for (const so of scaledObjects(sources())) {
      for (const config of parsed(so).values()) {
        const series = query(config).match(/\b(celery_[a-z0-9_]+|vllm:[a-z0-9_]+)/g) ?? [];
        for (const name of series) expect(KNOWN_SERIES).toContain(name);
      }
    }
  });

  it('keep the Celery preset: queue depth 5, P95 runtime 10 s, error ratio 0.05, 2 to 20, never idle', () => {
    const [so] = scaledObjects(sources(), 'celery-workers');
    expect(so?.spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 20 });
    // KEDA reads neither while a workload cannot go idle, and its webhook warns about both.
    expect(so?.spec).not.toHaveProperty('cooldownPeriod');
    expect(so?.spec).not.toHaveProperty('pollingInterval');
    const triggers = parsed(so as Manifest);
    expect(triggers.get('queue-depth')).toMatchObject({ source: 'rabbitmq', mode: 'QueueLength', target: 5 });
    expect(triggers.get('task-latency-p95')).toMatchObject({ source: 'prometheus', target: 10 });
    expect(query(triggers.get('task-latency-p95'))).toContain('histogram_quantile(0.95,');
    expect(query(triggers.get('task-latency-p95'))).toContain('celery_task_runtime_bucket');
    expect(triggers.get('error-rate')).toMatchObject({ source: 'prometheus', target: 0.05 });
    expect(query(triggers.get('error-rate'))).toContain('celery_task_failed_total');
    // Credentials come from the workload's env, never from the ScaledObject.
    const queueDepth = triggersOf(so as Manifest).find((t) => t.name === 'queue-depth');
    expect(queueDepth?.metadata.host).toBeUndefined();
    expect(queueDepth?.metadata.hostFromEnv).toEqual(expect.any(String));
  });

  it('keep the vLLM preset: 10 rps, P95 0.5 s, GPU 80 %, 5000 tokens/s, waiting requests, 0 to 4, push wake-up', () => {
    const [so] = scaledObjects(sources(), 'vllm');
    expect(so?.spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 4, cooldownPeriod: 300 });
    const triggers = parsed(so as Manifest);
    expect(triggers.get('request-rate')).toMatchObject({ source: 'prometheus', target: 10 });
    expect(query(triggers.get('request-rate'))).toContain('vllm:request_success_total');
    expect(triggers.get('latency-p95')).toMatchObject({ source: 'prometheus', target: 0.5 });
    expect(query(triggers.get('latency-p95'))).toContain('vllm:e2e_request_latency_seconds_bucket');
    expect(triggers.get('gpu-utilization')).toMatchObject({
      source: 'gpu',
      metric: 'utilization',
      target: 80,
    });
    expect(triggers.get('token-rate')).toMatchObject({ source: 'prometheus', target: 5000 });
    expect(query(triggers.get('token-rate'))).toContain('vllm:generation_tokens_total');
    expect(query(triggers.get('waiting-requests'))).toContain('vllm:num_requests_waiting');
    const types = triggersOf(so as Manifest).map((t) => t.type);
    expect(types).toContain('external-push');
  });
});
