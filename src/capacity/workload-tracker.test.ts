import pino from 'pino';
import { NO_FORECAST, type ForecastPort } from '../forecast/port/forecast-port';
import type { Reading, Source } from '../sources/source';
import type { TriggerConfig } from '../sources/trigger-metadata';
import { parseWorkloads } from './workload-file';
import { WorkloadTracker, workloadState } from './workload-tracker';

const MINUTE = 60_000;

/** Workloads are Prometheus signals; other sources have no query. */
function queryOf(config: TriggerConfig): string {
  return 'query' in config ? config.query : '';
}

const FILE = `workloads:
  - name: web
    namespace: shop
    deployment: web
    serverAddress: http://prometheus:9090
    sampleInterval: 1m
  - name: batch
    namespace: shop
    deployment: batch
    serverAddress: http://prometheus:9090
    sampleInterval: 5m
`;

describe('WorkloadTracker', () => {
  function tracked(read: (config: TriggerConfig) => Promise<Reading>) {
    let now = Date.parse('2024-03-04T09:00:00Z');
    const observed: Array<{ query: string; value: number; atMs: number }> = [];
    const forecast: ForecastPort = {
      view: () => undefined,
      observe: (config, reading) => observed.push({ query: queryOf(config), ...reading }),
    };
    const reads: string[] = [];
    const workloads = parseWorkloads(FILE, '/etc/kps/workloads.yaml');
    const tracker = new WorkloadTracker(workloads, {
      forecast,
      sourceFor: (config) => ({
        kind: 'prometheus',
        read: () => {
          reads.push(queryOf(config));
          return read(config);
        },
      }),
      clock: () => now,
      logger: pino({ level: 'silent' }),
    });
    return {
      tracker,
      observed,
      reads,
      workloads,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  it('reads each workload at its own sample interval', async () => {
    const { tracker, reads, advance } = tracked(() => Promise.resolve({ value: 1, atMs: 0 }));
    for (let minute = 0; minute < 10; minute++) {
      await tracker.sampleDue();
      advance(MINUTE);
    }
    const batchReads = reads.filter((query) => query.includes('batch-'));
    const webReads = reads.filter((query) => query.includes('web-'));
    // CPU and memory each: every minute for web, at minutes 0 and 5 for batch.
    expect(webReads).toHaveLength(20);
    expect(batchReads).toHaveLength(4);
  });

  it('hands readings to the forecast, and keeps a failing read as an error the status page shows', async () => {
    let failing = true;
    const { tracker, observed, workloads, advance } = tracked((config) =>
      failing && queryOf(config).includes('memory')
        ? Promise.reject(new Error('query returned no data'))
        : Promise.resolve({ value: 2, atMs: 0 }),
    );
    const web = workloads[0]!;
    await tracker.sampleDue();
    expect(observed.filter((o) => o.query.includes('cpu'))).toHaveLength(2);
    expect(observed.filter((o) => o.query.includes('memory'))).toHaveLength(0);
    expect(tracker.samplingOf(web, 'memory').lastError).toBe('query returned no data');
    expect(workloadState(tracker, web)).toMatch(
      /cpu: sampled .*; memory: failing \(query returned no data\)/,
    );

    failing = false;
    advance(MINUTE);
    await tracker.sampleDue();
    expect(tracker.samplingOf(web, 'memory')).toEqual({
      lastSampleAtMs: expect.any(Number),
      lastAttemptAtMs: expect.any(Number),
    });
    expect(workloadState(tracker, web)).not.toContain('failing');
  });

  it('treats a query that matches nothing as an error, not as zero usage', () => {
    const [web] = parseWorkloads(FILE, '/etc/kps/workloads.yaml');
    expect(web?.cpu).toMatchObject({ ignoreNullValues: false });
    const [explicit] = parseWorkloads(
      FILE.replace('sampleInterval: 1m', 'sampleInterval: 1m\n    ignoreNullValues: "true"'),
      '/etc/kps/workloads.yaml',
    );
    expect(explicit?.memory).toMatchObject({ ignoreNullValues: true });
  });

  it('keeps the last sampling error without credentials: /v1/workloads and the status page show it', async () => {
    const [web] = parseWorkloads(
      JSON.stringify({
        workloads: [
          {
            name: 'web',
            namespace: 'shop',
            deployment: 'web',
            serverAddress: 'http://reader:s3cret-prom@127.0.0.1:1',
          },
        ],
      }),
      '/etc/kps/workloads.yaml',
      {},
    );
    const failing: Source = {
      kind: 'prometheus',
      read: () =>
        Promise.reject(
          new Error(
            'Prometheus at http://reader:s3cret-prom@127.0.0.1:1 answered error: bad Authorization: Bearer s3cret-token',
          ),
        ),
    };
    const tracker = new WorkloadTracker([web!], {
      forecast: NO_FORECAST,
      sourceFor: () => failing,
      clock: () => 0,
      logger: pino({ level: 'silent' }),
    });
    await tracker.sampleAll();
    expect(tracker.samplingOf(web!, 'cpu').lastError).toBe(
      'Prometheus at http://***@127.0.0.1:1 answered error: bad Authorization: Bearer ***',
    );
    expect(workloadState(tracker, web!)).not.toContain('s3cret');
    expect(workloadState(tracker, web!)).toContain('cpu: failing (Prometheus at http://***@127.0.0.1:1');
  });
});
