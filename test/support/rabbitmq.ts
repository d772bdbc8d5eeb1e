import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { promisify } from 'node:util';
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib';
import { waitFor } from './ports';

const run = promisify(execFile);

/** The shared test broker (never stopped by tests: other suites use it at the same time). */
export const RABBITMQ_HOST = process.env.TEST_RABBITMQ_HOST ?? '127.0.0.1';
export const AMQP_URL = `amqp://guest:guest@${RABBITMQ_HOST}:${process.env.TEST_RABBITMQ_PORT ?? 5672}`;
export const MANAGEMENT_URL = `http://guest:guest@${RABBITMQ_HOST}:${process.env.TEST_RABBITMQ_MANAGEMENT_PORT ?? 15672}`;

const RABBITMQCTL = process.env.RABBITMQCTL_BIN ?? 'rabbitmqctl';
const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
const API = MANAGEMENT_URL.replace('guest:guest@', '');

/** A name no other test (or earlier run) uses: `kps-test-<what>-<random>`. */
export function uniqueName(what: string): string {
  return `kps-test-${what}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Calls the management API as guest. Returns the parsed body (or undefined for empty bodies). */
export async function managementApi(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${API}/api${path}`, {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/**
 * Enables the management plugin when it is off (it then listens on 15672) and waits until the API
 * answers. Safe to call from every suite.
 */
export async function ensureManagementPlugin(): Promise<void> {
  if (await managementAnswers()) return;
  await run(process.env.RABBITMQ_PLUGINS_BIN ?? 'rabbitmq-plugins', ['enable', 'rabbitmq_management'], {
    timeout: 60_000,
  });
  await waitFor('the RabbitMQ management API', async () => ((await managementAnswers()) ? true : undefined), {
    timeoutMs: 60_000,
    intervalMs: 500,
  });
}

async function managementAnswers(): Promise<boolean> {
  try {
    return (await managementApi('GET', '/overview')).status === 200;
  } catch {
    return false;
  }
}

/** One broker connection: `id` is what closing it takes (a pid for rabbitmqctl, a name for the API). */
export interface BrokerConnectionInfo {
  id: string;
  connectionName: string | undefined;
  vhost: string;
}

/**
 * The broker's open connections. `rabbitmqctl` answers from the broker itself, at once; the management
 * API's connection list trails it by up to a stats interval (5 s), so it is only the fallback for a broker
 * that is not on this machine.
 */
export async function listConnections(): Promise<BrokerConnectionInfo[]> {
  try {
    // The table format prints pids the way close_connection takes them (the JSON one does not).
    const { stdout } = await run(
      RABBITMQCTL,
      ['list_connections', '-q', '--no-table-headers', 'pid', 'vhost', 'client_properties'],
      {
        timeout: 30_000,
      },
    );
    return stdout
      .split('\n')
      .filter((line) => line.startsWith('<'))
      .map((line) => {
        const [id = '', vhost = ''] = line.split('\t');
        return {
          id,
          vhost,
          connectionName: /\{"connection_name","((?:[^"\\]|\\.)*)"\}/.exec(line)?.[1],
        };
      });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const { body } = await managementApi(
      'GET',
      '/connections?columns=name,vhost,client_properties,user_provided_name',
    );
    const rows =
      (body as Array<{ name: string; vhost: string; user_provided_name?: string }> | undefined) ?? [];
    return rows.map((row) => ({ id: row.name, vhost: row.vhost, connectionName: row.user_provided_name }));
  }
}

/** The broker's open connections whose client set `connection_name` to `connectionName`. */
export async function connectionsNamed(connectionName: string): Promise<BrokerConnectionInfo[]> {
  return (await listConnections()).filter((connection) => connection.connectionName === connectionName);
}

/** Waits until the broker lists exactly `expected` connections named `connectionName`. */
export async function waitForConnectionCount(
  connectionName: string,
  expected: number,
  timeoutMs = 15_000,
): Promise<void> {
  let last = -1;
  try {
    await waitFor(
      `${expected} connection(s) named ${connectionName}`,
      async () => {
        last = (await connectionsNamed(connectionName)).length;
        return last === expected ? true : undefined;
      },
      { timeoutMs, intervalMs: 250 },
    );
  } catch {
    throw new Error(`expected ${expected} broker connection(s) named ${connectionName}, saw ${last}`);
  }
}

/** Force-closes, from the broker's side, every connection named `connectionName` (as an operator would). */
export async function closeConnectionsNamed(connectionName: string): Promise<number> {
  const connections = await waitFor(
    `a connection named ${connectionName}`,
    async () => {
      const found = await connectionsNamed(connectionName);
      return found.length > 0 ? found : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 250 },
  );
  for (const connection of connections) {
    if (connection.id.startsWith('<')) {
      await run(RABBITMQCTL, ['close_connection', connection.id, 'closed by a test'], { timeout: 30_000 });
    } else {
      await managementApi('DELETE', `/connections/${encodeURIComponent(connection.id)}`);
    }
  }
  return connections.length;
}

