import { readFile } from 'node:fs/promises';

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[] } };
  nodes: number[];
}

/**
 * The live JavaScript heap in a `.heapsnapshot`, MiB: the sum of every object's own size. V8 collects
 * garbage fully before it writes a snapshot, so unlike `heapUsed` this holds no garbage, and two snapshots
 * taken under the same load differ only by what the process kept.
 */
export async function liveHeapMb(file: string): Promise<number> {
  const snapshot = JSON.parse(await readFile(file, 'utf8')) as HeapSnapshotFile;
  const fields = snapshot.snapshot.meta.node_fields;
  const selfSize = fields.indexOf('self_size');
  if (selfSize < 0) throw new Error(`${file}: no self_size field in the snapshot's node fields`);
  let bytes = 0;
  for (let i = selfSize; i < snapshot.nodes.length; i += fields.length) bytes += snapshot.nodes[i] as number;
  return bytes / 1024 / 1024;
}
