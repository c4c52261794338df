/**
 * Verifies contributions' proofs in batches: those that arrive within a short window (or until a batch
 * is full) are checked together with ONE `verifyBatch` over all their claims, so the terms on G and on
 * each study's joint key, present in almost every equation, are multiplied once for the whole batch
 * (shared/studies/crypto/batch.ts). When a batch fails, each of its contributions is checked alone, so
 * that only the bad ones are refused and the others are not held hostage by them. Each caller awaits
 * its own verdict.
 *
 * Verification is synchronous CPU work on this thread: a batch holds the event loop for as long as it
 * takes, which is why a batch is bounded in size as well as in time.
 */

import type { Group } from '../../shared/groups/group.js';
import {
  contributionClaims,
  type ParsedContribution,
  type StudyStatement,
} from '../../shared/studies/contribution.js';
import { type Claim, type Equation, equationsHold, verifyBatch } from '../../shared/studies/crypto/index.js';

export interface ContributionVerdict {
  readonly valid: boolean;
  /** The proofs that failed, in order: `proofs[i] (<what it proves>)` with why. */
  readonly failures: readonly { readonly name: string; readonly reason: string }[];
}

export interface BatchingOptions {
  /** How long the first contribution of a batch waits for others (ms). */
  readonly windowMs: number;
  /** A batch is verified as soon as it holds this many contributions. */
  readonly maxContributions: number;
  /**
   * Contributions waiting at most, beyond which `verify` refuses at once (VerifierBusyError): a flood
   * then meets a 503 instead of a queue that grows until every request times out.
   */
  readonly maxWaiting: number;
}

/** Too many contributions are waiting: this one was not looked at; the client should retry later. */
export class VerifierBusyError extends Error {
  override readonly name = 'VerifierBusyError';
}

/** What the verifier has done since it was made: evidence that it batches, for tests and metrics. */
export interface BatchingCounters {
  readonly batches: number;
  readonly contributions: number;
  readonly largestBatch: number;
  /** Batches that failed as a whole, so that their contributions were checked one by one. */
  readonly failedBatches: number;
}

/**
 * A few ms of waiting is small beside a contribution's own verification (milliseconds of scalar
 * multiplications); 16 bounds how long one batch holds the event loop.
 */
export const DEFAULT_BATCHING: BatchingOptions = { windowMs: 4, maxContributions: 16, maxWaiting: 256 };

/** The claims of a contribution are named from its proofs alone: the verdict goes back to its sender. */
const CLAIM_PREFIX = 'contribution';

interface Waiting<E> {
  readonly statement: StudyStatement<E>;
  readonly contribution: ParsedContribution<E>;
  readonly resolve: (verdict: ContributionVerdict) => void;
  readonly reject: (error: unknown) => void;
}

export class ContributionVerifier<E> {
  readonly #group: Group<E>;
  readonly #options: BatchingOptions;
  #waiting: Waiting<E>[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #scheduled = false;
  #counters = { batches: 0, contributions: 0, largestBatch: 0, failedBatches: 0 };

  constructor(group: Group<E>, options: BatchingOptions = DEFAULT_BATCHING) {
    if (!(Number.isFinite(options.windowMs) && options.windowMs >= 0))
      throw new RangeError('windowMs must be a number of milliseconds, 0 or more.');
    if (!(Number.isInteger(options.maxContributions) && options.maxContributions >= 1))
      throw new RangeError('maxContributions must be a whole number, 1 or more.');
    if (!(Number.isInteger(options.maxWaiting) && options.maxWaiting >= 1))
      throw new RangeError('maxWaiting must be a whole number, 1 or more.');
    this.#group = group;
    this.#options = options;
  }

  get counters(): BatchingCounters {
    return { ...this.#counters };
  }

  /**
   * Resolves with this contribution's verdict once the batch it joined has been checked; rejects at
   * once with VerifierBusyError when `maxWaiting` contributions are waiting already.
   */
  verify(statement: StudyStatement<E>, contribution: ParsedContribution<E>): Promise<ContributionVerdict> {
    if (this.#waiting.length >= this.#options.maxWaiting)
      return Promise.reject(new VerifierBusyError('Too many contributions are waiting to be verified.'));
    return new Promise((resolve, reject) => {
      this.#waiting.push({ statement, contribution, resolve, reject });
      if (this.#waiting.length >= this.#options.maxContributions) this.#scheduleNow();
      else this.#timer ??= setTimeout(() => this.#scheduleNow(), this.#options.windowMs);
    });
  }

  /** On the next turn of the event loop, so that the request that filled the batch returns first. */
  #scheduleNow(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#verifyNextBatch();
    });
  }

  #verifyNextBatch(): void {
    const batch = this.#waiting.splice(0, this.#options.maxContributions);
    // Anything left waits its turn: one batch per turn, so replies and new requests get in between.
    if (this.#waiting.length >= this.#options.maxContributions) this.#scheduleNow();
    else if (this.#waiting.length > 0)
      this.#timer ??= setTimeout(() => this.#scheduleNow(), this.#options.windowMs);
    if (batch.length === 0) return;
    try {
      const verdicts = this.#verdicts(batch);
      for (const [i, waiting] of batch.entries()) waiting.resolve(verdicts[i] as ContributionVerdict);
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }

  #verdicts(batch: readonly Waiting<E>[]): ContributionVerdict[] {
    const group = this.#group;
    const claims: Claim<E>[][] = batch.map(({ statement, contribution }) =>
      contributionClaims(group, statement, contribution, CLAIM_PREFIX),
    );
    const counters = this.#counters;
    counters.batches++;
    counters.contributions += batch.length;
    counters.largestBatch = Math.max(counters.largestBatch, batch.length);
    // A contribution with a malformed proof is refused without spending a multiplication on it.
    const wellFormed = claims.map((own) => own.every((c) => !(c.equations instanceof Error)));
    const equations = claims.flatMap((own, i) =>
      wellFormed[i] ? own.flatMap((c) => c.equations as readonly Equation<E>[]) : [],
    );
    const batchHolds = equationsHold(group, equations);
    if (!batchHolds) counters.failedBatches++;
    return claims.map((own, i) => {
      if (batchHolds && wellFormed[i]) return { valid: true, failures: [] };
      // Alone: one multiplication when it holds, and each of its proofs named when it does not.
      const { valid, failures } = verifyBatch(group, own);
      return { valid, failures: failures.map(({ name, reason }) => ({ name: withoutPrefix(name), reason })) };
    });
  }
}

function withoutPrefix(name: string): string {
  return name.startsWith(`${CLAIM_PREFIX}: `) ? name.slice(CLAIM_PREFIX.length + 2) : name;
}
