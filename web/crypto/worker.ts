/**
 * The crypto worker: owns the device's keys, runs a computation from its form values to its checked
 * and decrypted outputs (compute.ts), and makes and restores backups. The page only ever sees public
 * keys, results, a run's transcript and sealed backup files.
 *
 * What starts with it is what the app shell needs: the protection at rest, the keys' fingerprints,
 * the catalog's check against the log and the decoder's table built in idle time. What computes
 * (compute-handlers.ts) loads on the first request that needs it.
 */

import { AdditiveDecoder } from '../../shared/additive-decoder.js';
import type { ComputeKind } from './compute-handlers.js';
import { warmAdditiveDecoder } from './decoder-warmup.js';
import { describeError } from './describe-error.js';
import { deleteKeySet, keyringInfo, rotateKeys } from './keystore.js';
import type {
  RequestEnvelope,
  ResponseEnvelope,
  WorkerRequest,
  WorkerRequestKind,
  WorkerResults,
} from './protocol.js';
import { type HandlersOf, sealedHandlers } from './sealed-handlers.js';
import { catalogComputations, checkedEntries } from './trusted-catalog.js';

/**
 * The part of DedicatedWorkerGlobalScope used here. The project compiles against the DOM lib
 * (shared with the page), whose `self` is a Window; the WebWorker lib cannot be loaded beside it.
 */
interface WorkerScope {
  addEventListener(type: 'message', listener: (event: MessageEvent<RequestEnvelope>) => void): void;
  postMessage(message: ResponseEnvelope): void;
}
const scope = self as unknown as WorkerScope;

/** The worker's one decoder: its table, built ahead in idle time, serves every decode of the page's life. */
const decoder = new AdditiveDecoder();

let computing: Promise<HandlersOf<ComputeKind>> | undefined;

/** The handler of `kind`, its module loaded on the first request of any compute kind. */
function computeHandler<K extends ComputeKind>(kind: K): HandlersOf<ComputeKind>[K] {
  return ((request: Extract<WorkerRequest, { kind: K }>) => {
    computing ??= import('./compute-handlers.js').then(({ computeHandlers }) => computeHandlers(decoder));
    return computing.then((handlers) => (handlers[kind] as HandlersOf<ComputeKind>[K])(request));
  }) as HandlersOf<ComputeKind>[K];
}

const handlers: HandlersOf<WorkerRequestKind> = {
  ...sealedHandlers,
  'key-info': keyringInfo,
  catalog: checkedEntries,
  prepare: computeHandler('prepare'),
  'encrypt-ahead': computeHandler('encrypt-ahead'),
  compute: computeHandler('compute'),
  'history-record': computeHandler('history-record'),
  decrypt: computeHandler('decrypt'),
  'rotate-keys': rotateKeys,
  'delete-key-set': ({ keySetId }) => deleteKeySet(keySetId),
  'make-backup': computeHandler('make-backup'),
  'restore-backup': computeHandler('restore-backup'),
};

function handle<K extends WorkerRequestKind>(request: Extract<WorkerRequest, { kind: K }>) {
  const handler = handlers[request.kind] as HandlersOf<WorkerRequestKind>[K];
  return handler(request) as Promise<WorkerResults[K]>;
}

let requestsInFlight = 0;
void warmAdditiveDecoder(decoder, catalogComputations, () => requestsInFlight > 0);

scope.addEventListener('message', ({ data: { id, request } }) => {
  requestsInFlight++;
  handle(request)
    .then(
      (result) => scope.postMessage({ id, ok: true, result }),
      (error: unknown) => scope.postMessage({ id, ok: false, ...describeError(error) }),
    )
    .finally(() => requestsInFlight--);
});
