import pino from 'pino';
import { NO_FORECAST } from '../forecast/port/forecast-port';
import type { Source } from '../sources/source';
import { parseWorkloads } from './workload-file';
import { WorkloadTracker, workloadState } from './workload-tracker';

describe('WorkloadTracker', () => {
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
