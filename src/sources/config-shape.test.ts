import v8 from 'node:v8';
import { parseTriggerMetadata } from './trigger-metadata';

/**
 * Configs of one kind of trigger must share one V8 hidden class. Built as `{ ...common, more }`, each
 * config had a class of its own: memory for every trigger, and every read of a config field on the
 * request path missed its inline cache once more than four triggers were served.
 */
v8.setFlagsFromString('--allow-natives-syntax');
// V8's own check: natives syntax compiles only in code built after the flag is set.
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const configs = (metadata: (i: number) => Record<string, string>) =>
  Array.from({ length: 200 }, (_, i) => parseTriggerMetadata(metadata(i)));

describe('trigger config shape', () => {
  it.each([
    [
      'prometheus',
      (i: number) => ({
        source: 'prometheus',
        serverAddress: 'http://127.0.0.1:9090',
        query: `sum(rate(http_requests_total{pod="web-${i}"}[1m]))`,
        threshold: '10',
      }),
    ],
    [
      'rabbitmq',
      (i: number) => ({
        source: 'rabbitmq',
        host: 'amqp://127.0.0.1:5672',
        queueName: `orders-${i}`,
        value: '20',
      }),
    ],
    [
      'gpu',
      (i: number) => ({
        source: 'gpu',
        serverAddress: 'http://127.0.0.1:9090',
        selector: `namespace="llm-${i}"`,
        threshold: '70',
      }),
    ],
  ])('gives every %s config one hidden class', (_source, metadata) => {
    const all = configs(metadata);
    const last = all[all.length - 1] as object;
    const distinct = all.filter((config) => !haveSameMap(config, last)).length;
    // V8 may settle on the shared class after the first few objects.
    expect(distinct).toBeLessThanOrEqual(10);
  });
});
