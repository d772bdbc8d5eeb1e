import { UpstreamDataError } from '../../errors';
import { parseQueueStats } from './management-api';

describe('parseQueueStats', () => {
  const where = 'vhost "/" at http://h:15672';

  it('reads the counters and the publish rate', () => {
    expect(
      parseQueueStats(
        { messages: 12, messages_ready: 9, message_stats: { publish_details: { rate: 3.4 } } },
        'q',
        where,
      ),
    ).toEqual({ messages: 12, messagesReady: 9, publishRate: 3.4 });
  });

  it('reads a missing message_stats as no publishes', () => {
    expect(parseQueueStats({ messages: 0, messages_ready: 0 }, 'q', where).publishRate).toBe(0);
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
