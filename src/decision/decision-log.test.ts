import { DecisionLog } from './decision-log';
import { explainDecision, type ExplainConfig } from './explain';

const MINUTE = 60_000;

describe('DecisionLog', () => {
  it('keeps the last decision and the one before that returned a value', () => {
    const log = new DecisionLog();
    log.record('t', { atMs: 0, live: 1, returned: 1 });
    log.record('t', { atMs: MINUTE, live: 2, returned: 2 });
    log.record('t', { atMs: 2 * MINUTE, error: 'down' });
    const history = log.history('t');
    expect(history?.last).toEqual({ atMs: 2 * MINUTE, error: 'down' });
    expect(history?.previous).toEqual({ atMs: MINUTE, live: 2, returned: 2 });
  });

  it('plots a point a minute at most, over the last day only', () => {
    const log = new DecisionLog();
    for (let s = 0; s <= 26 * 3600; s += 30) log.record('t', { atMs: s * 1000, live: s, returned: s });
    const points = log.history('t')?.points ?? [];
    expect(points).toHaveLength(24 * 60 + 1);
    expect(points[0]?.atMs).toBe(2 * 3600 * 1000);
    expect(points[1]!.atMs - points[0]!.atMs).toBe(MINUTE);
  });

  it('forgets a trigger', () => {
    const log = new DecisionLog();
    log.record('t', { atMs: 0, live: 1, returned: 1 });
    log.forget('t');
    expect(log.history('t')).toBeUndefined();
  });

  describe('stores a source error without its credentials', () => {
    const config: ExplainConfig = {
      target: 10,
      quantile: 0.9,
      startupTimeMs: 180_000,
      leadTimeMs: 900_000,
      predictive: 'true',
      activationTarget: 0,
      businessHoursMultiplier: 1,
    };

    it.each<[string, string, string]>([
      [
        'an AMQP URL with user:password',
        'cannot connect to RabbitMQ at amqp://orders:s3cret-amqp@rabbitmq:5672/prod: ECONNREFUSED',
        'cannot connect to RabbitMQ at amqp://***@rabbitmq:5672/prod: ECONNREFUSED',
      ],
      [
        'an HTTP URL with credentials',
        'cannot reach http://reader:s3cret-http@prometheus:9090/api/v1/query: ECONNREFUSED',
        'cannot reach http://***@prometheus:9090/api/v1/query: ECONNREFUSED',
      ],
      [
        'a bearer token an upstream echoed',
        'Prometheus at http://thanos:10902 answered error: invalid Authorization: Bearer s3cret.jwt-token',
        'Prometheus at http://thanos:10902 answered error: invalid Authorization: Bearer ***',
      ],
      [
        'a bare bearer token and a token in the query string',
        'refused Bearer s3cret0token for /api/v1/query?query=up&access_token=s3cret0query',
        'refused Bearer *** for /api/v1/query?query=up&access_token=***',
      ],
    ])('%s', (_what, message, redacted) => {
      const log = new DecisionLog();
      log.record('t', { atMs: 0, error: message });
      const history = log.history('t')!;
      expect(history.last.error).toBe(redacted);
      // The API view and the status page read the log: the reason quotes the stored message.
      const explained = explainDecision(config, history);
      expect(explained.error).toBe(redacted);
      expect(explained.reason).toContain(redacted);
      expect(JSON.stringify(explained)).not.toContain('s3cret');
    });
  });
});
