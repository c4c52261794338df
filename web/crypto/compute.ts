/**
 * A computation's whole run, in the worker: encode the form's values, encrypt them (or take what was
 * encrypted ahead for exactly these values), send them, read the answer once, check its proof and
 * only then decrypt it, in the same turn, so no page rendering sits between the answer and its
 * decryption. A failed proof decrypts nothing (protocol-v2.md, "What a client does with an answer").
 * The page gets the decrypted outputs and one transcript timed on the worker's clock; the ciphertexts
 * stay here (the transcript's bodies are text, for display), and so does the verified answer until
 * the history takes it, with what its proof is bound to: the request and the computation's catalog
 * entry. "Decrypt again" checks a kept answer's proof once more, against exactly those, before it
 * decrypts anything (`decryptAgain`).
 */

import type { AdditiveDecoder } from '../../shared/additive-decoder.js';
import { describedComputation, EntryRefusedError } from '../../shared/catalog-entry.js';
import { decryptOutputs, type GroupKeyPair, verifyAndDecryptOutputs } from '../../shared/client.js';
import { computationToWireV2, findComputation } from '../../shared/computations/catalog.js';
import type { Computation, FormValues, Plaintexts } from '../../shared/computations/computation.js';
import { DeclarationRefusedError, ServiceResponseError, VerificationError } from '../../shared/errors.js';
import type { GroupName } from '../../shared/groups/group.js';
import { isRecord } from '../../shared/records.js';
import type { Backends } from '../../shared/scheme.js';
import type { EvaluateRequest, ProofWire, PublicKeyWire } from '../../shared/wire.js';
import type { HistoryEntry } from '../features/history/entry.js';
import { EncryptAhead, type Encrypted } from './encrypt-ahead.js';
import type {
  Computed,
  DecryptedAgain,
  RunStep,
  ServiceProblem,
  Transcript,
  WorkerErrorName,
} from './protocol.js';

/** What a run is done with; the worker passes its own (worker.ts), a test its stand-ins. */
export interface RunDependencies {
  /** The worker's `performance`: every time of a run is read from it. */
  readonly clock: { now(): number; readonly timeOrigin: number };
  /** The request for these plaintexts, encrypted to a key made for this request alone. */
  encryptToFreshKey(computation: Computation, plaintexts: Plaintexts): Promise<EvaluateRequest>;
  /** POSTs `body` to the computation's evaluate endpoint; `undefined` when no answer came. */
  post(computationId: string, body: string): Promise<{ status: number; body: string } | undefined>;
  /** Runs `use` with the key pair of the key a request carried. */
  withKeyPair<R>(publicKey: PublicKeyWire, use: (pair: GroupKeyPair) => R): Promise<R>;
  backends(group: GroupName): Promise<Backends>;
  /** The worker's decoder, whose baby-step table is built ahead (decoder-warmup.ts). */
  readonly decoder: AdditiveDecoder;
  /** What the page may be told about an error (describe-error.ts). */
  describeError(error: unknown): { errorName: WorkerErrorName; message: string };
}

/**
 * A verified answer, as the history keeps it: still encrypted to the key its request carried, with
 * what its proof is bound to (protocol-v2.md: the request's key and input ciphertexts, and the
 * declaration of the computation's (id, version)), so that it can be checked again.
 */
export interface KeptAnswer {
  readonly computationId: string;
  readonly computationVersion: number;
  /** The request as it was sent: `publicKey` is the key the answer is encrypted to. */
  readonly request: EvaluateRequest;
  readonly response: unknown;
  /**
   * The computation the proof was verified against, as this device trusted it, written as its v2
   * catalog entry: `describedComputation` rebuilds exactly that computation from it.
   */
  readonly catalogEntry: ReturnType<typeof computationToWireV2>;
}

/** A page records its result at once; answers it never records are forgotten, the oldest first. */
const MAX_KEPT = 16;

export class ComputationRuns {
  readonly #deps: RunDependencies;
  readonly #ahead: EncryptAhead;
  readonly #answers = new Map<string, KeptAnswer>();

  constructor(deps: RunDependencies) {
    this.#deps = deps;
    this.#ahead = new EncryptAhead((computation, plaintexts) => this.#encrypt(computation, plaintexts));
  }

