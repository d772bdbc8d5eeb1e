import pino from 'pino';
import { LogCapture } from '../../test/support/scaler';
import type { InstantSample } from './prometheus/prometheus-client';
import {
  STARTUP_TIME_REFRESH_MS,
  StartupTimeReader,
  startupTimePrometheus,
  type StartupTimeQueryConfig,
} from './startup-time-query';
import { parseTriggerMetadata } from './trigger-metadata';

const PROMETHEUS = {
  source: 'prometheus',
  serverAddress: 'http://prometheus:9090',
  query: 'sum(rate(requests_total[1m]))',
  threshold: '10',
  startupTime: '2m',
  startupTimeQuery: 'quantile(0.9, kube_pod_status_ready_time - on (namespace, pod) kube_pod_created)',
};

function configOf(metadata: Record<string, string>): StartupTimeQueryConfig {
  return parseTriggerMetadata(metadata) as StartupTimeQueryConfig;
}

/** A reader whose query answers what `answers` holds next (a number of seconds, samples or an error). */
function readerFor(metadata: Record<string, string> = PROMETHEUS) {
  const logs = new LogCapture();
  const answers: Array<number | InstantSample[] | Error> = [];
  let asked = 0;
  const reader = new StartupTimeReader(configOf(metadata), pino(logs), () => {
    asked++;
    const next = answers.shift() ?? new Error('nothing scripted');
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve(typeof next === 'number' ? [{ labels: {}, value: next, atMs: 0 }] : next);
  });
  /** The start-up time at `nowMs` once any refresh it started has finished. */
  const settledAt = async (nowMs: number) => {
    reader.current(nowMs);
    await reader.settled();
    return reader.current(nowMs);
  };
  return { reader, logs, answers, asked: () => asked, settledAt };
}

describe('StartupTimeReader', () => {
  it('answers startupTime until the query has answered, then the query, rounded up to the millisecond', async () => {
    const { reader, answers, settledAt } = readerFor();
    answers.push(95.0004);
    expect(reader.current(0)).toEqual({ ms: 120_000, measured: false });
    await reader.settled();
    expect(reader.current(1)).toEqual({ ms: 95_001, measured: true });
    expect(await settledAt(2)).toEqual({ ms: 95_001, measured: true });
  });

  it('asks again only once the refresh interval has passed', async () => {
    const { answers, asked, settledAt } = readerFor();
    answers.push(90, 150);
    expect(await settledAt(0)).toEqual({ ms: 90_000, measured: true });
    expect(await settledAt(STARTUP_TIME_REFRESH_MS - 1)).toEqual({ ms: 90_000, measured: true });
    expect(asked()).toBe(1);
    expect(await settledAt(STARTUP_TIME_REFRESH_MS)).toEqual({ ms: 150_000, measured: true });
    expect(asked()).toBe(2);
  });

  it('keeps the last answer while the query fails, and says so once per run of failures', async () => {
    const { answers, logs, settledAt } = readerFor();
    answers.push(100, new Error('connect ECONNREFUSED'), new Error('connect ECONNREFUSED'), 80);
    expect(await settledAt(0)).toEqual({ ms: 100_000, measured: true });
    expect(await settledAt(STARTUP_TIME_REFRESH_MS)).toEqual({ ms: 100_000, measured: true });
    expect(await settledAt(2 * STARTUP_TIME_REFRESH_MS)).toEqual({ ms: 100_000, measured: true });
    const warnings = logs.lines.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      msg: 'startupTimeQuery failed; keeping the start-up time in use until it answers',
      startupTimeMs: 100_000,
    });
    expect(await settledAt(3 * STARTUP_TIME_REFRESH_MS)).toEqual({ ms: 80_000, measured: true });
  });

  it.each<[string, InstantSample[], string]>([
    ['no data', [], 'startupTimeQuery returned no data'],
    [
      'two series',
      [
        { labels: { pod: 'a' }, value: 60, atMs: 0 },
        { labels: { pod: 'b' }, value: 90, atMs: 0 },
      ],
      'startupTimeQuery returned 2 series; expected one (aggregate it, e.g. quantile(0.9, ...))',
    ],
    ['a negative number', [{ labels: {}, value: -5, atMs: 0 }], 'startupTimeQuery returned -5'],
    ['NaN', [{ labels: {}, value: NaN, atMs: 0 }], 'startupTimeQuery returned NaN'],
  ])('does not take %s for a start-up time', async (_name, samples, message) => {
    const { answers, logs, settledAt } = readerFor();
    answers.push(samples);
    expect(await settledAt(0)).toEqual({ ms: 120_000, measured: false });
    const warning = logs.lines.find((line) => line.level === 40);
    expect((warning?.err as { message: string }).message).toContain(message);
  });

  it('buys no further ahead than leadTime allows, and says what to raise', async () => {
    const { answers, logs, settledAt } = readerFor({ ...PROMETHEUS, leadTime: '5m' });
    answers.push(420);
    expect(await settledAt(0)).toEqual({ ms: 300_000, measured: true });
    expect(logs.lines.find((line) => line.level === 40)).toMatchObject({
      startupTimeMs: 300_000,
      measuredMs: 420_000,
      msg: expect.stringContaining('raise leadTime and horizon'),
    });
  });

  it('buys no further ahead than the horizon less KEDA’s polling interval', async () => {
    const { answers, settledAt } = readerFor({ ...PROMETHEUS, leadTime: '10m', horizon: '10m' });
    answers.push(600);
    expect(await settledAt(0)).toEqual({ ms: 570_000, measured: true });
  });

  it('takes 0 s for a workload that serves at once', async () => {
    const { answers, settledAt } = readerFor();
    answers.push(0);
    expect(await settledAt(0)).toEqual({ ms: 0, measured: true });
  });
});

describe('startupTimePrometheus', () => {
  it('is the trigger’s own Prometheus, with its credentials and tenancy, when no address is given', () => {
    const config = configOf({
      ...PROMETHEUS,
      authModes: 'bearer',
      bearerTokenFromEnv: 'abc',
      namespace: 'team-a',
    });
    const options = startupTimePrometheus(config);
    expect(options.serverAddress).toBe('http://prometheus:9090');
    expect(options.credentialHeaders).toEqual([['Authorization', 'Bearer abc']]);
    expect(options.namespace).toBe('team-a');
  });

  it('sends none of the trigger’s credentials to startupTimeServerAddress', () => {
    const config = configOf({
      ...PROMETHEUS,
      authModes: 'bearer',
      bearerTokenFromEnv: 'abc',
      startupTimeServerAddress: 'https://viewer:s3cret@metrics.example:9090/',
    });
    const options = startupTimePrometheus(config);
    expect(options.serverAddress).toBe('https://viewer:s3cret@metrics.example:9090');
    expect(options.serverAddressRedacted).not.toContain('s3cret');
    expect(options.credentialHeaders).toEqual([]);
    expect(options.customHeaders).toEqual([]);
  });

  it('is startupTimeServerAddress for a rabbitmq trigger', () => {
    const config = configOf({
      source: 'rabbitmq',
      host: 'amqp://guest:guest@rabbitmq:5672/',
      queueName: 'celery',
      value: '10',
      startupTimeQuery: 'vector(60)',
      startupTimeServerAddress: 'http://prometheus.monitoring:9090',
    });
    expect(startupTimePrometheus(config).serverAddress).toBe('http://prometheus.monitoring:9090');
  });
});
