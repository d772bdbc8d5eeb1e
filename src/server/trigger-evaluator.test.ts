import { UpstreamDataError, UpstreamUnavailableError } from '../errors';
import type { ForecastView } from '../forecast/port/forecast-port';
import { requestPath } from './request-path.fixtures';

const unreachable = (): UpstreamUnavailableError =>
  new UpstreamUnavailableError('cannot reach http://127.0.0.1:1/api/v1/query: ECONNREFUSED');

const FORECAST: ForecastView = {
  peakWhenReady: 40,
  meanWhenReady: 30,
  lowerWhenReady: 20,
  peakWithinLead: 50,
  peakWithinColdStartBudget: 45,
  meanAtLead: 35,
  method: 'fake',
  backtestLeadRatio: 0.62,
};

/** One line of the text exposition for a trigger series, as a number. */
function sample(text: string, name: string, metric: string, extra = ''): number | undefined {
  const labels = `namespace="shop",scaled_object="workers",metric="${metric}"${extra}`;
  const line = text.split('\n').find((l) => l.startsWith(`keda_predictive_scaler_${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('TriggerEvaluator', () => {
  describe('sharing one evaluation', () => {
    it('answers calls within evaluationTtlMs from one read, reads again after it', async () => {
      const { evaluator, source, clock, handle } = requestPath({ evaluationTtlMs: 1_000 });
      const trigger = handle();
      source.answers(7);
      const first = evaluator.evaluate(trigger);
      clock.advance(999);
      expect(evaluator.evaluate(trigger)).toBe(first);
      expect((await first).value).toBe(7);
      expect(source.reads).toBe(1);

      clock.advance(1);
      source.answers(9);
      expect((await evaluator.evaluate(trigger)).value).toBe(9);
      expect(source.reads).toBe(2);
    });

    it('reads again at once when asked for a fresh evaluation', async () => {
      const { evaluator, source, handle } = requestPath({ evaluationTtlMs: 60_000 });
      const trigger = handle();
      await evaluator.evaluate(trigger);
      source.answers(3);
      expect((await evaluator.evaluate(trigger, { fresh: true })).value).toBe(3);
      expect(source.reads).toBe(2);
      // The fresh evaluation is the one later calls share.
      expect((await evaluator.evaluate(trigger)).value).toBe(3);
      expect(source.reads).toBe(2);
    });

    it('keeps one evaluation per ScaledObject', async () => {
      const { evaluator, source, handle } = requestPath({ evaluationTtlMs: 60_000 });
      await evaluator.evaluate(handle({}, 'workers'));
      await evaluator.evaluate(handle({}, 'other-workers'));
      expect(source.reads).toBe(2);
    });
  });

  describe('a failing source', () => {
    it('serves the last good value within maxStaleness, with reason fallback', async () => {
      const { evaluator, source, clock, handle, metricsText } = requestPath({ evaluationTtlMs: 0 });
      const trigger = handle({ maxStaleness: '30s' });
      source.answers(12);
      await evaluator.evaluate(trigger);

      clock.advance(30_000);
      source.fails(unreachable());
      const stale = await evaluator.evaluate(trigger);
      expect(stale).toMatchObject({ value: 12, live: 12, reason: 'fallback', active: true });
      expect(stale.liveAtMs).toBe(clock.nowMs - 30_000);
      const text = await metricsText();
      const metric = trigger.config.metricName;
      expect(sample(text, 'source_staleness_seconds', metric)).toBe(30);
      expect(sample(text, 'decisions_total', metric, ',reason="fallback"')).toBe(1);
    });

    it('rethrows once the last good value is older than maxStaleness', async () => {
      const { evaluator, source, clock, handle } = requestPath({ evaluationTtlMs: 0 });
      const trigger = handle({ maxStaleness: '30s' });
      await evaluator.evaluate(trigger);
      clock.advance(30_001);
      const error = unreachable();
      source.fails(error);
      await expect(evaluator.evaluate(trigger)).rejects.toBe(error);
    });

    it('rethrows when there never was a good value', async () => {
      const { evaluator, source, handle } = requestPath({ evaluationTtlMs: 0 });
      source.fails(unreachable());
      await expect(evaluator.evaluate(handle())).rejects.toBeInstanceOf(UpstreamUnavailableError);
    });

    it('throws a wrong answer (UpstreamDataError) at once, even with a fresh last value', async () => {
      const { evaluator, source, handle } = requestPath({ evaluationTtlMs: 0 });
      const trigger = handle({ maxStaleness: '30s' });
      await evaluator.evaluate(trigger);
      const error = new UpstreamDataError('query returned 2 series; expected one', 'multiple_series');
      source.fails(error);
      await expect(evaluator.evaluate(trigger)).rejects.toBe(error);
    });

    it('never bridges with maxStaleness "0"', async () => {
      const { evaluator, source, handle } = requestPath({ evaluationTtlMs: 0 });
      const trigger = handle({ maxStaleness: '0' });
      await evaluator.evaluate(trigger);
      source.fails(unreachable());
      await expect(evaluator.evaluate(trigger)).rejects.toBeInstanceOf(UpstreamUnavailableError);
    });

    it.each([NaN, Infinity, -Infinity])('rejects a reading of %p as UpstreamDataError', async (value) => {
      const { evaluator, source, handle, metricsText } = requestPath({ evaluationTtlMs: 0 });
      source.answers(value);
      const error: unknown = await evaluator.evaluate(handle()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamDataError);
      expect(error).toMatchObject({ reason: 'not_a_number' });
      expect(await metricsText()).toContain(
        'keda_predictive_scaler_source_errors_total{source="fake",reason="not_a_number"} 1',
      );
    });

    it('does not serve a non-finite reading as the last good value later', async () => {
      const { evaluator, source, handle } = requestPath({ evaluationTtlMs: 0 });
      const trigger = handle({ maxStaleness: '30s' });
      source.answers(NaN);
      await expect(evaluator.evaluate(trigger)).rejects.toBeInstanceOf(UpstreamDataError);
      source.fails(unreachable());
      await expect(evaluator.evaluate(trigger)).rejects.toBeInstanceOf(UpstreamUnavailableError);
    });
  });

  describe('the forecast', () => {
    it('is asked on every evaluation and raises the value above live', async () => {
      const { evaluator, source, forecast, clock, handle } = requestPath({ evaluationTtlMs: 0 });
      const trigger = handle();
      forecast.current = FORECAST;
      source.answers(10);
      const evaluation = await evaluator.evaluate(trigger);
      expect(forecast.viewed).toEqual([
        { config: trigger.config, nowMs: clock.nowMs, windows: trigger.config },
      ]);
      expect(evaluation).toMatchObject({ value: 40, live: 10, reason: 'forecast', forecastUsed: true });
      expect(evaluation.forecast).toBe(FORECAST);
    });

    it('is asked but not used in shadow mode', async () => {
      const { evaluator, source, forecast, handle } = requestPath({ evaluationTtlMs: 0 });
      forecast.current = FORECAST;
      source.answers(10);
      const evaluation = await evaluator.evaluate(handle({ predictive: 'shadow' }));
      expect(forecast.viewed).toHaveLength(1);
      expect(evaluation).toMatchObject({ value: 10, reason: 'live', forecastValue: 40, forecastUsed: false });
    });

    it('is not asked with predictive "false"', async () => {
      const { evaluator, source, forecast, handle } = requestPath({ evaluationTtlMs: 0 });
      forecast.current = FORECAST;
      source.answers(10);
      const evaluation = await evaluator.evaluate(handle({ predictive: 'false' }));
      expect(forecast.viewed).toEqual([]);
      expect(evaluation).toMatchObject({ value: 10, reason: 'live', forecast: undefined });
      // History is still sampled: a later switch to predictive finds a model ready.
      expect(forecast.observed).toHaveLength(1);
    });

    it('observes fresh readings only, never the last good value served while the source fails', async () => {
      const { evaluator, source, forecast, clock, handle } = requestPath({ evaluationTtlMs: 0 });
      const trigger = handle({ maxStaleness: '1m' });
      source.answers(4);
      await evaluator.evaluate(trigger);
      const firstAt = clock.nowMs;
      clock.advance(10_000);
      source.fails(unreachable());
      expect((await evaluator.evaluate(trigger)).reason).toBe('fallback');
      clock.advance(10_000);
      source.answers(6);
      await evaluator.evaluate(trigger);
      expect(forecast.observed).toEqual([
        { value: 4, atMs: firstAt },
        { value: 6, atMs: clock.nowMs },
      ]);
    });

    it('is not consulted when the read fails without a fallback', async () => {
      const { evaluator, source, forecast, handle } = requestPath({ evaluationTtlMs: 0 });
      source.fails(unreachable());
      await expect(evaluator.evaluate(handle())).rejects.toThrow();
      expect(forecast.viewed).toEqual([]);
      expect(forecast.observed).toEqual([]);
    });
  });

  describe('metrics', () => {
    it('export the returned value, the live value, the activation and the decision reason', async () => {
      const { evaluator, source, forecast, handle, metricsText } = requestPath({ evaluationTtlMs: 0 });
      const trigger = handle();
      const metric = trigger.config.metricName;
      source.answers(10);
      await evaluator.evaluate(trigger);
      let text = await metricsText();
      expect(sample(text, 'returned_value', metric)).toBe(10);
      expect(sample(text, 'live_value', metric)).toBe(10);
      expect(sample(text, 'active', metric)).toBe(1);
      expect(sample(text, 'source_staleness_seconds', metric)).toBe(0);
      expect(sample(text, 'decisions_total', metric, ',reason="live"')).toBe(1);

      forecast.current = FORECAST;
      const evaluation = await evaluator.evaluate(trigger);
      text = await metricsText();
      expect(sample(text, 'returned_value', metric)).toBe(evaluation.value);
      expect(sample(text, 'returned_value', metric)).toBe(40);
      expect(sample(text, 'live_value', metric)).toBe(10);
      expect(sample(text, 'forecast_upper', metric)).toBe(40);
      expect(sample(text, 'forecast_value', metric)).toBe(30);
      expect(sample(text, 'forecast_lower', metric)).toBe(20);
      expect(sample(text, 'decisions_total', metric, ',reason="forecast"')).toBe(1);
      expect(sample(text, 'predictive_enabled', metric, ',mode="true"')).toBe(1);
      expect(sample(text, 'forecast_backtest_mase', metric)).toBe(0.62);
    });

    it('export forecast_degraded: 0 while the forecast keeps its promise, 1 after an hour above it', async () => {
      const { evaluator, source, forecast, clock, handle, metrics, metricsText } = requestPath({
        evaluationTtlMs: 0,
      });
      const trigger = handle({ leadTime: '5m', sampleInterval: '1m' });
      const metric = trigger.config.metricName;
      // The forecast says 35 at the lead; the load sits near 100, so it does far worse than last value.
      forecast.current = FORECAST;
      const minute = async (m: number): Promise<number | undefined> => {
        source.answers(100 + (m % 2));
        await evaluator.evaluate(trigger);
        clock.advance(60_000);
        return sample(await metricsText(), 'forecast_degraded', metric);
      };
      expect(await minute(0)).toBe(0);
      // The first prediction is scored at minute 5; an hour later the forecast is degraded.
      for (let m = 1; m < 65; m++) expect(await minute(m)).toBe(0);
      expect(await minute(65)).toBe(1);
      metrics.forgetTrigger(trigger.labels);
      expect(sample(await metricsText(), 'forecast_degraded', metric)).toBeUndefined();
    });

    it('report an idle trigger as inactive with value 0', async () => {
      const { evaluator, source, handle, metricsText } = requestPath({ evaluationTtlMs: 0 });
      const trigger = handle();
      source.answers(0);
      expect(await evaluator.evaluate(trigger)).toMatchObject({ value: 0, active: false });
      const text = await metricsText();
      expect(sample(text, 'returned_value', trigger.config.metricName)).toBe(0);
      expect(sample(text, 'active', trigger.config.metricName)).toBe(0);
    });
  });

  it('stores each fresh reading as the last good one', async () => {
    const first = requestPath({ evaluationTtlMs: 0 });
    const trigger = first.handle({ maxStaleness: '1m' });
    first.source.answers(21);
    await first.evaluator.evaluate(trigger);
    // Written in the background: wait for it to land.
    await new Promise((resolve) => setImmediate(resolve));
    expect(await first.store.getLastReading(trigger.storeId)).toEqual({ value: 21, atMs: first.clock.nowMs });
  });

  describe('startupTimeQuery', () => {
    const settle = () => new Promise((resolve) => setImmediate(resolve));

    it('buys capacity for the measured start-up time once the query has answered', async () => {
      const { evaluator, forecast, clock, handle, startupTimeQuery, metricsText } = requestPath({
        evaluationTtlMs: 0,
      });
      startupTimeQuery.answers(150);
      const trigger = handle({ startupTime: '2m', startupTimeQuery: 'vector(150)' });
      await evaluator.evaluate(trigger);
      // The first evaluation does not wait for the query: it uses startupTime.
      expect(forecast.viewed[0]?.windows?.startupTimeMs).toBe(120_000);
      const metric = trigger.config.metricName;
      expect(sample(await metricsText(), 'startup_time_seconds', metric, ',from="metadata"')).toBe(120);

      await settle();
      clock.advance(1_000);
      const evaluation = await evaluator.evaluate(trigger);
      expect(forecast.viewed[1]?.windows?.startupTimeMs).toBe(150_000);
      expect(evaluation.forecast).toBeUndefined();
      const text = await metricsText();
      expect(sample(text, 'startup_time_seconds', metric, ',from="query"')).toBe(150);
      expect(sample(text, 'startup_time_seconds', metric, ',from="metadata"')).toBeUndefined();
      // Asked once, then not again within the refresh interval.
      expect(startupTimeQuery.asked).toBe(1);
    });

    it('is never asked for a trigger that does not use the forecast', async () => {
      const { evaluator, clock, handle, startupTimeQuery } = requestPath({ evaluationTtlMs: 0 });
      startupTimeQuery.answers(150);
      const trigger = handle({ predictive: 'false', startupTimeQuery: 'vector(150)' });
      await evaluator.evaluate(trigger);
      await settle();
      clock.advance(1_000);
      await evaluator.evaluate(trigger);
      expect(startupTimeQuery.asked).toBe(0);
    });

    it('keeps deciding on the live value when the query fails', async () => {
      const { evaluator, forecast, clock, handle, source, startupTimeQuery } = requestPath({
        evaluationTtlMs: 0,
      });
      startupTimeQuery.fails(unreachable());
      source.answers(8);
      const trigger = handle({ startupTime: '3m', startupTimeQuery: 'vector(150)' });
      await evaluator.evaluate(trigger);
      await settle();
      clock.advance(1_000);
      expect(await evaluator.evaluate(trigger)).toMatchObject({ value: 8, reason: 'live' });
      expect(forecast.viewed.map((call) => call.windows?.startupTimeMs)).toEqual([180_000, 180_000]);
    });
  });
});