  /** The form's values are valid: encrypt them now, for a Compute with exactly these values. */
  encryptAhead(computation: Computation, values: FormValues): Promise<void> {
    return this.#ahead.offer(computation, computation.encodeInputs(values));
  }

  /** The stored keys changed: nothing encrypted to the old ones is sent. */
  forgetEncryptedAhead(): void {
    this.#ahead.clear();
  }

  /** Runs the computation on valid form values; throws when no encryption could be made. */
  async run(computation: Computation, values: FormValues): Promise<Computed> {
    const { clock } = this.#deps;
    const started = clock.now();
    const plaintexts = computation.encodeInputs(values);
    const backends = this.#deps.backends(computation.group);
    // Made ahead and failed: made again now, as a Compute with nothing made ahead.
    const ahead = await this.#ahead.take(computation, plaintexts)?.catch(() => undefined);
    const encrypted = ahead ?? (await this.#encrypt(computation, plaintexts));
    const { request, requestBody } = encrypted;
    const sent = clock.now();
    const steps: RunStep[] = [{ step: 'encrypt', start: started, end: sent }];
    const unanswered: Transcript = {
      group: computation.group,
      requestBody,
      responseBody: undefined,
      status: undefined,
      timings: {
        encryptMs: encrypted.encryptMs,
        encryptedAhead: ahead !== undefined,
        networkMs: undefined,
        verifyMs: undefined,
        decryptMs: undefined,
      },
      proofBytes: undefined,
    };
    const ended = { steps, clockOrigin: clock.timeOrigin };

    const posted = this.#deps.post(computation.id, requestBody);
    // Found while the service computes (the stored keys read and unsealed, a blinded key derived
    // again): nothing is decrypted with it before the answer's proof has verified, below. Unused,
    // and its failure unreported, when no 2xx answer comes.
    const keyPair = this.#deps.withKeyPair(request.publicKey, (pair) => pair);
    keyPair.catch(() => undefined);
    const answer = await posted;
    if (!answer) return { ...ended, transcript: unanswered, outcome: 'unreachable' };
    const answered = clock.now();
    steps.push({ step: 'network', start: sent, end: answered });
    const received: Transcript = {
      ...unanswered,
      status: answer.status,
      responseBody: answer.body,
      timings: { ...unanswered.timings, networkMs: answered - sent },
    };
    if (answer.status < 200 || answer.status > 299) {
      return { ...ended, transcript: received, outcome: 'service-refused', problem: problemIn(answer.body) };
    }

    try {
      const response = parseServiceJson(answer.body);
      const [using, pair] = await Promise.all([backends, keyPair]);
      const checking = clock.now();
      let verified = checking;
      const outputs = verifyAndDecryptOutputs(
        computation,
        pair,
        request,
        response,
        using,
        () => {
          verified = clock.now();
        },
        this.#deps.decoder,
      );
      const decrypted = clock.now();
      steps.push({ step: 'decrypt', start: answered, end: decrypted });
      const answerId = this.#keep({
        computationId: computation.id,
        computationVersion: computation.version,
        request,
        response,
        catalogEntry: computationToWireV2(computation),
      });
      return {
        ...ended,
        transcript: {
          ...received,
          timings: { ...received.timings, verifyMs: verified - checking, decryptMs: decrypted - verified },
          proofBytes: proofBytesOf(response),
        },
        outcome: 'decrypted',
        outputs,
        answerId,
      };
    } catch (error) {
      steps.push({ step: 'decrypt', start: answered, end: clock.now() });
      return {
        ...ended,
        transcript: received,
        outcome: 'answer-rejected',
        ...this.#deps.describeError(error),
      };
    }
  }

  /** The answer a run verified, for the history; once only. */
  takeAnswer(answerId: string): KeptAnswer | undefined {
    const answer = this.#answers.get(answerId);
    this.#answers.delete(answerId);
    return answer;
  }

  #keep(answer: KeptAnswer): string {
    if (this.#answers.size >= MAX_KEPT) this.#answers.delete(this.#answers.keys().next().value as string);
    const id = crypto.randomUUID();
    this.#answers.set(id, answer);
    return id;
  }

  async #encrypt(computation: Computation, plaintexts: Plaintexts): Promise<Encrypted> {
    const started = this.#deps.clock.now();
    const request = await this.#deps.encryptToFreshKey(computation, plaintexts);
    return { request, requestBody: JSON.stringify(request), encryptMs: this.#deps.clock.now() - started };
  }
}

