/**
 * The crypto worker: owns the device's keys, encrypts a computation's inputs and checks then
 * decrypts the service's answer. The page only ever sees public keys, ciphertexts and results.
 */

import { decryptOutputs, encryptInputs } from '../../shared/client.js';
import { findComputation } from '../../shared/computations/catalog.js';
import type { Computation } from '../../shared/computations/computation.js';
import { DecodeRangeError, ServiceResponseError } from '../../shared/errors.js';
import { KeyStoreError, loadDeviceKeys } from './keystore.js';
import type {
  RequestEnvelope,
  ResponseEnvelope,
  WorkerRequest,
  WorkerRequestKind,
  WorkerResults,
} from './protocol.js';

/**
 * The part of DedicatedWorkerGlobalScope used here. The project compiles against the DOM lib
 * (shared with the page), whose `self` is a Window; the WebWorker lib cannot be loaded beside it.
 */
interface WorkerScope {
  addEventListener(type: 'message', listener: (event: MessageEvent<RequestEnvelope>) => void): void;
  postMessage(message: ResponseEnvelope): void;
}
const scope = self as unknown as WorkerScope;

type Handlers = {
  readonly [K in WorkerRequestKind]: (
    request: Extract<WorkerRequest, { kind: K }>,
  ) => Promise<WorkerResults[K]>;
};

const handlers: Handlers = {
  async 'key-info'() {
    return (await loadDeviceKeys()).info;
  },
  async encrypt({ computationId, plaintexts }) {
    const computation = computationById(computationId);
    const keys = await loadDeviceKeys();
    return encryptInputs(computation, keys.keyFor(computation.group), plaintexts);
  },
  async decrypt({ computationId, response }) {
    const computation = computationById(computationId);
    const keys = await loadDeviceKeys();
    return decryptOutputs(computation, keys.keyFor(computation.group), response);
  },
};

function computationById(id: string): Computation {
  const computation = findComputation(id);
  if (!computation) throw new Error(`This app does not know the computation ${id}.`);
  return computation;
}

function handle<K extends WorkerRequestKind>(request: Extract<WorkerRequest, { kind: K }>) {
  const handler = handlers[request.kind] as Handlers[K];
  return handler(request);
}

scope.addEventListener('message', ({ data: { id, request } }) => {
  handle(request).then(
    (result) => scope.postMessage({ id, ok: true, result }),
    (error: unknown) => scope.postMessage({ id, ok: false, ...describeError(error) }),
  );
});

/**
 * Only our own errors keep their message (they are written to be shown); anything else gets a
 * fixed one, so no library message can carry key material to the page.
 */
function describeError(
  error: unknown,
): Pick<Extract<ResponseEnvelope, { ok: false }>, 'errorName' | 'message'> {
  if (error instanceof ServiceResponseError || error instanceof DecodeRangeError) {
    return { errorName: error.name, message: error.message };
  }
  if (error instanceof KeyStoreError) return { errorName: 'Error', message: error.message };
  return { errorName: 'Error', message: 'Encryption on this device failed. Reload the page and try again.' };
}
