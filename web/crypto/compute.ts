/**
 * A computation's whole run, in the worker: encode the form's values, encrypt them (or take what was
 * encrypted ahead for exactly these values), send them, read the answer once, check its proof and
 * only then decrypt it, in the same turn, so no page rendering sits between the answer and its
 * decryption. A failed proof decrypts nothing (protocol-v2.md, "What a client does with an answer").
 * The page gets the decrypted outputs and one transcript timed on the worker's clock; the ciphertexts
 * stay here (the transcript's bodies are text, for display), and so does the verified answer until
 * the history takes it.
 */

import type { AdditiveDecoder } from '../../shared/additive-decoder.js';
import { type GroupKeyPair, verifyAndDecryptOutputs } from '../../shared/client.js';
import type { Computation, FormValues, Plaintexts } from '../../shared/computations/computation.js';
import { ServiceResponseError } from '../../shared/errors.js';
import type { GroupName } from '../../shared/groups/group.js';
import { isRecord } from '../../shared/records.js';
import type { Backends } from '../../shared/scheme.js';
import type { EvaluateRequest, ProofWire, PublicKeyWire } from '../../shared/wire.js';
import { EncryptAhead, type Encrypted } from './encrypt-ahead.js';
import type { Computed, RunStep, ServiceProblem, Transcript, WorkerErrorName } from './protocol.js';

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

/** A verified answer, as the history keeps it: still encrypted to the key its request carried. */
export interface KeptAnswer {
  readonly computationId: string;
  readonly computationVersion: number;
  readonly publicKey: PublicKeyWire;
  readonly response: unknown;
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

    const answer = await this.#deps.post(computation.id, requestBody);
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
      const using = await backends;
      let checking = answered;
      let verified = answered;
      const outputs = await this.#deps.withKeyPair(request.publicKey, (pair) => {
        checking = clock.now();
        return verifyAndDecryptOutputs(
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
      });
      const decrypted = clock.now();
      steps.push({ step: 'decrypt', start: answered, end: decrypted });
      const answerId = this.#keep({
        computationId: computation.id,
        computationVersion: computation.version,
        publicKey: request.publicKey,
        response,
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
