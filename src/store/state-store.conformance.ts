import {
  DEFAULT_MODEL_HISTORY_VERSIONS,
  ModelPinnedError,
  type HistorySpec,
  type StateStore,
} from './state-store';

/**
 * The behaviour every StateStore must have, run against each implementation (MemoryStore beside it,
 * RedisStore in test/integration against a real Redis), as BullMQ runs one suite against its Redis
 * clients. Not a test file itself: `describeStateStore` is called from one.
 */

export interface StoreUnderTest {
  store: StateStore;
  /** Removes whatever the store wrote and closes it. */
  cleanup(): Promise<void>;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const SPEC: HistorySpec = { stepMs: MINUTE, retentionMs: 14 * DAY };

/** Midnight UTC a few days ago: recent enough that nothing has expired, and a chunk boundary. */
function recentMidnight(daysAgo = 3): number {
  return Math.floor(Date.now() / DAY) * DAY - daysAgo * DAY;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Compares reads with NaN gaps: toEqual treats NaN as equal to NaN, and we store float32. */
const asFloat32 = (values: number[]) => values.map((v) => (Number.isFinite(v) ? Math.fround(v) : NaN));

export function describeStateStore(name: string, factory: () => Promise<StoreUnderTest>): void {
  describe(`StateStore conformance: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: StateStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe('last reading', () => {
      it('is undefined for a trigger never written', async () => {
        expect(await store.getLastReading('never-written')).toBeUndefined();
      });

      it.each([
        { value: 12.5, atMs: 1_700_000_000_123 },
        { value: 0, atMs: 1_700_000_000_000 },
        { value: 0.30000000000000004, atMs: 1 },
        { value: 1e15, atMs: Date.now() },
      ])('round-trips %j exactly', async (reading) => {
        await store.setLastReading('trigger-a', reading);
        expect(await store.getLastReading('trigger-a')).toEqual(reading);
      });

      it('keeps the latest write, per trigger', async () => {
        await store.setLastReading('trigger-a', { value: 1, atMs: 1_000 });
        await store.setLastReading('trigger-b', { value: 2, atMs: 2_000 });
        await store.setLastReading('trigger-a', { value: 3, atMs: 3_000 });
        expect(await store.getLastReading('trigger-a')).toEqual({ value: 3, atMs: 3_000 });
        expect(await store.getLastReading('trigger-b')).toEqual({ value: 2, atMs: 2_000 });
      });

      it('is not changed by changing the object that was written or read', async () => {
        const reading = { value: 7, atMs: 7_000 };
        await store.setLastReading('trigger-a', reading);
        reading.value = 8;
        const read = await store.getLastReading('trigger-a');
        read!.value = 9;
        expect(await store.getLastReading('trigger-a')).toEqual({ value: 7, atMs: 7_000 });
      });
    });

    describe('history', () => {
      it('reads a range never written as gaps, one slot per step', async () => {
        const from = recentMidnight();
        const series = await store.readHistory('empty', SPEC, from, from + 5 * MINUTE);
        expect(series).toEqual({ startMs: from, stepMs: MINUTE, values: [NaN, NaN, NaN, NaN, NaN] });
      });

      it('reads an empty range as no values', async () => {
        const from = recentMidnight();
        expect((await store.readHistory('empty', SPEC, from, from)).values).toEqual([]);
        expect((await store.readHistory('empty', SPEC, from, from - MINUTE)).values).toEqual([]);
      });

      it('puts a sample in the slot of its timestamp and reads it back', async () => {
        const from = recentMidnight();
        await store.appendSample('sig', SPEC, from + 2 * MINUTE + 17_000, 42);
        const series = await store.readHistory('sig', SPEC, from, from + 4 * MINUTE);
        expect(series).toEqual({ startMs: from, stepMs: MINUTE, values: [NaN, NaN, 42, NaN] });
      });

      it('aligns a read that starts inside a slot to the start of that slot', async () => {
        const from = recentMidnight();
        await store.appendSample('sig', SPEC, from + MINUTE, 1);
        await store.appendSample('sig', SPEC, from + 2 * MINUTE, 2);
        const series = await store.readHistory('sig', SPEC, from + MINUTE + 30_000, from + 3 * MINUTE);
        expect(series).toEqual({ startMs: from + MINUTE, stepMs: MINUTE, values: [1, 2] });
      });

      it('reads missing slots between samples as NaN gaps', async () => {
        const from = recentMidnight();
        for (const [slot, value] of [
          [0, 10],
          [2, 12],
          [5, 15],
        ] as const) {
          await store.appendSample('sig', SPEC, from + slot * MINUTE, value);
        }
        const series = await store.readHistory('sig', SPEC, from, from + 7 * MINUTE);
        expect(series.values).toEqual([10, NaN, 12, NaN, NaN, 15, NaN]);
      });

      it('keeps the last write for a slot written twice (same timestamp or same interval)', async () => {
        const at = recentMidnight() + 10 * MINUTE;
        await store.appendSample('sig', SPEC, at, 1);
        await store.appendSample('sig', SPEC, at, 2);
        expect((await store.readHistory('sig', SPEC, at, at + MINUTE)).values).toEqual([2]);
        await store.appendSample('sig', SPEC, at + 59_999, 3);
        expect((await store.readHistory('sig', SPEC, at, at + MINUTE)).values).toEqual([3]);
      });

      it('stores NaN and infinite samples as gaps', async () => {
        const from = recentMidnight();
        await store.appendSample('sig', SPEC, from, 5);
        await store.appendSample('sig', SPEC, from, NaN);
        await store.appendSample('sig', SPEC, from + MINUTE, Infinity);
        await store.appendSample('sig', SPEC, from + 2 * MINUTE, -Infinity);
        expect((await store.readHistory('sig', SPEC, from, from + 3 * MINUTE)).values).toEqual([
          NaN,
          NaN,
          NaN,
        ]);
      });

      it('round-trips values within float32 precision', async () => {
        const values = [0, -0.5, 1, 0.1, 1 / 3, 2.5e-7, 123_456.789, 16_777_217, 3.4e38, -1e20, Math.PI];
        const from = recentMidnight();
        for (let i = 0; i < values.length; i++)
          await store.appendSample('sig', SPEC, from + i * MINUTE, values[i]!);
        const read = (await store.readHistory('sig', SPEC, from, from + values.length * MINUTE)).values;
        expect(read).toEqual(asFloat32(values));
        for (let i = 0; i < values.length; i++) {
          const expected = values[i]!;
          expect(Math.abs(read[i]! - expected)).toBeLessThanOrEqual(Math.abs(expected) * 2 ** -23);
        }
      });

      it('reads across day-chunk boundaries', async () => {
        const midnight = recentMidnight();
        const points = [-2, -1, 0, 1].map((offset, i) => [midnight + offset * MINUTE, 100 + i] as const);
        for (const [at, value] of points) await store.appendSample('sig', SPEC, at, value);
        const series = await store.readHistory('sig', SPEC, midnight - 3 * MINUTE, midnight + 3 * MINUTE);
        expect(series.startMs).toBe(midnight - 3 * MINUTE);
        expect(series.values).toEqual([NaN, 100, 101, 102, 103, NaN]);
      });

      it('reads a range of several days with only some written, at a step that does not divide a day', async () => {
        // 7 minutes: 205 slots a chunk, so chunk boundaries fall at odd times of day.
        const spec: HistorySpec = { stepMs: 7 * MINUTE, retentionMs: 14 * DAY };
        const from = Math.floor(recentMidnight(4) / spec.stepMs) * spec.stepMs;
        const count = Math.ceil((3 * DAY) / spec.stepMs);
        const expected: number[] = new Array<number>(count).fill(NaN);
        for (let i = 200; i < count; i += 97) {
          expected[i] = i;
          await store.appendSample('odd', spec, from + i * spec.stepMs, i);
        }
        const series = await store.readHistory('odd', spec, from, from + count * spec.stepMs);
        expect(series.startMs).toBe(from);
        expect(series.values).toEqual(expected);
      });

      it('keeps signals and steps apart', async () => {
        const at = recentMidnight();
        await store.appendSample('sig-a', SPEC, at, 1);
        await store.appendSample('sig-b', SPEC, at, 2);
        await store.appendSample('sig-a', { stepMs: 5 * MINUTE, retentionMs: SPEC.retentionMs }, at, 3);
        expect((await store.readHistory('sig-a', SPEC, at, at + MINUTE)).values).toEqual([1]);
        expect((await store.readHistory('sig-b', SPEC, at, at + MINUTE)).values).toEqual([2]);
        const fiveMinutes = { stepMs: 5 * MINUTE, retentionMs: SPEC.retentionMs };
        expect((await store.readHistory('sig-a', fiveMinutes, at, at + 5 * MINUTE)).values).toEqual([3]);
      });

      it('writes many samples at once across chunks, gaps included (backfill)', async () => {
        const startMs = recentMidnight(3) + 123 * MINUTE;
        const values = Array.from({ length: 3 * 1440 }, (_, i) =>
          i % 97 === 0 ? NaN : Math.sin(i / 60) * 50 + 60,
        );
        await store.writeSamples('bulk', SPEC, { startMs, stepMs: MINUTE, values });
        const series = await store.readHistory('bulk', SPEC, startMs, startMs + values.length * MINUTE);
        expect(series.startMs).toBe(startMs);
        expect(series.values).toEqual(asFloat32(values));
        const around = await store.readHistory('bulk', SPEC, startMs - MINUTE, startMs + MINUTE);
        expect(around.values).toEqual([NaN, Math.fround(values[0]!)]);
      });

      it('lets a bulk write replace samples in its range and leave its neighbours alone', async () => {
        const from = recentMidnight();
        await store.appendSample('bulk', SPEC, from, 1);
        await store.appendSample('bulk', SPEC, from + 2 * MINUTE, 2);
        await store.appendSample('bulk', SPEC, from + 5 * MINUTE, 5);
        await store.writeSamples('bulk', SPEC, {
          startMs: from + 2 * MINUTE,
          stepMs: MINUTE,
          values: [20, 30, NaN],
        });
        const series = await store.readHistory('bulk', SPEC, from, from + 6 * MINUTE);
        expect(series.values).toEqual([1, NaN, 20, 30, NaN, 5]);
        await store.appendSample('bulk', SPEC, from + 3 * MINUTE, 33);
        expect((await store.readHistory('bulk', SPEC, from + 3 * MINUTE, from + 4 * MINUTE)).values).toEqual([
          33,
        ]);
      });

      it('refuses a bulk write whose step differs from the history step, writing nothing', async () => {
        const from = recentMidnight();
        await expect(
          store.writeSamples('bulk', SPEC, { startMs: from, stepMs: 5 * MINUTE, values: [1, 2] }),
        ).rejects.toThrow('series step 300000 ms differs from history step 60000 ms');
        expect((await store.readHistory('bulk', SPEC, from, from + 6 * MINUTE)).values).toEqual(
          new Array(6).fill(NaN),
        );
      });

      it('accepts an empty bulk write', async () => {
        const from = recentMidnight();
        await store.writeSamples('bulk', SPEC, { startMs: from, stepMs: MINUTE, values: [] });
        expect((await store.readHistory('bulk', SPEC, from, from + MINUTE)).values).toEqual([NaN]);
      });

      it('forgets samples older than their retention', async () => {
        const spec: HistorySpec = { stepMs: MINUTE, retentionMs: 60 * MINUTE };
        const old = recentMidnight(3) + 12 * 60 * MINUTE;
        await store.appendSample('ret', spec, old, 1);
        await store.writeSamples('ret', spec, { startMs: old + MINUTE, stepMs: MINUTE, values: [2, 3] });
        const recent = Date.now() - 5 * MINUTE;
        await store.appendSample('ret', spec, recent, 4);
        expect((await store.readHistory('ret', spec, old, old + 3 * MINUTE)).values).toEqual([NaN, NaN, NaN]);
        expect((await store.readHistory('ret', spec, recent, recent + 1)).values).toEqual([4]);
      });
    });

    describe('models', () => {
      const NOW = 1_700_000_000_000;

      it('has no current or previous model for a new signal', async () => {
        expect(await store.getModels('new')).toEqual({ current: undefined, previous: undefined });
      });

      it('saves a model as version 1 and reads it back', async () => {
        const saved = await store.saveModel(
          'sig',
          { method: 'holt-winters', level: 3 },
          { keepPrevious: true, nowMs: NOW },
        );
        expect(saved).toEqual({ version: 1, savedAtMs: NOW, model: { method: 'holt-winters', level: 3 } });
        expect(await store.getModels('sig')).toEqual({ current: saved, previous: undefined });
      });

      it('numbers versions in increasing order, per signal', async () => {
        const versions: number[] = [];
        for (let i = 0; i < 4; i++) {
          versions.push(
            (await store.saveModel('sig', { i }, { keepPrevious: i % 2 === 0, nowMs: NOW + i })).version,
          );
        }
        expect(versions).toEqual([1, 2, 3, 4]);
        expect((await store.saveModel('other', { i: 0 }, { keepPrevious: true, nowMs: NOW })).version).toBe(
          1,
        );
      });

      it('keeps the old current as previous only when asked to', async () => {
        const a = await store.saveModel('sig', { name: 'a' }, { keepPrevious: true, nowMs: NOW });
        const b = await store.saveModel('sig', { name: 'b' }, { keepPrevious: true, nowMs: NOW + 1 });
        expect(await store.getModels('sig')).toEqual({ current: b, previous: a });
        // A model that is no better than the last good one replaces current but keeps that one for rollback.
        const c = await store.saveModel('sig', { name: 'c' }, { keepPrevious: false, nowMs: NOW + 2 });
        expect(await store.getModels('sig')).toEqual({ current: c, previous: a });
      });

      it('rolls back by swapping current and previous', async () => {
        const a = await store.saveModel('sig', { name: 'a' }, { keepPrevious: true, nowMs: NOW });
        const b = await store.saveModel('sig', { name: 'b' }, { keepPrevious: true, nowMs: NOW + 1 });
        expect(await store.rollbackModel('sig')).toEqual(a);
        expect(await store.getModels('sig')).toEqual({ current: a, previous: b });
        expect(await store.rollbackModel('sig')).toEqual(b);
        expect(await store.getModels('sig')).toEqual({ current: b, previous: a });
      });

      it('tells the pinned version without the model, through pin and unpin', async () => {
        expect(await store.pinnedModelVersion('sig')).toBeUndefined();
        await store.saveModel('sig', { name: 'a' }, { keepPrevious: true, nowMs: NOW });
        await store.saveModel('sig', { name: 'b' }, { keepPrevious: true, nowMs: NOW + 1 });
        expect(await store.pinnedModelVersion('sig')).toBeUndefined();
        await store.pinModel('sig', { version: 1, nowMs: NOW + 2 });
        expect(await store.pinnedModelVersion('sig')).toBe(1);
        await store.unpinModel('sig');
        expect(await store.pinnedModelVersion('sig')).toBeUndefined();
      });

      it('tells the current version without the model, through saves and rollbacks', async () => {
        expect(await store.currentModelVersion('sig')).toBeUndefined();
        await store.saveModel('sig', { name: 'a' }, { keepPrevious: true, nowMs: NOW });
        expect(await store.currentModelVersion('sig')).toBe(1);
        await store.saveModel('sig', { name: 'b' }, { keepPrevious: true, nowMs: NOW + 1 });
        expect(await store.currentModelVersion('sig')).toBe(2);
        await store.rollbackModel('sig');
        expect(await store.currentModelVersion('sig')).toBe(1);
        await store.rollbackModel('sig');
        expect(await store.currentModelVersion('sig')).toBe(2);
        // Not kept as previous: a rollback now has nothing to restore, and the version stays.
        await store.saveModel('sig', { name: 'c' }, { keepPrevious: false, nowMs: NOW + 2 });
        expect(await store.currentModelVersion('sig')).toBe(3);
        await store.rollbackModel('sig');
        expect(await store.currentModelVersion('sig')).toBe((await store.getModels('sig')).current?.version);
      });

      it('does not reuse a version after a rollback', async () => {
        await store.saveModel('sig', { name: 'a' }, { keepPrevious: true, nowMs: NOW });
        await store.saveModel('sig', { name: 'b' }, { keepPrevious: true, nowMs: NOW + 1 });
        await store.rollbackModel('sig');
        const c = await store.saveModel('sig', { name: 'c' }, { keepPrevious: true, nowMs: NOW + 2 });
        expect(c.version).toBe(3);
        expect((await store.getModels('sig')).previous?.model).toEqual({ name: 'a' });
      });

      it('answers a rollback with nothing to roll back to with undefined, changing nothing', async () => {
        expect(await store.rollbackModel('never-saved')).toBeUndefined();
        expect(await store.getModels('never-saved')).toEqual({ current: undefined, previous: undefined });
        const only = await store.saveModel('sig', { name: 'only' }, { keepPrevious: true, nowMs: NOW });
        expect(await store.rollbackModel('sig')).toBeUndefined();
        expect(await store.getModels('sig')).toEqual({ current: only, previous: undefined });
      });

      it('keeps JSON exactly: empty arrays and objects, 17-digit floats, nulls, unicode', async () => {
        const model = {
          formatVersion: 1,
          empty: [],
          emptyObject: {},
          nested: { deeper: [[], [[]], {}], alsoEmpty: [] },
          floats: [
            0.30000000000000004, 1.2345678901234567, 2.220446049250313e-16, 5e-324, 1.7976931348623157e308,
          ],
          integers: [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0],
          seasonal: Array.from({ length: 1440 }, (_, i) => Math.sin(i) / 3),
          nothing: null,
          text: 'Grafikkarte "A100" für München \\ ✓',
          flags: [true, false],
        };
        const saved = await store.saveModel('sig', model, { keepPrevious: true, nowMs: NOW });
        expect(saved.model).toEqual(model);
        const read = await store.getModels<typeof model>('sig');
        expect(read.current?.model).toEqual(model);
        expect(read.current?.model.floats).toEqual(model.floats);
        expect(Array.isArray(read.current?.model.empty)).toBe(true);
        expect(JSON.stringify(read.current?.model)).toBe(JSON.stringify(model));
      });

      it('keeps the newest versions with who promoted them, and the previous one however old', async () => {
        await store.saveModel('sig', { i: 1 }, { keepPrevious: true, nowMs: NOW + 1 });
        for (let i = 2; i <= DEFAULT_MODEL_HISTORY_VERSIONS + 3; i++) {
          await store.saveModel('sig', { i }, { keepPrevious: i === 2, nowMs: NOW + i });
        }
        const newest = DEFAULT_MODEL_HISTORY_VERSIONS + 3;
        const history = await store.modelHistory<{ i: number }>('sig');
        expect(history).toMatchObject({
          currentVersion: newest,
          previousVersion: 1,
          pinnedVersion: undefined,
        });
        const kept = history.versions.map((v) => v.version);
        expect(kept).toHaveLength(DEFAULT_MODEL_HISTORY_VERSIONS + 1);
        expect(kept[0]).toBe(newest);
        expect(kept).toContain(1);
        expect(kept).not.toContain(2);
        expect(history.versions[0]).toMatchObject({
          model: { i: newest },
          savedAtMs: NOW + newest,
          promotedBy: 'trainer',
          promotedAtMs: NOW + newest,
        });
        expect((await store.modelHistory('never-saved')).versions).toEqual([]);
      });

      it('rolls back to a named version it keeps, as the operator, and not to one it dropped', async () => {
        for (let i = 1; i <= 4; i++)
          await store.saveModel('sig', { i }, { keepPrevious: true, nowMs: NOW + i });
        const restored = await store.rollbackModel<{ i: number }>('sig', { version: 2, nowMs: NOW + 10 });
        expect(restored).toMatchObject({ version: 2, model: { i: 2 } });
        expect(await store.currentModelVersion('sig')).toBe(2);
        expect((await store.getModels('sig')).previous?.version).toBe(4);
        const history = await store.modelHistory('sig');
        expect(history.versions.find((v) => v.version === 2)).toMatchObject({
          promotedBy: 'operator',
          promotedAtMs: NOW + 10,
        });
        expect(await store.rollbackModel('sig', { version: 99, nowMs: NOW + 11 })).toBeUndefined();
        expect(await store.currentModelVersion('sig')).toBe(2);
      });

      it('pins a version: training and rollback are refused until it is unpinned', async () => {
        for (let i = 1; i <= 3; i++)
          await store.saveModel('sig', { i }, { keepPrevious: true, nowMs: NOW + i });
        expect(await store.pinModel('sig', { version: 1, nowMs: NOW + 5 })).toMatchObject({ version: 1 });
        expect(await store.currentModelVersion('sig')).toBe(1);
        expect((await store.modelHistory('sig')).pinnedVersion).toBe(1);
        await expect(
          store.saveModel('sig', { i: 4 }, { keepPrevious: true, nowMs: NOW + 6 }),
        ).rejects.toThrow(ModelPinnedError);
        await expect(store.rollbackModel('sig', { nowMs: NOW + 7 })).rejects.toThrow(ModelPinnedError);
        expect(await store.currentModelVersion('sig')).toBe(1);
        expect(await store.unpinModel('sig')).toBe(1);
        expect(await store.unpinModel('sig')).toBeUndefined();
        expect((await store.saveModel('sig', { i: 4 }, { keepPrevious: true, nowMs: NOW + 8 })).version).toBe(
          4,
        );
        expect(await store.pinModel('sig', { version: 99, nowMs: NOW + 9 })).toBeUndefined();
        expect(await store.pinModel('never-saved', { nowMs: NOW + 9 })).toBeUndefined();
      });

      it('stores a copy: changing a saved or read model changes nothing stored', async () => {
        const model = { weights: [1, 2, 3] };
        const saved = await store.saveModel('sig', model, { keepPrevious: true, nowMs: NOW });
        model.weights.push(4);
        saved.model.weights.push(5);
        const read = await store.getModels<typeof model>('sig');
        read.current!.model.weights.push(6);
        expect((await store.getModels<typeof model>('sig')).current?.model).toEqual({ weights: [1, 2, 3] });
      });
    });

    describe('locks', () => {
      it('gives one holder at a time', async () => {
        const token = await store.tryLock('train:sig', 10_000);
        expect(typeof token).toBe('string');
        expect(token).not.toBe('');
        expect(await store.tryLock('train:sig', 10_000)).toBeUndefined();
        expect(await store.tryLock('train:other', 10_000)).toEqual(expect.any(String));
      });

      it('gives only one of many concurrent callers the lock', async () => {
        const tokens = await Promise.all(
          Array.from({ length: 20 }, () => store.tryLock('train:race', 10_000)),
        );
        expect(tokens.filter((t) => t !== undefined)).toHaveLength(1);
      });

      it('releases only with the right token', async () => {
        const token = (await store.tryLock('train:sig', 10_000))!;
        expect(await store.releaseLock('train:sig', 'not-the-token')).toBe(false);
        expect(await store.tryLock('train:sig', 10_000)).toBeUndefined();
        expect(await store.releaseLock('train:other', token)).toBe(false);
        expect(await store.releaseLock('train:sig', token)).toBe(true);
        expect(await store.releaseLock('train:sig', token)).toBe(false);
        const next = await store.tryLock('train:sig', 10_000);
        expect(next).toEqual(expect.any(String));
        expect(next).not.toBe(token);
      });

      it('expires after its ttl, and the old holder cannot release the new holder’s lock', async () => {
        const first = (await store.tryLock('train:sig', 100))!;
        await sleep(250);
        const second = await store.tryLock('train:sig', 10_000);
        expect(second).toEqual(expect.any(String));
        expect(second).not.toBe(first);
        expect(await store.releaseLock('train:sig', first)).toBe(false);
        expect(await store.tryLock('train:sig', 10_000)).toBeUndefined();
        expect(await store.releaseLock('train:sig', second!)).toBe(true);
      });

      it('does not report releasing a lock that already expired', async () => {
        const token = (await store.tryLock('train:sig', 100))!;
        await sleep(250);
        expect(await store.releaseLock('train:sig', token)).toBe(false);
        expect(await store.tryLock('train:sig', 10_000)).toEqual(expect.any(String));
      });

      it('is held until its ttl runs out', async () => {
        await store.tryLock('train:sig', 1_000);
        await sleep(100);
        expect(await store.tryLock('train:sig', 1_000)).toBeUndefined();
      });
    });
  });
}
