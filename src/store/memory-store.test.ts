import { MemoryStore } from './memory-store';
import { describeStateStore } from './state-store.conformance';

describeStateStore('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});

describe('MemoryStore', () => {
  it('says what it is', () => {
    expect(new MemoryStore().kind).toBe('memory');
  });

  it('reads time from the injected clock for lock expiry', async () => {
    let now = 1_000_000;
    const store = new MemoryStore(() => now);
    const token = await store.tryLock('train', 1_000);
    expect(token).toEqual(expect.any(String));
    now += 999;
    expect(await store.tryLock('train', 1_000)).toBeUndefined();
    now += 1;
    const next = await store.tryLock('train', 1_000);
    expect(next).toEqual(expect.any(String));
    expect(await store.releaseLock('train', token!)).toBe(false);
    expect(await store.releaseLock('train', next!)).toBe(true);
  });

  it('reads time from the injected clock for history retention', async () => {
    const day = 86_400_000;
    let now = 100 * day;
    const store = new MemoryStore(() => now);
    const spec = { stepMs: 60_000, retentionMs: day };
    await store.appendSample('sig', spec, now, 5);
    expect((await store.readHistory('sig', spec, now, now + 60_000)).values).toEqual([5]);
    // The chunk lives until the end of its day plus the retention.
    now = 102 * day - 1;
    expect((await store.readHistory('sig', spec, 100 * day, 100 * day + 60_000)).values).toEqual([5]);
    now = 102 * day;
    expect((await store.readHistory('sig', spec, 100 * day, 100 * day + 60_000)).values).toEqual([NaN]);
  });
});
