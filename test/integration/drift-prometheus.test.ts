import Redis from 'ioredis';
import { startExporter, type TestExporter } from '../support/exporter';
import { startPrometheus, waitForSeries, type TestPrometheus } from '../support/prometheus';
import { kedaRef, startTestScaler, type TestScaler } from '../support/scaler';

const SAMPLE_INTERVAL_MS = 2_000;
const LEAD_MS = 10_000;
const DRIFT_WINDOW_MS = 15_000;
/**
 * A one-minute cycle around 100 that follows Prometheus's own clock, so the range query of the backfill
 * draws the hour before the test as the instant queries draw the present, plus whatever the exporter's
 * `planted_shift` says (0 before it was ever scraped).
 */
const QUERY = '100 + 30 * sin(vector(2 * pi() * time() / 60)) + (max(planted_shift) or vector(0))';

interface Point {
  atMs: number;
  shift: number;
  degraded: number | undefined;
  mase: number | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drift retraining end to end: a real Prometheus scrapes a test exporter, the scaler (its gRPC server, HTTP
 * server and forecast loop, over the real Redis) is polled the way KEDA polls it, on real time. The model
 * learns the cycle from the backfilled hour; a level shift planted in the exporter makes its forecast
 * worse than its backtest promised, and after DRIFT_WINDOW (15s here, an hour by default) the model is
 * retrained at once although RETRAIN_INTERVAL is an hour, and `forecast_degraded` turns 1. Once the shift
 * is over the forecast in use fits again and the gauge drops back to 0.
 */
describe('drift retraining through a real Prometheus', () => {
  const prefix = `kps-test-drift-prom-${process.pid}-${Date.now()}`;
  const redis = new Redis('redis://127.0.0.1:6379');
  let shift = 0;
  let exporter: TestExporter;
  let prometheus: TestPrometheus;
  let scaler: TestScaler;

  beforeAll(async () => {
    exporter = await startExporter(() => `# TYPE planted_shift gauge\nplanted_shift ${shift}\n`);
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target] });
    await waitForSeries(prometheus, 'planted_shift');
    scaler = await startTestScaler({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: prefix,
      RETRAIN_INTERVAL: '1h',
      DRIFT_WINDOW: `${DRIFT_WINDOW_MS / 1000}s`,
      LOG_LEVEL: 'info',
    });
  }, 60_000);

  afterAll(async () => {
    await scaler?.stop();
    await prometheus?.stop();
    await exporter?.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('retrains at once when a planted shift outlasts DRIFT_WINDOW, and clears forecast_degraded once the forecast fits', async () => {
    const ref = kedaRef(
      {
        source: 'prometheus',
        serverAddress: prometheus.url,
        query: QUERY,
        threshold: '50',
        sampleInterval: `${SAMPLE_INTERVAL_MS / 1000}s`,
        leadTime: `${LEAD_MS / 1000}s`,
        horizon: '1m',
        historyWindow: '1h',
        seasonality: 'none',
      },
      'workers',
      'shop',
    );
    const metricName = (await scaler.client.getMetricSpec(ref)).metricSpecs[0]!.metricName;
    const http = `http://127.0.0.1:${scaler.httpPort}`;

    /** The trigger's series of `name` on `/metrics`. */
    const exported = (text: string, name: string): number | undefined => {
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`${name}{`) && l.includes('scaled_object="workers"'));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const currentVersion = async (): Promise<number | undefined> => {
      const response = await fetch(`${http}/models/shop/workers/${metricName}`);
      if (response.status !== 200) return undefined;
      return ((await response.json()) as { current: { version: number } }).current.version;
    };
    const promotions = (): Array<Record<string, unknown>> =>
      scaler.logs.lines.filter((line) => line.audit === 'model.promoted');
    const driftLines = (): Array<Record<string, unknown>> =>
      scaler.logs.lines.filter((line) => line.level === 40 && String(line.msg).startsWith('forecast worse'));

    const timeline: Point[] = [];
    /** One KEDA poll (GetMetrics over gRPC), then what `/metrics` says of the trigger. */
    const poll = async (): Promise<Point> => {
      await scaler.client.getMetrics(ref, metricName);
      const text = await (await fetch(`${http}/metrics`)).text();
      const point: Point = {
        atMs: Date.now(),
        shift,
        degraded: exported(text, 'keda_predictive_scaler_forecast_degraded'),
        mase: exported(text, 'keda_predictive_scaler_forecast_mase'),
      };
      timeline.push(point);
      return point;
    };
    /** Polls at the sample interval until `done`, for at most `timeoutMs`. */
    const pollUntil = async (
      what: string,
      done: (p: Point) => boolean,
      timeoutMs: number,
    ): Promise<Point> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const point = await poll();
        if (done(point)) return point;
        if (Date.now() > deadline)
          throw new Error(
            `no ${what} within ${timeoutMs} ms; last polls: ${JSON.stringify(timeline.slice(-5))}`,
          );
        await sleep(SAMPLE_INTERVAL_MS);
      }
    };

    // The first poll backfills the hour from Prometheus and trains; then the forecast's first predictions
    // come due a lead time later and beat "it stays as it is now".
    await pollUntil('model in use', () => promotions().length === 1, 30_000);
    expect(promotions()[0]).toMatchObject({ version: 1, usable: true });
    const scoredAt = await pollUntil('scored forecast', (p) => p.mase !== undefined, LEAD_MS + 20_000);
    await pollUntil('few more scores', (p) => p.atMs >= scoredAt.atMs + 2 * LEAD_MS, 3 * LEAD_MS);
    expect(timeline.every((p) => p.degraded === 0 || p.degraded === undefined)).toBe(true);
    expect(timeline.at(-1)!.degraded).toBe(0);
    expect(timeline.at(-1)!.mase).toBeLessThan(1);
    expect(await currentVersion()).toBe(1);

    // The planted shift: Prometheus scrapes it within a second, the forecast misses it, and after the
    // drift window the model is retrained out of schedule and the trigger reported degraded.
    shift = 80;
    const shiftedAtMs = Date.now();
    const raised = await pollUntil('forecast_degraded 1', (p) => p.degraded === 1, 90_000);
    expect(raised.atMs - shiftedAtMs).toBeGreaterThanOrEqual(DRIFT_WINDOW_MS);
    await pollUntil('drift retraining', () => promotions().length >= 2, 20_000);
    // One warn line said why, with the model's live error above what its backtest promised.
    const [drift] = driftLines();
    expect(drift).toMatchObject({ metric: metricName });
    expect(drift!.threshold).toBe(Math.max(1, 1.5 * (drift!.backtestMase as number)));
    expect(drift!.liveMase).toBeGreaterThan(drift!.threshold as number);
    expect(promotions()[1]).toMatchObject({ version: 2, replacedVersion: 1, drifted: true });
    expect(await currentVersion()).toBeGreaterThanOrEqual(2);

    // The shift is over: the forecast of the model in use is scored back under the threshold.
    shift = 0;
    const cleared = await pollUntil('forecast_degraded back to 0', (p) => p.degraded === 0, 90_000);
    expect(cleared.atMs).toBeGreaterThan(raised.atMs);
    const degradedFor = timeline.filter((p) => p.atMs >= raised.atMs && p.atMs < cleared.atMs);
    expect(degradedFor.every((p) => p.degraded === 1)).toBe(true);
    // Every training after the first was asked for by the drift rule; none waited for RETRAIN_INTERVAL.
    expect(
      promotions()
        .slice(1)
        .every((line) => line.drifted === true),
    ).toBe(true);
  }, 240_000);
});