/** Creates a vhost guest may use; returns a function that deletes it. */
export async function createVhost(vhost: string): Promise<() => Promise<void>> {
  const name = encodeURIComponent(vhost);
  await managementApi('PUT', `/vhosts/${name}`, {});
  await managementApi('PUT', `/permissions/${name}/guest`, { configure: '.*', write: '.*', read: '.*' });
  return async () => {
    await managementApi('DELETE', `/vhosts/${name}`);
  };
}

/** Waits until the management API reports `field` = `expected` for a queue (its counters lag AMQP). */
export async function waitForManagementCount(
  queue: string,
  field: 'messages' | 'messages_ready' | 'messages_unacknowledged',
  expected: number,
  vhost = '/',
): Promise<void> {
  let last: unknown;
  try {
    await waitFor(
      `${field} = ${expected} on ${queue}`,
      async () => {
        const { body } = await managementApi(
          'GET',
          `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`,
        );
        last = (body as Record<string, unknown> | undefined)?.[field];
        return last === expected ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
  } catch {
    throw new Error(
      `management API kept reporting ${field} = ${String(last)} for ${queue}; expected ${expected}`,
    );
  }
}

/**
 * A plain amqplib client for arranging test state: queues, publishes (confirmed, so counts are exact when
 * the call returns), gets with or without ack. Everything it creates is deleted by `cleanup()`.
 */
export class RabbitFixture {
  private readonly queues = new Set<string>();
  private readonly unacked: Channel[] = [];

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
    readonly vhost: string,
  ) {}

  static async open(vhost = '/'): Promise<RabbitFixture> {
    const connection = await connect(`${AMQP_URL}/${encodeURIComponent(vhost)}`, {
      clientProperties: { connection_name: 'kps-test-fixture' },
    });
    connection.on('error', () => undefined);
    const channel = await connection.createConfirmChannel();
    return new RabbitFixture(connection, channel, vhost);
  }

  async createQueue(name: string): Promise<string> {
    await this.channel.assertQueue(name, { durable: false, autoDelete: false });
    this.queues.add(name);
    return name;
  }

  async publish(queue: string, count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) this.channel.sendToQueue(queue, Buffer.from(`message ${i}`));
    await this.channel.waitForConfirms();
  }

  /** Takes `count` messages off the queue and acknowledges them. */
  async consume(queue: string, count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      const message = await this.channel.get(queue, { noAck: true });
      if (message === false) throw new Error(`queue ${queue} ran dry after ${i} of ${count} messages`);
    }
  }

  /** Takes `count` messages off the queue without acknowledging them (held until cleanup). */
  async holdUnacked(queue: string, count: number): Promise<void> {
    const channel = await this.connection.createChannel();
    this.unacked.push(channel);
    for (let i = 0; i < count; i += 1) {
      const message: GetMessage | false = await channel.get(queue, { noAck: false });
      if (message === false) throw new Error(`queue ${queue} ran dry after ${i} of ${count} messages`);
    }
  }

  async deleteQueue(name: string): Promise<void> {
    await this.channel.deleteQueue(name);
    this.queues.delete(name);
  }

  async cleanup(): Promise<void> {
    for (const channel of this.unacked) await channel.close().catch(() => undefined);
    for (const queue of this.queues) await this.channel.deleteQueue(queue).catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}

/**
 * A broker user with access to every resource of `vhost` and the `management` tag (enough for the
 * management API's queue endpoints). Returns what removes it again.
 */
export async function createBrokerUser(
  username: string,
  password: string,
  vhost = '/',
): Promise<() => Promise<void>> {
  await run(RABBITMQCTL, ['add_user', username, password], { timeout: 30_000 });
  await run(RABBITMQCTL, ['set_permissions', '-p', vhost, username, '.*', '.*', '.*'], { timeout: 30_000 });
  await run(RABBITMQCTL, ['set_user_tags', username, 'management'], { timeout: 30_000 });
  return async () => {
    await run(RABBITMQCTL, ['delete_user', username], { timeout: 30_000 }).catch(() => undefined);
  };
}

/** TLS in front of a plain broker port on loopback, with a certificate no default trust store accepts. */
export interface TlsProxy {
  port: number;
  close(): Promise<void>;
}

export async function startTlsProxy(targetPort: number, cert: Buffer, key: Buffer): Promise<TlsProxy> {
  const sockets = new Set<Socket>();
  const server = createTlsServer({ cert, key }, (client) => {
    const upstream = netConnect(targetPort, RABBITMQ_HOST);
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  // Handshakes the client refuses (an unverified certificate) end here.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
