import { MetadataError, UpstreamDataError, UpstreamUnavailableError } from '../../errors';
import { getJson } from '../http-json';
import type { RabbitMqOperation } from './rabbitmq-metadata';
import type { ManagementQueueEndpoint, ManagementQueuesEndpoint } from './rabbitmq-url';

/** The counters the rabbitmq source reads from the management API, for one queue or a combination. */
export interface ManagementQueueStats {
  /** Ready plus unacknowledged messages. */
  messages: number;
  /** Messages waiting for a consumer. */
  messagesReady: number;
  /** Messages published to the queue per second (0 when nothing was published in the stats window). */
  publishRate: number;
  /** Messages delivered or fetched per second (0 when none were in the stats window). */
  deliverGetRate: number;
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
 * it already enforces the deadline, skips certificate checks per request (`sourceUnsafeSsl`) and maps network failures to
 * `UpstreamUnavailableError` with credentials removed.
 */
export async function readManagementQueueStats(
  endpoint: ManagementQueueEndpoint,
  options: ManagementRequestOptions,
): Promise<ManagementQueueStats> {
  const { status, body } = await getManagementJson(endpoint.url, options);
  const where = `vhost "${endpoint.vhost}" at ${endpoint.display}`;
  if (status === 404) {
    throw new UpstreamDataError(
      `queue "${endpoint.queueName}" not found in ${where} (or the vhost does not exist)`,
      'not_found',
    );
  }
  checkStatus(status, endpoint.display, where, `queue "${endpoint.queueName}"`);
  return parseQueueStats(body, endpoint.queueName, where);
}

/**
 * Reads the queues whose names match a regex (KEDA's `useRegex`) and combines their counters with
 * `operation`. As in KEDA: a queue without counters yet counts as zeros, no matching queue reads as 0
 * (queues that come and go are what a regex is for), and more matches than one page holds is an error
 * rather than a partial answer.
 */
export async function readManagementQueuesStats(
  endpoint: ManagementQueuesEndpoint,
  operation: RabbitMqOperation,
  options: ManagementRequestOptions,
): Promise<ManagementQueueStats> {
  const { status, body } = await getManagementJson(endpoint.url, options);
  const where = `vhost "${endpoint.vhost}" at ${endpoint.display}`;
  if (status === 404) {
    throw new UpstreamDataError(`vhost "${endpoint.vhost}" not found at ${endpoint.display}`, 'not_found');
  }
  if (status === 400) {
    // The pagination parameters are bounded at parse time, so what the API refuses is the pattern.
    throw new MetadataError(
      'queueName',
      endpoint.pattern,
      `a regular expression the RabbitMQ management API accepts (it answered HTTP 400: ${describe(body)})`,
    );
  }
  checkStatus(status, endpoint.display, where, `queues matching "${endpoint.pattern}"`);
  return combineQueueStats(parseQueuePage(body, endpoint, where), operation);
}

/**
 * The counters of each matching queue on the page. Exported for unit tests.
 */
export function parseQueuePage(
  body: unknown,
  endpoint: Pick<ManagementQueuesEndpoint, 'pattern' | 'pageSize'>,
  where: string,
): ManagementQueueStats[] {
  const page = body as { items?: unknown; page_count?: unknown; filtered_count?: unknown } | null;
  if (typeof page !== 'object' || page === null || !Array.isArray(page.items)) {
    throw new UpstreamDataError(
      `the RabbitMQ management API returned ${describe(body)} for queues matching "${endpoint.pattern}" in ${where}; expected a page of queues`,
      'bad_response',
    );
  }
  if (typeof page.page_count === 'number' && page.page_count > 1) {
    const matched = typeof page.filtered_count === 'number' ? `${page.filtered_count} queues` : 'more queues';
    throw new UpstreamDataError(
      `the queueName regex "${endpoint.pattern}" matches ${matched} in ${where}, more than pageSize (${endpoint.pageSize}) holds; raise pageSize (at most 500) or narrow the regex`,
      'bad_response',
    );
  }
  return page.items.map((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new UpstreamDataError(
        `the RabbitMQ management API returned ${describe(item)} among the queues matching "${endpoint.pattern}"; expected a queue object`,
        'bad_response',
      );
    }
    const name = typeof (item as { name?: unknown }).name === 'string' ? (item as { name: string }).name : '';
    const fields = item as { messages?: unknown; messages_ready?: unknown };
    // A queue created moments ago has no counters until the broker's next statistics emission.
    if (fields.messages === undefined && fields.messages_ready === undefined) {
      return { messages: 0, messagesReady: 0, publishRate: 0, deliverGetRate: 0 };
    }
    return readCounters(item, name || endpoint.pattern);
  });
}

