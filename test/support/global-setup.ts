import { connect } from 'node:net';

/**
 * The suite talks to real servers. Fail early with the command that fixes it, rather than with a
 * hundred connection errors.
 */
export default async function globalSetup(): Promise<void> {
  const required: Array<[string, number, string]> = [
    [
      'Redis',
      Number(process.env.TEST_REDIS_PORT ?? 6379),
      'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""',
    ],
    ['RabbitMQ', Number(process.env.TEST_RABBITMQ_PORT ?? 5672), 'rabbitmq-server -detached'],
  ];
  const missing: string[] = [];
  for (const [name, port, fix] of required) {
    if (!(await reachable(port)))
      missing.push(`${name} on 127.0.0.1:${port} is not answering; start it with: ${fix}`);
  }
  if (missing.length > 0) {
    throw new Error(
      `Test services missing (scripts/test-services.sh starts them):\n  ${missing.join('\n  ')}`,
    );
  }
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
