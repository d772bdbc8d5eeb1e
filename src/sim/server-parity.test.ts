import pino from 'pino';
import { Registry } from 'prom-client';
import { readSettings } from '../config/settings';
import type { Decision } from '../decision/decide';
import { ForecastService, forecastServiceSettings } from '../forecast/lifecycle/forecast-service';
import { inlineFitter } from '../forecast/lifecycle/model-fitter';
import { gaussian, seededRandom } from '../forecast/synthetic-series';
import { ScalerMetrics } from '../metrics/scaler-metrics';
import { TriggerEvaluator } from '../server/trigger-evaluator';
import { TriggerRegistry } from '../server/trigger-registry';
import { createAmqpConnectionPool } from '../sources/rabbitmq/amqp-connection-pool';
import type { Source } from '../sources/source';
import { MemoryStore } from '../store/memory-store';
import { SimulatedForecast } from './simulated-forecast';
import { PredictivePolicy } from './strategies';
import { simulatedTrigger } from './trigger';

const MINUTE = 60_000;
const START = Date.parse('2024-03-04T00:00:00Z');

/** A 2-hour cycle with noise and a few bursts, one value a minute. */
function traceValues(minutes: number): Float64Array {
  const noise = gaussian(seededRandom(7));
  return Float64Array.from({ length: minutes }, (_, i) => {
    const cycle = 40 + 30 * Math.sin((2 * Math.PI * i) / 120);
    const burst = i % 397 < 3 ? 60 : 0;
    return Math.max(0, cycle + burst + 3 * noise());
  });
}

/** The decision fields KEDA sees and the metrics report. */
const outcome = (d: Decision): Pick<Decision, 'value' | 'active' | 'reason' | 'forecastUsed'> => ({
  value: d.value,
  active: d.active,
  reason: d.reason,
  forecastUsed: d.forecastUsed,
});

describe('the simulator makes the decisions the server makes', () => {
  it('replays a trace through the server path and the predictive strategy alike, step by step', async () => {
    const values = traceValues(16 * 60);
    const valueAt = (atMs: number): number =>
      values[Math.min(values.length - 1, Math.floor((atMs - START) / MINUTE))] as number;
    const metadata = { leadTime: '10m', seasonality: 'auto', activationThreshold: '5' };

    // The server's own path: registry, evaluator and forecast service on a fake clock, with the trace as
    // the trigger's source and an in-memory store.
    let now = START;
    const clock = (): number => now;
    const logger = pino({ level: 'silent' });
    const metrics = new ScalerMetrics(new Registry(), { defaultMetrics: false });
    const store = new MemoryStore(clock);
    const traceSource: Source = {
      kind: 'trace',
      read: () => Promise.resolve({ value: valueAt(now), atMs: now }),
    };
    const registry = new TriggerRegistry(clock);
    const handle = registry.resolve({
      namespace: 'shop',
      name: 'workers',
      scalerMetadata: {
        source: 'prometheus',
        serverAddress: 'http://simulated.invalid',
        query: 'trace',
        threshold: '10',
        ...metadata,
      },
    });
    const service = new ForecastService(
      { store, metrics, logger, clock, sourceFor: () => traceSource },
      { ...forecastServiceSettings(readSettings({})), tickMs: 0, fitter: inlineFitter },
    );
    const evaluator = new TriggerEvaluator({
      store,
      metrics,
      logger,
      forecast: service,
      sourceDeps: { logger, amqp: createAmqpConnectionPool({ logger }) },
      clock,
      evaluationTtlMs: 0,
      createSource: () => traceSource,
    });

    // The simulator's predictive strategy on the same trigger.
    const trigger = simulatedTrigger({ target: '10', metadata });
    expect(trigger).toEqual(handle.config);
    const simulated = new PredictivePolicy(trigger, new SimulatedForecast({ fitter: inlineFitter }));

    let forecastDecisions = 0;
    for (let t = START; t < START + values.length * MINUTE; t += 30_000) {
      now = t;
      const server = await evaluator.evaluate(handle, { fresh: true });
      const replay = simulated.evaluate(t, valueAt(t));
      expect({ t: new Date(t).toISOString(), ...outcome(replay) }).toEqual({
        t: new Date(t).toISOString(),
        ...outcome(server),
      });
      if (server.reason === 'forecast') forecastDecisions++;
      const serverDue = service.trainingDue(t);
      expect(simulated.backgroundDue(t)).toBe(serverDue);
      if (serverDue) {
        await service.runOnce();
        await simulated.background(t);
      }
    }
    // Not a vacuous match: a model was learned and raised the value ahead of load.
    expect(simulated.evaluationsWithModel).toBeGreaterThan(0);
    expect(forecastDecisions).toBeGreaterThan(0);
    await service.stop();
    await simulated.forecast.service.stop();
  });
});
