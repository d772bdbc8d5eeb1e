/**
 * Every Redis key the scaler uses is built here. The `v1` segment changes whenever an encoding changes,
 * so a new version never misreads old data. Keys of one signal share the hash tag `{signalId}` so that
 * on Redis Cluster they land in one slot and multi-key commands stay legal.
 */
export const KEY_VERSION = 'v1';

export function storeKeys(prefix: string) {
  return {
    lastReading: (triggerKey: string) => `${prefix}:${KEY_VERSION}:{${triggerKey}}:last`,
    historyChunk: (signalId: string, stepMs: number, chunk: number) =>
      `${prefix}:${KEY_VERSION}:{${signalId}}:hist:${stepMs}:${chunk}`,
    models: (signalId: string) => `${prefix}:${KEY_VERSION}:{${signalId}}:models`,
    lock: (name: string) => `${prefix}:${KEY_VERSION}:{${name}}:lock`,
  };
}

export type StoreKeys = ReturnType<typeof storeKeys>;
