import { UpstreamDataError, UpstreamUnavailableError } from '../../errors';
import { getJson } from '../http-json';
import type { ManagementQueueEndpoint } from './rabbitmq-url';

/** The counters the rabbitmq source reads from `GET /api/queues/{vhost}/{queue}`. */
export interface ManagementQueueStats {
  /** Ready plus unacknowledged messages. */
  messages: number;
  /** Messages waiting for a consumer. */
  messagesReady: number;
  /** Messages published to the queue per second (0 when nothing was published in the stats window). */
  publishRate: number;
}

export interface ManagementRequestOptions {
  timeoutMs: number;
  /** Accept any server certificate on https. @default false */
  unsafeSsl?: boolean;
  signal?: AbortSignal;
}

/**
 * Reads one queue's counters from the RabbitMQ management HTTP API, with basic auth from the URL. The
 * broker refreshes these counters every few seconds (`collect_statistics_interval`, 5 s by default), so they
 * lag the AMQP count; in return the API also knows unacknowledged messages and publish rates.
 *
 * The HTTP call goes through the shared `getJson` (node:http with keep-alive agents) rather than fetch:
 * it already enforces the deadline, honours `unsafeSsl` per request and maps network failures to
 * `UpstreamUnavailableError` with credentials removed.
 */
export async function readManagementQueueStats(
  endpoint: ManagementQueueEndpoint,
  options: ManagementRequestOptions,
): Promise<ManagementQueueStats> {
  const { status, body } = await getJson({
    url: endpoint.url,
    timeoutMs: options.timeoutMs,
    unsafeSsl: options.unsafeSsl ?? false,
    signal: options.signal,
  });
  const where = `vhost "${endpoint.vhost}" at ${endpoint.display}`;
  if (status === 404) {
    throw new UpstreamDataError(
      `queue "${endpoint.queueName}" not found in ${where} (or the vhost does not exist)`,
      'not_found',
    );
  }
  if (status === 401 || status === 403) {
    throw new UpstreamUnavailableError(
      `the RabbitMQ management API at ${endpoint.display} refused the credentials (HTTP ${status}); the user needs the "monitoring" tag or access to ${where}`,
      'http_status',
    );
  }
  if (status !== 200) {
    throw new UpstreamUnavailableError(
      `the RabbitMQ management API at ${endpoint.display} answered HTTP ${status} for queue "${endpoint.queueName}"`,
      'http_status',
    );
  }
  return parseQueueStats(body, endpoint.queueName, where);
}

/**
 * Validates the management API's queue document. Exported for unit tests.
 *
 * A queue created moments ago has no counters until the broker's next statistics emission (the API then
 * returns the queue without them, or `[]` when `columns` selected only missing fields): that is "not known
 * yet", reported as an error rather than as 0.
 */
export function parseQueueStats(body: unknown, queueName: string, where: string): ManagementQueueStats {
  if (Array.isArray(body) || typeof body !== 'object' || body === null) {
    if (Array.isArray(body) && body.length === 0) throw noStatsYet(queueName, where);
    throw new UpstreamDataError(
      `the RabbitMQ management API returned ${describe(body)} for queue "${queueName}" in ${where}; expected a queue object`,
      'bad_response',
    );
  }
  const document = body as {
    messages?: unknown;
    messages_ready?: unknown;
    message_stats?: { publish_details?: { rate?: unknown } };
  };
  if (document.messages === undefined && document.messages_ready === undefined)
    throw noStatsYet(queueName, where);
  const messages = count(document.messages, 'messages', queueName);
  const messagesReady = count(document.messages_ready, 'messages_ready', queueName);
  const rawRate = document.message_stats?.publish_details?.rate;
  // No message_stats means no publish in the broker's sampling window: a real zero rate.
  const publishRate = rawRate === undefined ? 0 : Number(rawRate);
  if (typeof rawRate !== 'undefined' && (typeof rawRate !== 'number' || !Number.isFinite(publishRate))) {
    throw new UpstreamDataError(
      `the RabbitMQ management API returned publish rate ${describe(rawRate)} for queue "${queueName}"`,
      'not_a_number',
    );
  }
  return { messages, messagesReady, publishRate };
}

function count(value: unknown, field: string, queueName: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new UpstreamDataError(
      `the RabbitMQ management API returned ${field} = ${describe(value)} for queue "${queueName}"; expected a count`,
      'not_a_number',
    );
  }
  return value;
}

function noStatsYet(queueName: string, where: string): UpstreamDataError {
  return new UpstreamDataError(
    `the RabbitMQ management API has no message counts for queue "${queueName}" in ${where} yet (the broker publishes them every few seconds after the queue is created)`,
    'empty',
  );
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
