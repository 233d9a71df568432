import net from 'node:net';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionFailureCode, isDatabaseUnavailable } from './connection-errors.ts';

/** An error as node-postgres builds it from a server's ErrorResponse. */
const serverError = (code: string, message = 'server says no') => Object.assign(new pg.DatabaseError(message, 0, 'error'), { code });
/** As a repository sees it: Drizzle wraps the driver's error, and its own message quotes the parameters. */
const wrapped = (cause: unknown) => new DrizzleQueryError('insert into users (email) values ($1)', ['someone@example.com'], cause as Error);

// A server that accepts TCP connections and never says a word: a database that hangs.
const sockets = new Set<net.Socket>();
const silent = net.createServer((socket) => sockets.add(socket));
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

describe('telling a lost database connection from a failed query', () => {
  it('calls the server cutting us off, shutting down, starting up or full, and every connection exception (class 08), unavailable', () => {
    for (const code of ['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001']) {
      expect(isDatabaseUnavailable(wrapped(serverError(code))), code).toBe(true);
      expect(connectionFailureCode(wrapped(serverError(code)))).toBe(code);
    }
  });

  it('calls the driver losing its socket, breaking its client, or finding no free connection in time, unavailable', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
      'Client has encountered a connection error and is not queryable',
    ]) {
      expect(connectionFailureCode(wrapped(new Error(message))), message).toBe('connection_lost');
    }
  });

  it('finds a refused connection (a real one, on a port nobody listens on) inside the wrapping', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/none` });
    const error = await pool.query('select 1').catch((caught: unknown) => caught);
    await pool.end();
    expect(connectionFailureCode(wrapped(error))).toBe('ECONNREFUSED');
  });

  it('finds a pool connection timeout (a real one, on a server that never answers)', async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/none`, connectionTimeoutMillis: 200 });
    const error = await pool.query('select 1').catch((caught: unknown) => caught);
    await pool.end();
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('finds the cause among the errors of an AggregateError (a host name with several addresses)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    expect(connectionFailureCode(new AggregateError([refused], 'all addresses failed'))).toBe('ECONNREFUSED');
  });

  it('leaves a query that failed on its own merits (unique violation, syntax, a bug) to the other handlers', () => {
    for (const error of [wrapped(serverError('23505')), wrapped(serverError('42601')), new TypeError('x is undefined'), undefined, 'text', null]) {
      expect(isDatabaseUnavailable(error)).toBe(false);
    }
    // The parameters in Drizzle's own message never decide, whatever they hold.
    expect(isDatabaseUnavailable(new DrizzleQueryError('select $1', ['Connection terminated unexpectedly'], serverError('22P02')))).toBe(false);
  });
});