const KEPT_PROOF_FAILED =
  'This result no longer proves itself: its answer or request was changed after it was computed. ' +
  'Nothing was decrypted.';

/** What "Decrypt again" is done with: the run's own key pairs, backends and decoder; no post. */
export interface DecryptAgainDependencies
  extends Pick<RunDependencies, 'withKeyPair' | 'backends' | 'decoder'> {
  /**
   * The computation this device trusts now for `id` (from the catalog it checks, which may be read
   * then): only for an entry kept before the history kept its catalog entry, and only used when it is
   * at the entry's version.
   */
  trustedNow(id: string): Promise<Computation>;
}

/**
 * "Decrypt again": the kept answer's proof checked again, by the function a fresh run checks with,
 * against the request it answered and the declaration of the entry's own (id, version), and only
 * then decrypted and interpreted with that computation. Nothing of the entry is sent.
 */
export async function decryptAgain(
  entry: HistoryEntry,
  deps: DecryptAgainDependencies,
): Promise<DecryptedAgain> {
  const { request, response, publicKey } = entry.sealed;
  const computation = await keptComputation(entry, deps.trustedNow);
  const backends = await deps.backends(computation.group);
  if (!request) {
    // Kept before the history kept the request its proof is bound to. Its proof was checked when it
    // arrived, before it was kept, and the history is sealed at rest: it decrypts (a refusal would
    // leave the patient's own older results unreadable), and the page says that it was not re-checked.
    const outputs = await deps.withKeyPair(publicKey, (pair) =>
      decryptOutputs(computation, pair, response, backends, deps.decoder),
    );
    return { result: computation.interpret(outputs, entry.inputs), proof: 'not-kept' };
  }
  const outputs = await deps.withKeyPair(request.publicKey, (pair) => {
    try {
      return verifyAndDecryptOutputs(computation, pair, request, response, backends, undefined, deps.decoder);
    } catch (error) {
      if (error instanceof VerificationError) throw new VerificationError(KEPT_PROOF_FAILED);
      throw error;
    }
  });
  return { result: computation.interpret(outputs, entry.inputs), proof: 'checked' };
}

/**
 * The computation of the entry's own (id, version), never another version of its id: the shipped
 * one at its shipped version, else the one its kept catalog entry describes (a private model's other
 * version, a model this app does not ship), and for an entry kept without one, the computation this
 * device trusts now if it is at that version.
 */
export async function keptComputation(
  entry: HistoryEntry,
  trustedNow: (id: string) => Promise<Computation>,
): Promise<Computation> {
  const { computationId: id, computationVersion: version } = entry;
  const { catalogEntry } = entry.sealed;
  const shipped = findComputation(id);
  let computation: Computation;
  try {
    if (catalogEntry && (catalogEntry.id !== id || catalogEntry.version !== version))
      throw new EntryRefusedError('it was kept with the computation of another id or version');
    if (shipped?.version === version) computation = shipped;
    else if (catalogEntry) computation = describedComputation(catalogEntry);
    else computation = await trustedNow(id);
  } catch (error) {
    if (!(error instanceof EntryRefusedError)) throw error;
    throw new DeclarationRefusedError(`This result cannot be decrypted again: ${error.message}.`);
  }
  if (computation.id !== id || computation.version !== version)
    throw new DeclarationRefusedError(
      `This result was computed with ${computation.title} version ${version}, which this device no ` +
        'longer has: it cannot be decrypted again.',
    );
  return computation;
}

/** The proof's size as bytes (not its base64url text), for "What left this device". */
function proofBytesOf(response: unknown): number {
  const { challenge, responses } = (response as { proof: ProofWire }).proof;
  return [challenge, ...responses].reduce((sum, text) => sum + Math.floor((text.length * 3) / 4), 0);
}

function parseServiceJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceResponseError('The service’s answer is not JSON.');
  }
}

/** The title and detail of an RFC 9457 problem when the body is one. */
function problemIn(body: string): ServiceProblem | undefined {
  let problem: unknown;
  try {
    problem = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (isRecord(problem) && typeof problem.title === 'string' && typeof problem.detail === 'string') {
    return { title: problem.title, detail: problem.detail };
  }
  return undefined;
}
