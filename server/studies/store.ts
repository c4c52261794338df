/**
 * What the study routes store: accepted contributions (each spending one Privacy Pass token), in order,
 * and each study's state after closing: the tally, the trustees' partial decryptions and the released
 * result. Contributions, tallies, decryptions and results are opaque here (canonical JSON bytes or JSON
 * values that other modules define and check); this module guarantees order, uniqueness and durability.
 *
 * Every change is in a transaction, and a call resolves only after its transaction has committed, so an
 * acknowledgement given from its result is never lost (contributions that arrive together share one
 * transaction: see #appendWaiting). A study's appends and its closing lock the
 * study's row: sequence numbers are dense (1, 2, 3… with no gap or repeat, under any concurrency, across
 * instances), and nothing is appended once the study is closed, so the tally covers exactly what was
 * accepted.
 */

import type { Database, Queryable } from './database.js';

/** Refuses a malformed argument before it reaches the database; the message names it. */
export class StudyStoreError extends Error {
  override readonly name = 'StudyStoreError';
}

export interface Contribution {
  /** Its place in the study, from 1, dense. */
  readonly seq: number;
  readonly tokenKey: Uint8Array;
  /** The contribution as accepted: its canonical JSON, byte for byte. */
  readonly record: Uint8Array;
}

export type AddContributionOutcome =
  | { readonly outcome: 'added'; readonly seq: number }
  /** The token was spent already (here or in another study): nothing was stored. */
  | { readonly outcome: 'already-spent' }
  /** The study is closed: nothing was stored and the token was not spent. */
  | { readonly outcome: 'closed' };

export type CloseOutcome =
  | { readonly outcome: 'closed'; readonly contributions: number }
  | { readonly outcome: 'already-closed'; readonly contributions: number };

/** Recording a tally, a partial decryption or a result: each is written once, after its prerequisite. */
export type RecordOutcome =
  | { readonly outcome: 'recorded' }
  | { readonly outcome: 'already-recorded' }
  /** What it depends on is not there yet: a tally needs the study closed, the others need its tally. */
  | { readonly outcome: 'too-early' };

/** A value that JSON can carry; other modules define its shape. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

export interface StudyState {
  readonly contributions: number;
  readonly closedAt?: Date;
  readonly tally?: Json;
  readonly result?: Json;
}

export interface PartialDecryption {
  readonly trustee: string;
  readonly decryption: Json;
}

/** Study ids and trustee names as study files write them: printable ASCII, no spaces. */
const NAME = /^[\x21-\x7e]{1,200}$/;
/** A token's identifier: from a 32-byte nonce or hash up to a whole RFC 9578 token. */
const TOKEN_KEY_BYTES = { min: 16, max: 1024 };
/** Far above a contribution's size; a bound so that one request cannot fill the disk. */
export const MAX_RECORD_BYTES = 256 * 1024;
const MAX_JSON_CHARS = 16 * 1024 * 1024;
export const MAX_PAGE = 1000;
/** Appends written in one transaction at most, so one transaction stays short. */
const MAX_BATCH = 256;

const UNIQUE_VIOLATION = '23505';
const DECRYPTION_CONSTRAINT = 'partial_decryptions_once';

function checkName(what: string, value: unknown): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new StudyStoreError(`${what} must be 1 to 200 printable ASCII characters without spaces.`);
  }
  return value;
}

function checkBytes(what: string, value: unknown, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length < min || value.length > max) {
    throw new StudyStoreError(`${what} must be ${min} to ${max} bytes.`);
  }
  return value;
}

function checkJson(what: string, value: Json): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined || text.length > MAX_JSON_CHARS) {
    throw new StudyStoreError(`${what} must be a JSON value of at most ${MAX_JSON_CHARS} characters.`);
  }
  return text;
}

