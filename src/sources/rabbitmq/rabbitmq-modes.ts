import type { Reading } from '../source';
import type { ManagementQueueStats } from './management-api';
import type { RabbitMqMode } from './rabbitmq-metadata';

/** What one mode makes of a queue's counters: the value KEDA scales on, and what activation compares. */
export type ModeReading = Pick<Reading, 'value' | 'activity'>;

/**
 * KEDA's rabbitmq modes over the management API's counters (`GetMetricsAndActivity` in KEDA's
 * rabbitmq_scaler.go), value and activation rule alike:
 * - `QueueLength`: messages (ready only with `excludeUnacknowledged`);
 * - `MessageRate`: the publish rate, active while the rate or the backlog exceeds the activation level, so
 *   a backlog left when publishers stop still keeps the trigger active;
 * - `DeliverGetRate`: the deliver/get rate;
 * - `PublishedToDeliveredRatio`: publish rate over deliver/get rate; publishing with nothing delivered
 *   reads as the activation level and is active;
 * - `ExpectedQueueConsumptionTime`: seconds until the queue drains at the current rates; a backlog with
 *   nothing delivered reads as the activation level and is active.
 * An `activity` of Infinity means "active whatever the activation level".
 */
export function measureQueue(
  mode: RabbitMqMode,
  stats: ManagementQueueStats,
  excludeUnacknowledged: boolean,
  activationLevel: number,
): ModeReading {
  const messages = excludeUnacknowledged ? stats.messagesReady : stats.messages;
  const { publishRate, deliverGetRate } = stats;
  switch (mode) {
    case 'QueueLength':
      return { value: messages, activity: undefined };
    case 'MessageRate':
      return { value: publishRate, activity: Math.max(publishRate, messages) };
    case 'DeliverGetRate':
      return { value: deliverGetRate, activity: undefined };
    case 'PublishedToDeliveredRatio': {
      if (publishRate > 0 && deliverGetRate === 0) return { value: activationLevel, activity: Infinity };
      const ratio = publishRate > 0 ? publishRate / deliverGetRate : 0;
      return { value: ratio, activity: undefined };
    }
    case 'ExpectedQueueConsumptionTime': {
      if (messages === 0) return { value: 0, activity: undefined };
      if (deliverGetRate === 0) return { value: activationLevel, activity: Infinity };
      const seconds = (publishRate - deliverGetRate) / deliverGetRate + messages / deliverGetRate;
      return { value: seconds, activity: undefined };
    }
  }
}
