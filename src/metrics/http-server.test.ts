import type http from 'node:http';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ApiError } from './http-api-error';
import { sendJson, startHttpServer } from './http-server';

describe('JSON answers of the HTTP port', () => {
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    const started = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      registry: new Registry(),
      logger: pino({ level: 'silent' }),
      readiness: () =>
        Promise.resolve({
          ready: false,
          detail: 'store redis not answering: cannot reach redis://:s3cret-redis@127.0.0.1:6379',
        }),
      routes: [
        (_req, res, url) => {
          if (url.pathname !== '/failing') return false;
          const error = new ApiError(
            503,
            'the state store is not answering: connect to redis://default:s3cret-redis@redis:6379 refused',
          );
          sendJson(res, error.status, { error: error.message });
          return true;
        },
        (_req, res, url) => {
          // A route that forgets to redact what it shows: sendJson still does.
          if (url.pathname !== '/careless') return false;
          sendJson(res, 200, {
            nested: [{ lastError: 'Authorization: Bearer s3cret.token answered 401' }],
            url: 'amqp://user:s3cret-amqp@rabbit:5672/',
            count: 3,
          });
          return true;
        },
      ],
    });
    server = started.server;
    base = `http://127.0.0.1:${started.port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('redacts an ApiError message, /readyz details and any string a route sends', async () => {
    const failing = await fetch(`${base}/failing`);
    expect(failing.status).toBe(503);
    expect(await failing.json()).toEqual({
      error: 'the state store is not answering: connect to redis://***@redis:6379 refused',
    });

    const ready = await fetch(`${base}/readyz`);
    expect(await ready.json()).toEqual({
      status: 'not ready',
      detail: 'store redis not answering: cannot reach redis://***@127.0.0.1:6379',
    });

    const careless = await fetch(`${base}/careless`);
    expect(await careless.json()).toEqual({
      nested: [{ lastError: 'Authorization: Bearer *** answered 401' }],
      url: 'amqp://***@rabbit:5672/',
      count: 3,
    });
  });

  it('redacts the message of an ApiError itself, whoever sends it', () => {
    expect(new ApiError(400, 'bad http://u:s3cret@h/?token=s3cret2').message).toBe(
      'bad http://***@h/?token=***',
    );
  });
});
