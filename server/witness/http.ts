/**
 * The witness over HTTP, C2SP tlog-witness (https://c2sp.org/tlog-witness):
 *   POST /add-checkpoint           → 200 cosignature lines, or a status with a plain-text reason
 *                                    (409: `text/x.tlog.size`, the size last cosigned and a newline)
 *   GET  /<SHA-256(origin) hex>/checkpoint → the latest cosigned checkpoint (the monitoring endpoint)
 * Fastify, as the service, but bare: no JSON, no problem+json; the protocol's bodies are plain text.
 * `startWitness` runs one on its own port, so the service and tests can run witnesses in-process.
 */

import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { FileStateStore } from './state-store.js';
import { parseWitnessConfig, Witness, type WitnessEvent, type WitnessedLog } from './witness.js';

/** A checkpoint with 16 post-quantum signatures (signed-note's minimum to accept) and 63 proof lines fits. */
export const MAX_BODY_BYTES = 64 * 1024;

const TEXT = 'text/plain; charset=utf-8';
const SIZE_TYPE = 'text/x.tlog.size';

export interface WitnessServerOptions {
  /** The witness's signer key string (type 0x04); never logged. */
  readonly signerKey: string;
  readonly logs: readonly WitnessedLog[];
  /** Where the witness keeps what it cosigned; one running witness per directory. */
  readonly stateDir: string;
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Each request's outcome, for an operator's log. */
  readonly onEvent?: (event: WitnessEvent) => void;
}

export interface RunningWitness {
  /** `http://host:port`, the submission and monitoring prefix. */
  readonly url: string;
  /** The witness's verifier key string, for a trust policy. */
  readonly verifierKey: string;
  close(): Promise<void>;
}

export function buildWitnessApp(
  witness: Witness,
  onEvent: (event: WitnessEvent) => void = () => undefined,
): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES, requestTimeout: 10_000 });
  // The body is the protocol's own text whatever the Content-Type says; it is decoded in request.ts.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/add-checkpoint', async (request, reply) => {
    const body = request.body instanceof Uint8Array ? request.body : new Uint8Array(0);
    const outcome = await witness.addCheckpoint(body);
    if (outcome.status === 200) return reply.code(200).type(TEXT).send(outcome.body);
    if (outcome.status === 409) return reply.code(409).type(SIZE_TYPE).send(`${outcome.size}\n`);
    return reply.code(outcome.status).type(TEXT).send(`${outcome.reason}\n`);
  });

  app.get<{ Params: { originHash: string } }>('/:originHash/checkpoint', async (request, reply) => {
    const checkpoint = await witness.latestCheckpoint(request.params.originHash);
    if (checkpoint === undefined)
      return reply.code(404).type(TEXT).send('No checkpoint cosigned for that log.\n');
    return reply.code(200).type(TEXT).send(checkpoint);
  });

  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).type(TEXT).send('Not found: this witness serves POST /add-checkpoint.\n'),
  );
  app.setErrorHandler((error: FastifyError | Error, _request, reply) => {
    const code = 'statusCode' in error ? error.statusCode : undefined;
    const status = code !== undefined && code >= 400 && code < 600 ? code : 500;
    // A client's error (body too large, a bad header) is its own to read; ours (a failing disk) stays ours.
    if (status >= 500) onEvent({ status, reason: error.message });
    return reply
      .code(status)
      .type(TEXT)
      .send(status < 500 ? `${error.message}\n` : 'The witness could not answer; try again later.\n');
  });
  return app;
}

/** Opens the state, builds the witness and listens; the returned handle closes both. */
export async function startWitness(options: WitnessServerOptions): Promise<RunningWitness> {
  // A bad key or log list stops the start before the state directory is created.
  parseWitnessConfig(options);
  const store = await FileStateStore.open(options.stateDir);
  let app: FastifyInstance | undefined;
  try {
    const { onEvent } = options;
    const witness = new Witness({
      signerKey: options.signerKey,
      logs: options.logs,
      store,
      ...(onEvent ? { onEvent } : {}),
    });
    // Any unreadable state stops the start, rather than a first request later.
    for (const origin of witness.origins) await store.load(origin);
    app = buildWitnessApp(witness, onEvent);
    const host = options.host ?? '127.0.0.1';
    await app.listen({ host, port: options.port ?? 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('The witness is not on a TCP port.');
    const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const running = app;
    return {
      url: `http://${hostInUrl}:${address.port}`,
      verifierKey: witness.verifierKey,
      close: async () => {
        await running.close();
        await store.close();
      },
    };
  } catch (error) {
    await app?.close();
    await store.close();
    throw error;
  }
}
