import type { ManagementQueueStats } from './management-api';
import type { RabbitMqMode } from './rabbitmq-metadata';
import { measureQueue, type ModeReading } from './rabbitmq-modes';

function stats(messages: number, publishRate: number, deliverGetRate: number): ManagementQueueStats {
  return { messages, messagesReady: Math.max(0, messages - 1), publishRate, deliverGetRate };
}

/** KEDA's GetMetricsAndActivity, mode by mode, with activation level 5. */
describe('measureQueue', () => {
  it.each<[RabbitMqMode, ManagementQueueStats, ModeReading]>([
    ['QueueLength', stats(12, 3, 1), { value: 12, activity: undefined }],
    ['MessageRate', stats(12, 3, 1), { value: 3, activity: 12 }],
    // A backlog after the publishers stopped: value 0, still active above 5.
    ['MessageRate', stats(40, 0, 0), { value: 0, activity: 40 }],
    ['MessageRate', stats(0, 8, 8), { value: 8, activity: 8 }],
    ['DeliverGetRate', stats(12, 3, 2.5), { value: 2.5, activity: undefined }],
    ['PublishedToDeliveredRatio', stats(12, 6, 2), { value: 3, activity: undefined }],
    ['PublishedToDeliveredRatio', stats(12, 0, 2), { value: 0, activity: undefined }],
    ['PublishedToDeliveredRatio', stats(12, 0, 0), { value: 0, activity: undefined }],
    // Publishing with nothing delivered: the activation level, and active whatever it is.
    ['PublishedToDeliveredRatio', stats(12, 6, 0), { value: 5, activity: Infinity }],
    ['ExpectedQueueConsumptionTime', stats(0, 6, 0), { value: 0, activity: undefined }],
    ['ExpectedQueueConsumptionTime', stats(12, 6, 0), { value: 5, activity: Infinity }],
    // (6 - 3) / 3 + 12 / 3 = 5 seconds.
    ['ExpectedQueueConsumptionTime', stats(12, 6, 3), { value: 5, activity: undefined }],
    ['ExpectedQueueConsumptionTime', stats(10, 0, 5), { value: 1, activity: undefined }],
  ])('%s on %j', (mode, queue, expected) => {
    expect(measureQueue(mode, queue, false, 5)).toEqual(expected);
  });

  it('counts ready messages only with excludeUnacknowledged, for the value and the activity alike', () => {
    expect(measureQueue('QueueLength', stats(12, 0, 0), true, 0).value).toBe(11);
    expect(measureQueue('MessageRate', stats(12, 0, 0), true, 0).activity).toBe(11);
    expect(measureQueue('ExpectedQueueConsumptionTime', stats(1, 0, 2), true, 0).value).toBe(0);
  });
});
