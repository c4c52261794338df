/**
 * The transparency log's public routes (docs/TRANSPARENCY.md): the trust policy the app is built
 * with, the latest cosigned checkpoint, entries, and RFC 9162 inclusion and consistency proofs, all
 * within the served checkpoint's tree. Entries and proofs for given bounds never change, so they
 * are cacheable for good; the checkpoint is revalidated.
 */

import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { LOG_ENTRIES_PAGE } from '../../shared/api.js';
import { ProtocolError } from '../../shared/errors.js';
import type { LogPolicy } from '../../shared/log/checkpoint.js';
import { hashToBase64Url } from '../../shared/log/entries.js';
import type { LoadedLog, LogReader } from '../log/log-files.js';

export interface LogRoutesOptions {
  readonly reader: LogReader;
  readonly policy: LogPolicy;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const POLICY_MAX_AGE = 'public, max-age=300';

/** A whole number in a query string: decimal, no sign, no leading zero, safe. */
const WHOLE = /^(0|[1-9][0-9]{0,14})$/;

function whole(query: unknown, name: string): number {
  const text = (query as Record<string, unknown>)[name];
  if (typeof text !== 'string' || !WHOLE.test(text))
    throw new ProtocolError('validation-failed', `The query parameter ${name} must be a whole number.`);
  return Number(text);
}

/** The tree size clients may ask about: what the served checkpoint covers. */
function servedSize(log: LoadedLog): number {
  if (!log.checkpoint) throw new ProtocolError('log-unavailable', 'The log has no checkpoint yet.');
  return log.checkpoint.size;
}

function cacheFor(reply: FastifyReply, policy: string): void {
  reply.header('cache-control', policy);
}

export const logRoutes: FastifyPluginAsync<LogRoutesOptions> = async (app, { reader, policy }) => {
  const published = {
    origin: policy.origin,
    logKey: policy.logKey,
    witnesses: [...policy.witnesses],
    quorum: policy.quorum,
  };

  app.get('/log', async (_request, reply) => {
    cacheFor(reply, POLICY_MAX_AGE);
    return published;
  });

  app.get('/log/checkpoint', async (_request, reply) => {
    const log = reader.current();
    servedSize(log);
    cacheFor(reply, REVALIDATE);
    return reply.type('text/plain; charset=utf-8').send(log.signedCheckpoint);
  });

  app.get('/log/entries', async (request, reply) => {
    const log = reader.current();
    const size = servedSize(log);
    const start = whole(request.query, 'start');
    const end = whole(request.query, 'end');
    if (!(start < end && end <= size))
      throw new ProtocolError(
        'validation-failed',
        `Entries are from start to end, 0 ≤ start < end ≤ ${size}.`,
      );
    cacheFor(reply, IMMUTABLE);
    // A bounded page: fewer than asked for, from start; the client asks again from where it ends.
    const page = log.lines.slice(start, Math.min(end, start + LOG_ENTRIES_PAGE));
    return { entries: page.map((line) => JSON.parse(line) as unknown) };
  });

  app.get('/log/inclusion', async (request, reply) => {
    const log = reader.current();
    const served = servedSize(log);
    const index = whole(request.query, 'index');
    const size = whole(request.query, 'size');
    if (!(index < size && size <= served))
      throw new ProtocolError('validation-failed', `Need 0 ≤ index < size ≤ ${served}.`);
    cacheFor(reply, IMMUTABLE);
    return { index, size, proof: log.tree.inclusionProof(index, size).map(hashToBase64Url) };
  });

  app.get('/log/consistency', async (request, reply) => {
    const log = reader.current();
    const served = servedSize(log);
    const from = whole(request.query, 'from');
    const to = whole(request.query, 'to');
    if (!(from <= to && to <= served))
      throw new ProtocolError('validation-failed', `Need 0 ≤ from ≤ to ≤ ${served}.`);
    cacheFor(reply, IMMUTABLE);
    return { from, to, proof: log.tree.consistencyProof(from, to).map(hashToBase64Url) };
  });
};
