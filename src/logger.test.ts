import { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';
import { createLogger } from './logger';

function capture(): { lines: Array<Record<string, unknown>>; stream: DestinationStream } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, stream: stream as unknown as DestinationStream };
}

describe('createLogger', () => {
  it('keeps an error message and stack, without credentials', () => {
    const { lines, stream } = capture();
    const error = Object.assign(new Error('cannot reach amqp://guest:s3cret@rabbit:5672/'), {
      code: 'ECONNREFUSED',
    });
    createLogger('info', stream).warn({ err: error }, 'source failed');
    const err = lines[0]?.err as Record<string, unknown>;
    expect(err.message).toBe('cannot reach amqp://***@rabbit:5672/');
    expect(err.type).toBe('Error');
    expect(err.code).toBe('ECONNREFUSED');
    expect(String(err.stack)).toContain('cannot reach amqp://***@rabbit:5672/');
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });

  it('redacts known secret fields and URLs anywhere in a line', () => {
    const { lines, stream } = capture();
    createLogger('info', stream).info({ password: 'p1', nested: { url: 'http://u:p2@h/x' } }, 'x');
    expect(JSON.stringify(lines)).not.toMatch(/p1|p2/);
  });

  it('redacts the values of FromEnv keys, which are the secrets themselves', () => {
    const { lines, stream } = capture();
    createLogger('info', stream).info(
      {
        passwordFromEnv: 'secret-a',
        config: { bearerTokenFromEnv: 'secret-b' },
        scalerMetadata: { customHeadersFromEnv: 'X-Key=secret-c', usernameFromEnv: 'secret-d' },
      },
      'x',
    );
    expect(JSON.stringify(lines)).not.toMatch(/secret-/);
  });
});
