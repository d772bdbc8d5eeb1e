import type { SourceKind } from '../source-kind';
import { parseRabbitMqMetadata, RABBITMQ_KEYS, type RabbitMqTriggerConfig } from './rabbitmq-metadata';
import { createRabbitMqSource } from './rabbitmq.source';

/** A queue's depth or rate: a passive declare or one management API call, cheap enough to poll fast. */
export const rabbitMqKind: SourceKind<RabbitMqTriggerConfig> = {
  kind: 'rabbitmq',
  keys: RABBITMQ_KEYS,
  parse: parseRabbitMqMetadata,
  create: createRabbitMqSource,
  pushPolling: 'fast',
};
