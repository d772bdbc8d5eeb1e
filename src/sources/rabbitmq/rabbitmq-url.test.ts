import {
  resolveAmqpTarget,
  resolveManagementQueueEndpoint,
  resolveManagementQueuesEndpoint,
} from './rabbitmq-url';

describe('resolveAmqpTarget', () => {
  it.each([
    ['amqp://guest:guest@127.0.0.1:5672', undefined, '/', 5672],
    ['amqp://guest:guest@127.0.0.1:5672/', undefined, '/', 5672],
    ['amqp://guest:guest@127.0.0.1:5672/%2F', undefined, '/', 5672],
    ['amqp://guest:guest@127.0.0.1/orders', undefined, 'orders', 5672],
    ['amqps://guest:guest@broker.example', undefined, '/', 5671],
    ['amqp://guest:guest@127.0.0.1:5672/a%2Fb', undefined, 'a/b', 5672],
    ['amqp://guest:guest@127.0.0.1:5672/orders', 'billing', 'billing', 5672],
    ['amqp://guest:guest@127.0.0.1:5672/orders', '/', '/', 5672],
  ])('%s with vhostName %s reads vhost %s', (host, vhostName, vhost, port) => {
    const target = resolveAmqpTarget(host, vhostName);
    expect(target.vhost).toBe(vhost);
    expect(target.port).toBe(port);
  });

  it('decodes credentials and defaults to guest/guest like amqplib', () => {
    expect(resolveAmqpTarget('amqp://us%40er:p%3Ass@h:1/v', undefined)).toMatchObject({
      username: 'us@er',
      password: 'p:ss',
      hostname: 'h',
    });
    expect(resolveAmqpTarget('amqp://h', undefined)).toMatchObject({ username: 'guest', password: 'guest' });
  });

  it('strips IPv6 brackets for the socket and keeps them for display', () => {
    const target = resolveAmqpTarget('amqp://u:p@[::1]:5672', undefined);
    expect(target.hostname).toBe('::1');
    expect(target.display).toBe('amqp://[::1]:5672/%2F');
  });

  it('reads heartbeat and frameMax from the query string', () => {
    expect(resolveAmqpTarget('amqp://h/v?heartbeat=30&frameMax=8192', undefined)).toMatchObject({
      heartbeatSeconds: 30,
      frameMax: 8192,
    });
    expect(resolveAmqpTarget('amqp://h/v?heartbeat=abc', undefined).heartbeatSeconds).toBeUndefined();
  });

  it('keys connections by credentials and vhost, and never shows the credentials', () => {
    const a = resolveAmqpTarget('amqp://alice:s3cret@h:5672/v', undefined);
    const b = resolveAmqpTarget('amqp://bob:s3cret@h:5672/v', undefined);
    const c = resolveAmqpTarget('amqp://alice:s3cret@h:5672/other', undefined);
    const d = resolveAmqpTarget('amqp://alice:s3cret@h:5672/x', 'v');
    expect(new Set([a.key, b.key, c.key]).size).toBe(3);
    expect(d.key).toBe(a.key);
    for (const target of [a, b, c, d]) {
      expect(target.display).not.toMatch(/s3cret|alice|bob/);
    }
    expect(a.display).toBe('amqp://h:5672/v');
  });

  it('refuses other schemes and never echoes a bad URL with its password', () => {
    expect(() => resolveAmqpTarget('http://u:p@h', undefined)).toThrow(/amqp/);
    expect(() => resolveAmqpTarget('amqp://u:s3cret@h:notaport', undefined)).toThrow(/not a valid URL/);
    try {
      resolveAmqpTarget('amqp://u:s3cret@h:notaport', undefined);
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cret');
    }
  });
});

describe('resolveManagementQueueEndpoint', () => {
  it.each([
    ['http://guest:guest@127.0.0.1:15672', undefined, '/', '/api/queues/%2F/q'],
    ['http://guest:guest@127.0.0.1:15672/', undefined, '/', '/api/queues/%2F/q'],
    ['http://guest:guest@127.0.0.1:15672/%2F', undefined, '/', '/api/queues/%2F/q'],
    ['http://guest:guest@127.0.0.1:15672/orders', undefined, 'orders', '/api/queues/orders/q'],
    ['https://guest:guest@proxy/rabbitmq/orders', undefined, 'orders', '/rabbitmq/api/queues/orders/q'],
    ['https://guest:guest@proxy/rabbitmq/', undefined, '/', '/rabbitmq/api/queues/%2F/q'],
    ['http://guest:guest@127.0.0.1:15672/orders', 'billing', 'billing', '/api/queues/billing/q'],
    ['http://guest:guest@127.0.0.1:15672/orders', 'a b/c', 'a b/c', '/api/queues/a%20b%2Fc/q'],
  ])('%s with vhostName %s reads vhost %s at %s', (host, vhostName, vhost, pathname) => {
    const endpoint = resolveManagementQueueEndpoint(host, vhostName, 'q');
    expect(endpoint.vhost).toBe(vhost);
    expect(endpoint.url.pathname).toBe(pathname);
  });

  it('escapes the queue name as one path segment and asks only for the fields it reads', () => {
    const endpoint = resolveManagementQueueEndpoint('http://u:p@h:15672', undefined, 'celery tasks/high?x#y');
    expect(endpoint.url.pathname).toBe('/api/queues/%2F/celery%20tasks%2Fhigh%3Fx%23y');
    expect(endpoint.url.searchParams.get('columns')).toBe(
      'messages,messages_ready,message_stats.publish_details.rate,message_stats.deliver_get_details.rate',
    );
  });

  it('keeps the credentials on the request URL (basic auth) but not in the display', () => {
    const endpoint = resolveManagementQueueEndpoint('http://alice:s3cret@h:15672/v', undefined, 'q');
    expect(endpoint.url.username).toBe('alice');
    expect(endpoint.url.password).toBe('s3cret');
    expect(endpoint.display).toBe('http://h:15672');
  });

  it('refuses amqp URLs', () => {
    expect(() => resolveManagementQueueEndpoint('amqp://h', undefined, 'q')).toThrow(/http/);
  });
});

describe('resolveManagementQueuesEndpoint', () => {
  it('asks for the first page of queues matching the regex, with the fields it reads', () => {
    const endpoint = resolveManagementQueuesEndpoint(
      'http://u:p@h:15672/prefix/orders',
      undefined,
      '^tasks-[a-z]+$',
      50,
    );
    expect(endpoint.url.pathname).toBe('/prefix/api/queues/orders');
    expect(Object.fromEntries(endpoint.url.searchParams)).toEqual({
      page: '1',
      page_size: '50',
      name: '^tasks-[a-z]+$',
      use_regex: 'true',
      columns:
        'messages,messages_ready,message_stats.publish_details.rate,message_stats.deliver_get_details.rate',
    });
    expect(endpoint.vhost).toBe('orders');
    expect(endpoint.display).toBe('http://h:15672/prefix');
    expect(endpoint.url.username).toBe('u');
  });

  it('lets vhostName win and encodes the root vhost', () => {
    expect(resolveManagementQueuesEndpoint('http://h:15672/orders', '/', 'x', 1).url.pathname).toBe(
      '/api/queues/%2F',
    );
  });
});