/**
 * KEDA's `operation` over matched queues, field by field. `avg` of the message counts is rounded down,
 * as KEDA's integer division does; rates are averaged exactly. No queue gives zeros.
 */
export function combineQueueStats(
  queues: readonly ManagementQueueStats[],
  operation: RabbitMqOperation,
): ManagementQueueStats {
  const fields = ['messages', 'messagesReady', 'publishRate', 'deliverGetRate'] as const;
  const combined: ManagementQueueStats = { messages: 0, messagesReady: 0, publishRate: 0, deliverGetRate: 0 };
  if (queues.length === 0) return combined;
  for (const field of fields) {
    const values = queues.map((queue) => queue[field]);
    if (operation === 'max') {
      combined[field] = Math.max(0, ...values);
      continue;
    }
    const sum = values.reduce((total, value) => total + value, 0);
    if (operation === 'sum') combined[field] = sum;
    else {
      const average = sum / queues.length;
      combined[field] = field === 'messages' || field === 'messagesReady' ? Math.floor(average) : average;
    }
  }
  return combined;
}

function checkStatus(status: number, display: string, where: string, what: string): void {
  if (status === 401 || status === 403) {
    throw new UpstreamUnavailableError(
      `the RabbitMQ management API at ${display} refused the credentials (HTTP ${status}); the user needs the "monitoring" tag or access to ${where}`,
      'http_status',
    );
  }
  if (status !== 200) {
    throw new UpstreamUnavailableError(
      `the RabbitMQ management API at ${display} answered HTTP ${status} for ${what}`,
      'http_status',
    );
  }
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
  const document = body as { messages?: unknown; messages_ready?: unknown };
  if (document.messages === undefined && document.messages_ready === undefined)
    throw noStatsYet(queueName, where);
  return readCounters(body, queueName);
}

function readCounters(body: object, queueName: string): ManagementQueueStats {
  const document = body as {
    messages?: unknown;
    messages_ready?: unknown;
    message_stats?: { publish_details?: { rate?: unknown }; deliver_get_details?: { rate?: unknown } };
  };
  return {
    messages: count(document.messages, 'messages', queueName),
    messagesReady: count(document.messages_ready, 'messages_ready', queueName),
    publishRate: rate(document.message_stats?.publish_details?.rate, 'publish', queueName),
    deliverGetRate: rate(document.message_stats?.deliver_get_details?.rate, 'deliver/get', queueName),
  };
}

/** No rate means nothing of that kind in the broker's sampling window: a real zero. */
function rate(raw: unknown, what: string, queueName: string): number {
  if (raw === undefined) return 0;
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    throw new UpstreamDataError(
      `the RabbitMQ management API returned ${what} rate ${describe(raw)} for queue "${queueName}"`,
      'not_a_number',
    );
  }
  return raw;
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

function getManagementJson(url: URL, options: ManagementRequestOptions): ReturnType<typeof getJson> {
  return getJson({
    url,
    timeoutMs: options.timeoutMs,
    unsafeSsl: options.unsafeSsl ?? false,
    signal: options.signal,
  });
}
