import type { Logger } from 'pino';
import {
  createAmqpConnectionPool,
  type AmqpConnectionPool,
  type AmqpPoolOptions,
} from './amqp-connection-pool';

/** The pool the composition root shares between every RabbitMQ source of the process. */
export function createAmqpPool(
  logger: Logger,
  options: Omit<AmqpPoolOptions, 'logger'> = {},
): AmqpConnectionPool {
  return createAmqpConnectionPool({ logger, ...options });
}