function checkWholeNumber(what: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new StudyStoreError(`${what} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

/** bigint columns come back as strings from pg and as numbers from PGlite. */
function count(value: unknown): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) throw new Error(`Not a count: ${String(value)}`);
  return number;
}

/** bytea comes back as a Buffer from pg: the callers get plain bytes either way. */
function bytes(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new Error('Not bytea');
  return new Uint8Array(value);
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  return (
    error instanceof Error &&
    'code' in error &&
    error.code === UNIQUE_VIOLATION &&
    'constraint' in error &&
    error.constraint === constraint
  );
}

interface StateRow {
  contributions: unknown;
  closed_ms: unknown;
  tally: string | null;
  result: string | null;
}

async function lockedState(tx: Queryable, studyId: string): Promise<StateRow | undefined> {
  const [row] = await tx.query<StateRow>(
    `SELECT contributions, (extract(epoch FROM closed_at) * 1000)::bigint AS closed_ms, tally, result
       FROM study_states WHERE study_id = $1 FOR UPDATE`,
    [studyId],
  );
  return row;
}

interface WaitingAppend {
  readonly tokenKey: Uint8Array;
  readonly record: Uint8Array;
  resolve(outcome: AddContributionOutcome): void;
  reject(error: unknown): void;
}

/**
 * Appends in one transaction, numbered in arrival order from the study's count, skipping none. Tokens
 * are claimed in one fixed order (by their bytes) in every transaction: two batches that spend the
 * same tokens, here or in another instance, then wait for each other in one direction only, never in a
 * cycle (a deadlock would abort a batch of honest contributions).
 */
async function appendBatch(
  tx: Queryable,
  studyId: string,
  batch: readonly WaitingAppend[],
): Promise<AddContributionOutcome[]> {
  await tx.query('INSERT INTO study_states (study_id) VALUES ($1) ON CONFLICT (study_id) DO NOTHING', [
    studyId,
  ]);
  // Held until commit: another instance's appends to this study, and its closing, wait for this batch.
  const state = await lockedState(tx, studyId);
  if (!state || state.closed_ms !== null) return batch.map(() => ({ outcome: 'closed' }));
  // A stable sort: of two appends with one token, the first to arrive spends it.
  const claimOrder = batch
    .map((_, index) => index)
    .sort((a, b) => Buffer.compare(batch[a]?.tokenKey as Uint8Array, batch[b]?.tokenKey as Uint8Array));
  const spends = new Set<number>();
  for (const index of claimOrder) {
    // Against another transaction's uncommitted spend of the same token, this waits for its outcome.
    const claimed = await tx.query(
      'INSERT INTO spent_tokens (token_key) VALUES ($1) ON CONFLICT (token_key) DO NOTHING RETURNING 1 AS claimed',
      [batch[index]?.tokenKey as Uint8Array],
    );
    if (claimed.length === 1) spends.add(index);
  }
  let last = count(state.contributions);
  const outcomes: AddContributionOutcome[] = [];
  for (const [index, { tokenKey, record }] of batch.entries()) {
    if (!spends.has(index)) {
      outcomes.push({ outcome: 'already-spent' });
      continue;
    }
    last++;
    await tx.query('INSERT INTO contributions (study_id, seq, token_key, record) VALUES ($1, $2, $3, $4)', [
      studyId,
      last,
      tokenKey,
      record,
    ]);
    outcomes.push({ outcome: 'added', seq: last });
  }
  await tx.query('UPDATE study_states SET contributions = $2 WHERE study_id = $1', [studyId, last]);
  return outcomes;
}

export class StudyStore {
  readonly #database: Database;
  /** Appends not yet in a transaction, by study, in arrival order. */
  readonly #waiting = new Map<string, WaitingAppend[]>();
  /** Studies whose appends are being written: the next ones wait for that transaction. */
  readonly #appending = new Set<string>();

  constructor(database: Database) {
    this.#database = database;
  }

  /**
   * Appends an accepted contribution that spends `tokenKey`; resolves with its sequence number once
   * committed. A token spent before (by any study) or a closed study changes nothing.
   */
  async addContribution(
    studyId: string,
    tokenKey: Uint8Array,
    record: Uint8Array,
  ): Promise<AddContributionOutcome> {
    checkName('The study id', studyId);
    checkBytes('The token key', tokenKey, TOKEN_KEY_BYTES.min, TOKEN_KEY_BYTES.max);
    checkBytes('The contribution', record, 1, MAX_RECORD_BYTES);
    return new Promise((resolve, reject) => {
      const queue = this.#waiting.get(studyId) ?? [];
      queue.push({ tokenKey, record, resolve, reject });
      this.#waiting.set(studyId, queue);
      if (!this.#appending.has(studyId)) void this.#appendWaiting(studyId);
    });
  }

  /**
   * Group commit: a study's appends hold its row lock until their commit is on disk, so one at a time
   * they would be bounded by the disk's flush latency. Those that arrive meanwhile wait here and go
   * together in the next transaction: one lock, one flush for the lot.
   */
  async #appendWaiting(studyId: string): Promise<void> {
    this.#appending.add(studyId);
    try {
      for (;;) {
        const queue = this.#waiting.get(studyId) ?? [];
        if (queue.length === 0) break;
        const batch = queue.splice(0, MAX_BATCH);
        try {
          const outcomes = await this.#database.transaction((tx) => appendBatch(tx, studyId, batch));
          for (const [index, append] of batch.entries())
            append.resolve(outcomes[index] as AddContributionOutcome);
        } catch (error) {
          for (const append of batch) append.reject(error);
        }
      }
    } finally {
      this.#waiting.delete(studyId);
      this.#appending.delete(studyId);
    }
  }

  /** Up to `limit` contributions of a study after sequence number `after`, in order (a page of the board). */
  async listContributions(studyId: string, after = 0, limit = MAX_PAGE): Promise<Contribution[]> {
    checkName('The study id', studyId);
    checkWholeNumber('after', after, 0, Number.MAX_SAFE_INTEGER);
    checkWholeNumber('limit', limit, 1, MAX_PAGE);
    const rows = await this.#database.query<{ seq: unknown; token_key: unknown; record: unknown }>(
      `SELECT seq, token_key, record FROM contributions
        WHERE study_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [studyId, after, limit],
    );
    return rows.map((row) => ({
      seq: count(row.seq),
      tokenKey: bytes(row.token_key),
      record: bytes(row.record),
    }));
  }

  async countContributions(studyId: string): Promise<number> {
    return (await this.studyState(studyId)).contributions;
  }

  /** What is recorded about a study; a study nobody contributed to yet has no contributions and is open. */
  async studyState(studyId: string): Promise<StudyState> {
    checkName('The study id', studyId);
    const [row] = await this.#database.query<StateRow>(
      `SELECT contributions, (extract(epoch FROM closed_at) * 1000)::bigint AS closed_ms, tally, result
         FROM study_states WHERE study_id = $1`,
      [studyId],
    );
    if (!row) return { contributions: 0 };
    return {
      contributions: count(row.contributions),
      ...(row.closed_ms === null ? {} : { closedAt: new Date(count(row.closed_ms)) }),
      ...(row.tally === null ? {} : { tally: JSON.parse(row.tally) as Json }),
      ...(row.result === null ? {} : { result: JSON.parse(row.result) as Json }),
    };
  }

  /**
   * Closes a study to contributions; resolves with how many it accepted, final from the commit on (an
   * append waiting for the study's lock sees it closed).
   */
  async closeStudy(studyId: string): Promise<CloseOutcome> {
    checkName('The study id', studyId);
    return this.#database.transaction(async (tx) => {
      await tx.query('INSERT INTO study_states (study_id) VALUES ($1) ON CONFLICT (study_id) DO NOTHING', [
        studyId,
      ]);
      const state = await lockedState(tx, studyId);
      if (!state) throw new Error(`The state of study ${studyId} vanished`);
      const contributions = count(state.contributions);
      if (state.closed_ms !== null) return { outcome: 'already-closed', contributions } as const;
      await tx.query('UPDATE study_states SET closed_at = now() WHERE study_id = $1', [studyId]);
      return { outcome: 'closed', contributions } as const;
    });
  }

  /** Records a closed study's tally (the summed ciphertexts), once. */
  async recordTally(studyId: string, tally: Json): Promise<RecordOutcome> {
    checkName('The study id', studyId);
    const text = checkJson('The tally', tally);
    return this.#database.transaction(async (tx) => {
      const state = await lockedState(tx, studyId);
      if (!state || state.closed_ms === null) return { outcome: 'too-early' } as const;
      if (state.tally !== null) return { outcome: 'already-recorded' } as const;
      await tx.query('UPDATE study_states SET tally = $2 WHERE study_id = $1', [studyId, text]);
      return { outcome: 'recorded' } as const;
    });
  }

  /** Records one trustee's partial decryption of the tally; a second one from the same trustee is refused. */
  async addPartialDecryption(studyId: string, trustee: string, decryption: Json): Promise<RecordOutcome> {
    checkName('The study id', studyId);
    checkName('The trustee', trustee);
    const text = checkJson('The partial decryption', decryption);
    try {
      return await this.#database.transaction(async (tx) => {
        // FOR UPDATE: not for the check itself but so that it cannot interleave with recordTally.
        const state = await lockedState(tx, studyId);
        if (!state || state.tally === null) return { outcome: 'too-early' } as const;
        await tx.query(
          'INSERT INTO partial_decryptions (study_id, trustee, decryption) VALUES ($1, $2, $3)',
          [studyId, trustee, text],
        );
        return { outcome: 'recorded' } as const;
      });
    } catch (error) {
      if (isUniqueViolation(error, DECRYPTION_CONSTRAINT)) return { outcome: 'already-recorded' };
      throw error;
    }
  }

  /** The partial decryptions recorded for a study, by trustee name. */
  async listPartialDecryptions(studyId: string): Promise<PartialDecryption[]> {
    checkName('The study id', studyId);
    const rows = await this.#database.query<{ trustee: string; decryption: string }>(
      'SELECT trustee, decryption FROM partial_decryptions WHERE study_id = $1 ORDER BY trustee',
      [studyId],
    );
    return rows.map((row) => ({ trustee: row.trustee, decryption: JSON.parse(row.decryption) as Json }));
  }

  /** Records the released result (the decoded statistics, or the statement that none are released), once. */
  async recordResult(studyId: string, result: Json): Promise<RecordOutcome> {
    checkName('The study id', studyId);
    const text = checkJson('The result', result);
    return this.#database.transaction(async (tx) => {
      const state = await lockedState(tx, studyId);
      if (!state || state.tally === null) return { outcome: 'too-early' } as const;
      if (state.result !== null) return { outcome: 'already-recorded' } as const;
      await tx.query('UPDATE study_states SET result = $2 WHERE study_id = $1', [studyId, text]);
      return { outcome: 'recorded' } as const;
    });
  }
}
