import type { ClientReadableStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { AMQP_URL, RabbitFixture, uniqueName } from '../support/rabbitmq';
import { kedaRef, startTestScaler, type TestScaler } from '../support/scaler';

/** Every message a StreamIsActive call delivered, with when it arrived. */
interface Recorded {
  messages: Array<{ result: boolean; atMs: number }>;
  trues(): number;
  /** Resolves with the arrival time of the `n`-th `true` (1-based), or rejects after `timeoutMs`. */
  nthTrue(n: number, timeoutMs: number): Promise<number>;
  ended: Promise<{ code: number }>;
}

function record(stream: ClientReadableStream<{ result: boolean }>): Recorded {
  const messages: Recorded['messages'] = [];
  const waiters: Array<() => void> = [];
  stream.on('data', (message: { result: boolean }) => {
    messages.push({ result: message.result, atMs: Date.now() });
    for (const wake of waiters.splice(0)) wake();
  });
  const ended = new Promise<{ code: number }>((resolve) => {
    stream.on('status', (s: { code: number }) => resolve(s));
    stream.on('error', () => undefined);
  });
  const trues = (): number => messages.filter((m) => m.result).length;
  const nthTrue = (n: number, timeoutMs: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no true #${n} within ${timeoutMs} ms (got ${JSON.stringify(messages)})`)),
        timeoutMs,
      );
      const check = (): void => {
        const found = messages.filter((m) => m.result)[n - 1];
        if (found) {
          clearTimeout(timer);
          resolve(found.atMs);
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { messages, trues, nthTrue, ended };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('push activation (StreamIsActive) on a RabbitMQ queue', () => {
  let scaler: TestScaler;
  let fixture: RabbitFixture;

  beforeAll(async () => {
    fixture = await RabbitFixture.open();
    scaler = await startTestScaler();
  }, 60_000);

  afterAll(async () => {
    await scaler?.stop();
    await fixture?.cleanup();
  });

  const trigger = (queueName: string) =>
    kedaRef(
      { source: 'rabbitmq', host: AMQP_URL, queueName, value: '5', predictive: 'false' },
      uniqueName('celery'),
    );

  it('sends true within a second of the first message in an empty queue, once per transition', async () => {
    const queue = await fixture.createQueue(uniqueName('push'));
    const ref = trigger(queue);
    // KEDA opens one stream per ScaledObject and re-opens broken ones: several listen to one poller.
    const streams = [1, 2, 3].map(() => scaler.client.streamIsActive(ref));
    const recorded = streams.map(record);
    try {
      // The current state comes first: an empty queue is inactive.
      for (const r of recorded) {
        await waitForFirst(r);
        expect(r.messages[0]!.result).toBe(false);
      }

      const publishedAt = Date.now();
      await fixture.publish(queue, 1);
      for (const r of recorded) expect((await r.nthTrue(1, 1_000)) - publishedAt).toBeLessThan(1_000);

      // Still active a few polls later: no second true.
      await fixture.publish(queue, 2);
      await sleep(1_500);
      for (const r of recorded) expect(r.trues()).toBe(1);

      // Drained (inactive, which KEDA ignores), then a new message: exactly one more true.
      await fixture.consume(queue, 3);
      await sleep(1_200);
      for (const r of recorded) expect(r.trues()).toBe(1);
      const againAt = Date.now();
      await fixture.publish(queue, 1);
      for (const r of recorded) expect((await r.nthTrue(2, 1_000)) - againAt).toBeLessThan(1_000);
      await sleep(1_200);
      for (const r of recorded) expect(r.trues()).toBe(2);
    } finally {
      for (const stream of streams) stream.cancel();
    }
  }, 30_000);

  it('stays open when opened before its queue exists, and says true once messages arrive', async () => {
    const queue = uniqueName('push-later');
    const stream = scaler.client.streamIsActive(trigger(queue));
    const r = record(stream);
    let ended = false;
    void r.ended.then(() => (ended = true));
    try {
      // Several polls fail with "queue not found"; KEDA would otherwise back off before re-opening.
      await sleep(2_000);
      expect(r.messages).toEqual([]);
      expect(ended).toBe(false);

      await fixture.createQueue(queue);
      const publishedAt = Date.now();
      await fixture.publish(queue, 1);
      expect((await r.nthTrue(1, 2_000)) - publishedAt).toBeLessThan(2_000);
      expect(ended).toBe(false);
    } finally {
      stream.cancel();
    }
  }, 30_000);

  it('ends open streams with status OK when the scaler shuts down', async () => {
    const own = await startTestScaler();
    const queue = await fixture.createQueue(uniqueName('push-stop'));
    const r = record(own.client.streamIsActive(trigger(queue)));
    await waitForFirst(r);
    await own.stop();
    expect((await r.ended).code).toBe(status.OK);
  }, 30_000);
});

async function waitForFirst(r: Recorded, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (r.messages.length === 0) {
    if (Date.now() > deadline) throw new Error('the stream sent nothing');
    await sleep(20);
  }
}
