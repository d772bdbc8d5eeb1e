import type { Logger } from 'pino';
import type { AmqpConnectionPool } from './rabbitmq/amqp-connection-pool';

export type { AmqpConnectionPool } from './rabbitmq/amqp-connection-pool';

/** What a source may use besides its own trigger config. Passed in so tests build sources in isolation. */
export interface SourceDeps {
  logger: Logger;
  /** Shared, reference-counted broker connections (one per broker URL, credentials and vhost included). */
  amqp: AmqpConnectionPool;
}
