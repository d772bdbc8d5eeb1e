import { UpstreamDataError } from '../../errors';
import {
  combineQueueStats,
  parseQueuePage,
  parseQueueStats,
  type ManagementQueueStats,
} from './management-api';

describe('parseQueueStats', () => {
  const where = 'vhost "/" at http://h:15672';

  it('reads the counters and the rates', () => {
    expect(
      parseQueueStats(
        {
          messages: 12,
          messages_ready: 9,
          message_stats: { publish_details: { rate: 3.4 }, deliver_get_details: { rate: 1.5 } },
        },
        'q',
        where,
      ),
    ).toEqual({ messages: 12, messagesReady: 9, publishRate: 3.4, deliverGetRate: 1.5 });
  });

  it('reads a missing message_stats as no publishes and no deliveries', () => {
    const stats = parseQueueStats({ messages: 0, messages_ready: 0 }, 'q', where);
    expect(stats.publishRate).toBe(0);
    expect(stats.deliverGetRate).toBe(0);
  });

  it.each([
    ['a queue without counters yet', { name: 'q', vhost: '/' }, 'empty'],
    ['an empty column selection', [], 'empty'],
    ['a list', [{ messages: 1 }], 'bad_response'],
    ['text', 'Not Found', 'bad_response'],
    ['a negative count', { messages: -1, messages_ready: 0 }, 'not_a_number'],
    ['a string count', { messages: '3', messages_ready: 3 }, 'not_a_number'],
    [
      'a non-numeric rate',
      { messages: 1, messages_ready: 1, message_stats: { publish_details: { rate: 'x' } } },
      'not_a_number',
    ],
    [
      'a non-numeric deliver/get rate',
      { messages: 1, messages_ready: 1, message_stats: { deliver_get_details: { rate: null } } },
      'not_a_number',
    ],
  ])('refuses %s', (_what, body, reason) => {
    let caught: unknown;
    try {
      parseQueueStats(body, 'q', where);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UpstreamDataError);
    expect((caught as UpstreamDataError).reason).toBe(reason);
    expect((caught as Error).message).toContain('"q"');
  });
});

describe('parseQueuePage', () => {
  const where = 'vhost "/" at http://h:15672';
  const endpoint = { pattern: '^tasks-', pageSize: 2 };

  it('reads each matching queue, a queue without counters yet as zeros', () => {
    expect(
      parseQueuePage(
        {
          items: [
            {
              name: 'tasks-a',
              messages: 3,
              messages_ready: 2,
              message_stats: { publish_details: { rate: 1 } },
            },
            { name: 'tasks-b' },
          ],
          page: 1,
          page_count: 1,
          filtered_count: 2,
        },
        endpoint,
        where,
      ),
    ).toEqual([
      { messages: 3, messagesReady: 2, publishRate: 1, deliverGetRate: 0 },
      { messages: 0, messagesReady: 0, publishRate: 0, deliverGetRate: 0 },
    ]);
  });

  it('reads no match as no queues', () => {
    expect(parseQueuePage({ items: [], page_count: 0, filtered_count: 0 }, endpoint, where)).toEqual([]);
  });

  it('refuses more matches than one page holds, naming pageSize', () => {
    let caught: unknown;
    try {
      parseQueuePage({ items: [{}, {}], page_count: 2, filtered_count: 3 }, endpoint, where);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UpstreamDataError);
    expect((caught as Error).message).toBe(
      'the queueName regex "^tasks-" matches 3 queues in vhost "/" at http://h:15672, more than pageSize (2) holds; raise pageSize (at most 500) or narrow the regex',
    );
  });

  it.each([
    ['a single queue object', { messages: 1, messages_ready: 1 }],
    ['a list', []],
    ['an item that is not an object', { items: [3] }],
    ['an item with a bad count', { items: [{ name: 'tasks-a', messages: -1, messages_ready: 0 }] }],
  ])('refuses %s', (_what, body) => {
    expect(() => parseQueuePage(body, endpoint, where)).toThrow(UpstreamDataError);
  });
});

describe('combineQueueStats', () => {
  const queues: ManagementQueueStats[] = [
    { messages: 4, messagesReady: 3, publishRate: 1.5, deliverGetRate: 0 },
    { messages: 1, messagesReady: 0, publishRate: 0, deliverGetRate: 2 },
    { messages: 2, messagesReady: 2, publishRate: 0.25, deliverGetRate: 1 },
  ];

  it.each<['sum' | 'avg' | 'max', ManagementQueueStats]>([
    ['sum', { messages: 7, messagesReady: 5, publishRate: 1.75, deliverGetRate: 3 }],
    // KEDA divides the counts as integers: 7 / 3 = 2, 5 / 3 = 1.
    ['avg', { messages: 2, messagesReady: 1, publishRate: 1.75 / 3, deliverGetRate: 1 }],
    ['max', { messages: 4, messagesReady: 3, publishRate: 1.5, deliverGetRate: 2 }],
  ])('%s', (operation, expected) => {
    expect(combineQueueStats(queues, operation)).toEqual(expected);
  });

  it.each(['sum', 'avg', 'max'] as const)('%s of no queues is zeros, as in KEDA', (operation) => {
    expect(combineQueueStats([], operation)).toEqual({
      messages: 0,
      messagesReady: 0,
      publishRate: 0,
      deliverGetRate: 0,
    });
  });
});
