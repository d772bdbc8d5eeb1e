import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { liveHeapMb } from './heap-snapshot';

describe('liveHeapMb', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kps-heap-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sums the self size of every node, whatever the order of the node fields', async () => {
    const file = path.join(dir, 'small.heapsnapshot');
    const mib = 1024 * 1024;
    await writeFile(
      file,
      JSON.stringify({
        snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'] } },
        nodes: [3, 0, 1, 2 * mib, 0, 3, 1, 2, mib / 2, 0],
      }),
    );
    expect(await liveHeapMb(file)).toBe(2.5);
  });

  it('reads a snapshot V8 wrote', async () => {
    // A worker thread's heap: a real snapshot, a few MiB rather than the test runner's hundreds.
    const file = path.join(dir, 'worker.heapsnapshot');
    const worker = new Worker(
      `const v8 = require('node:v8'); globalThis.kept = new Array(200000).fill(1.5); v8.writeHeapSnapshot(${JSON.stringify(file)});`,
      { eval: true },
    );
    await new Promise((resolve, reject) => worker.once('exit', resolve).once('error', reject));
    const live = await liveHeapMb(file);
    // The array alone holds 200,000 doubles (1.5 MiB); the isolate's own objects add about a MiB.
    expect(live).toBeGreaterThan(1.5);
    expect(live).toBeLessThan(20);
  });

  it('refuses a file without self sizes', async () => {
    const file = path.join(dir, 'odd.heapsnapshot');
    await writeFile(file, JSON.stringify({ snapshot: { meta: { node_fields: ['type'] } }, nodes: [1] }));
    await expect(liveHeapMb(file)).rejects.toThrow('no self_size field');
  });
});
