/**
 * The study routes (docs/STUDIES.md): the studies served, each study file as published, contributions
 * (each spending one Privacy Pass token), the bulletin board of accepted contributions, and a study's
 * state. A contribution is checked in this order, cheapest and least revealing first: the study exists,
 * it is open, the body's shape and sizes (from the study's layout), the token, every element, the
 * proofs (in batches: ./contribution-verifier.ts), and only then is the token spent and the
 * contribution appended, in one transaction; 201 is sent after its commit. Every refusal is
 * problem+json and changes nothing: no sequence number is used, no token spent.
 *
 * Register it under the API's prefix (e.g. /api); the paths below are relative to it.
 */

import { type TObject, Type } from '@sinclair/typebox';
import canonicalize from 'canonicalize';
import type { FastifyInstance } from 'fastify';
import { ProtocolError } from '../../shared/errors.js';
import type { Group } from '../../shared/groups/group.js';
import { type ContributionWire, parseContribution } from '../../shared/studies/contribution.js';
import { tokenFromWire } from '../../shared/studies/tokens/token.js';
import { StudyTokenError, type StudyTokenFailure } from '../../shared/studies/tokens/token-error.js';
import type { VerifiedStudyToken } from '../../shared/studies/tokens/verifier.js';
import type { Problem } from '../../shared/wire.js';
import { ProblemSchema } from '../../shared/wire-schemas.js';
import { sendErrorAsProblem, serviceUnavailable } from '../plugins/problem-details.js';
import {
  type ContributionVerdict,
  ContributionVerifier,
  DEFAULT_BATCHING,
  VerifierBusyError,
} from './contribution-verifier.js';
import { type Contribution, MAX_PAGE, type StudyStore } from './store.js';
import type { ServedStudy } from './study-files.js';

export interface StudyRoutesOptions<E> {
  /** The studies served, by id (./study-files.ts, `loadStudies`). */
  readonly studies: ReadonlyMap<string, ServedStudy<E>>;
  readonly store: StudyStore;
  readonly group: Group<E>;
  /** Batches proofs across requests; one is made with DEFAULT_BATCHING when absent. */
  readonly verifier?: ContributionVerifier<E>;
  /** The time now, in ms since the epoch (a test seam for opening and closing). */
  readonly now?: () => number;
}

/** The problems of these routes, beyond the protocol's (shared/errors.ts). */
type StudyProblemCode =
  | 'unknown-study'
  | 'study-not-open'
  | 'study-closed'
  | 'invalid-token'
  | 'token-refused'
  | 'token-spent'
  | 'invalid-proof'
  | 'unknown-contribution';

const STUDY_PROBLEMS: Record<StudyProblemCode, { status: number; title: string }> = {
  'unknown-study': { status: 404, title: 'Unknown study' },
  'study-not-open': { status: 409, title: 'Study not open yet' },
  'study-closed': { status: 409, title: 'Study closed' },
  'invalid-token': { status: 400, title: 'Malformed token' },
  'token-refused': { status: 403, title: 'Token refused' },
  'token-spent': { status: 409, title: 'Token already spent' },
  'invalid-proof': { status: 400, title: 'Proof does not verify' },
  'unknown-contribution': { status: 404, title: 'No such contribution' },
};

/** A refusal of a study route: answered as problem+json by the routes' error handler. */
class StudyRefusal extends Error {
  override readonly name = 'StudyRefusal';

  constructor(
    readonly code: StudyProblemCode,
    readonly detail: string,
  ) {
    super(detail);
  }

  toProblem(): Problem {
    const { status, title } = STUDY_PROBLEMS[this.code];
    return {
      type: `urn:sealed-vitals:problem:${this.code}`,
      title,
      status,
      detail: this.detail,
      code: this.code,
    };
  }
}

/** docs/STUDIES.md, "Verification (the service)": a malformed token is 400, a well-formed foreign one 403. */
const TOKEN_PROBLEM: Partial<Record<StudyTokenFailure, StudyProblemCode>> = {
  'foreign-issuer': 'token-refused',
  'another-study': 'token-refused',
  'bad-signature': 'token-refused',
};

const JSON_TYPE = 'application/json; charset=utf-8';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
/** A study file may be corrected before it opens; its ETag makes revalidation cheap. */
const STUDY_FILE_CACHE = 'public, max-age=300';
/** A board page is cut short beyond this many bytes of records (always at least one record). */
const MAX_PAGE_BYTES = 8 * 1024 * 1024;
/** A whole number in a query string or path: decimal, no sign, no leading zero, safe. */
const WHOLE = /^(0|[1-9][0-9]{0,14})$/;
const BASE64URL = '^[A-Za-z0-9_-]*$';
/** Retry-After when the verifier's line is full: a batch takes well under a second. */
const BUSY_RETRY_AFTER_S = 1;

const StudyListSchema = Type.Object(
  { studies: Type.Array(Type.Object({ id: Type.String(), title: Type.String() })) },
  { additionalProperties: false },
);
const AcceptedSchema = Type.Object({ seq: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const StateSchema = Type.Object(
  {
    id: Type.String(),
    contributions: Type.Integer({ minimum: 0 }),
    status: Type.Union([Type.Literal('not-yet-open'), Type.Literal('open'), Type.Literal('closed')]),
    opens: Type.String(),
    closes: Type.String(),
  },
  { additionalProperties: false },
);

/** The request's shape for one study: exact members, counts and string lengths from its layout. */
function contributionSchema(study: ServedStudy<unknown>): TObject {
  const { sizes, statement } = study;
  const exactString = (chars: number) =>
    Type.String({ minLength: chars, maxLength: chars, pattern: BASE64URL });
  return Type.Object(
    {
      study: Type.Literal(statement.study.id),
      token: exactString(sizes.tokenChars),
      slots: Type.Array(exactString(sizes.slotChars), {
        minItems: statement.layout.slots.length,
        maxItems: statement.layout.slots.length,
      }),
      proofs: Type.Tuple(sizes.proofChars.map(exactString)),
    },
    { additionalProperties: false },
  );
}

interface StudyRoute {
  Params: { id: string };
}

export async function studyRoutes<E>(app: FastifyInstance, options: StudyRoutesOptions<E>): Promise<void> {
  const { studies, store, group } = options;
  const verifier = options.verifier ?? new ContributionVerifier(group, DEFAULT_BATCHING);
  const now = options.now ?? Date.now;
  const base = `${app.prefix}/studies`;

  // Scoped to these routes: their own refusals, then the service's handler for everything else.
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof StudyRefusal) {
      const problem = error.toProblem();
      return reply.code(problem.status).type('application/problem+json').send(problem);
    }
    return sendErrorAsProblem(error, request, reply);
  });

  // The id is not echoed: a detail never repeats what the client sent.
  const unknownStudy = () => new StudyRefusal('unknown-study', `No such study; GET ${base} lists them.`);
  const served = (id: string): ServedStudy<E> => {
    const study = studies.get(id);
    if (!study) throw unknownStudy();
    return study;
  };

  const status = (study: ServedStudy<E>, closedAt: Date | undefined) => {
    const time = now();
    if (closedAt !== undefined || time >= study.closesAt) return 'closed' as const;
    return time < study.opensAt ? ('not-yet-open' as const) : ('open' as const);
  };

  /** Before the body is read: a contribution to no study, or at the wrong time, costs nothing more. */
  const requireOpen = (study: ServedStudy<E>) => async () => {
    const { opens, closes } = study.statement.study;
    const time = now();
    if (time < study.opensAt)
      throw new StudyRefusal('study-not-open', `The study opens at ${opens}; contribute then.`);
    if (time >= study.closesAt)
      throw new StudyRefusal(
        'study-closed',
        `The study closed at ${closes}; it takes no more contributions.`,
      );
  };

  app.get('/studies', { schema: { response: { 200: StudyListSchema } } }, async (_request, reply) => {
    reply.header('cache-control', REVALIDATE);
    const list = [...studies.values()].map(({ statement }) => ({
      id: statement.study.id,
      title: statement.study.title,
    }));
    return { studies: list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
  });

  app.get<StudyRoute>(
    '/studies/:id',
    { schema: { response: { 404: ProblemSchema } } },
    async (request, reply) => {
      const study = served(request.params.id);
      reply.header('etag', study.etag).header('cache-control', STUDY_FILE_CACHE);
      if (matchesEtag(request.headers['if-none-match'], study.etag)) return reply.code(304).send();
      return reply.type(JSON_TYPE).send(Buffer.from(study.published));
    },
  );

  app.get<StudyRoute>(
    '/studies/:id/state',
    { schema: { response: { 200: StateSchema } } },
    async (request, reply) => {
      const study = served(request.params.id);
      const state = await store.studyState(study.statement.study.id);
      reply.header('cache-control', REVALIDATE);
      return {
        id: study.statement.study.id,
        contributions: state.contributions,
        status: status(study, state.closedAt),
        opens: study.statement.study.opens,
        closes: study.statement.study.closes,
      };
    },
  );

  app.get<StudyRoute>('/studies/:id/contributions', async (request, reply) => {
    const study = served(request.params.id);
    const id = study.statement.study.id;
    const after = wholeQuery(request.query, 'after', 0);
    const limit = wholeQuery(request.query, 'limit', MAX_PAGE);
    if (limit < 1 || limit > MAX_PAGE)
      throw new ProtocolError(
        'validation-failed',
        `The query parameter limit must be from 1 to ${MAX_PAGE}.`,
      );
    // Read the state first: if it says closed, the page read after it is final.
    const { closedAt } = await store.studyState(id);
    const records = await store.listContributions(id, after, limit);
    reply.header('cache-control', closedAt === undefined ? REVALIDATE : IMMUTABLE);
    return reply.type(JSON_TYPE).send(boardPage(records));
  });

  app.get<{ Params: { id: string; seq: string } }>(
    '/studies/:id/contributions/:seq',
    async (request, reply) => {
      const study = served(request.params.id);
      const seq = wholeNumber(request.params.seq, 'The sequence number');
      const [record] = seq === 0 ? [] : await store.listContributions(study.statement.study.id, seq - 1, 1);
      if (record === undefined || record.seq !== seq)
        throw new StudyRefusal(
          'unknown-contribution',
          'The board has no contribution with this number (yet).',
        );
      // An entry never changes once it is on the board.
      reply.header('cache-control', IMMUTABLE);
      return reply.type(JSON_TYPE).send(boardEntry(record));
    },
  );

  // One route per study, so that each has its own body limit and schema, derived from its layout.
  for (const study of studies.values()) {
    const id = study.statement.study.id;
    app.post<StudyRoute & { Body: ContributionWire }>(
      `/studies/${id}/contributions`,
      {
        bodyLimit: study.sizes.bodyLimit,
        schema: {
          body: contributionSchema(study),
          response: { 201: AcceptedSchema, 503: ProblemSchema },
        },
        onRequest: requireOpen(study),
      },
      async (request, reply) => {
        const body = request.body;
        const { spendKey } = await verifiedToken(study, body.token);
        const parsed = parseContribution(group, study.statement, body);
        let verdict: ContributionVerdict;
        try {
          verdict = await verifier.verify(study.statement, parsed);
        } catch (error) {
          if (!(error instanceof VerifierBusyError)) throw error;
          const detail =
            'The service is verifying as many contributions as it can; send this one again shortly.';
          return serviceUnavailable(reply, detail, BUSY_RETRY_AFTER_S);
        }
        if (!verdict.valid) throw new StudyRefusal('invalid-proof', proofDetail(verdict.failures));
        // One canonical form on the board, whatever white space or member order the client sent.
        const record = new TextEncoder().encode(canonicalize(body) as string);
        const outcome = await store.addContribution(id, spendKey, record);
        switch (outcome.outcome) {
          case 'added':
            reply.code(201).header('location', `${base}/${id}/contributions/${outcome.seq}`);
            return { seq: outcome.seq };
          case 'already-spent':
            throw new StudyRefusal(
              'token-spent',
              'This token was spent already: one contribution per token.',
            );
          case 'closed':
            throw new StudyRefusal('study-closed', 'The study is closed; it takes no more contributions.');
        }
      },
    );
  }
  // Any other id: refused before the body is read.
  app.post<StudyRoute>(
    '/studies/:id/contributions',
    {
      onRequest: async () => {
        throw unknownStudy();
      },
    },
    async () => {
      throw unknownStudy();
    },
  );
}

/** If-None-Match (RFC 9110 §13.1.2): weak comparison, so a W/ tag of ours matches too. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}

function wholeNumber(text: unknown, what: string): number {
  if (typeof text !== 'string' || !WHOLE.test(text))
    throw new ProtocolError('validation-failed', `${what} must be a whole number.`);
  return Number(text);
}

/** An optional whole-number query parameter; given once at most. */
function wholeQuery(query: unknown, name: string, otherwise: number): number {
  const value = (query as Record<string, unknown>)[name];
  if (value === undefined) return otherwise;
  return wholeNumber(value, `The query parameter ${name}`);
}

async function verifiedToken(study: ServedStudy<unknown>, wire: string): Promise<VerifiedStudyToken> {
  try {
    return await study.tokens.verify(tokenFromWire(wire));
  } catch (error) {
    if (!(error instanceof StudyTokenError)) throw error;
    // The message names the failed check and never holds the token (token-error.ts).
    throw new StudyRefusal(
      TOKEN_PROBLEM[error.reason] ?? 'invalid-token',
      `The token is refused: ${error.message}.`,
    );
  }
}

/** The failed proofs by name, at most a few: enough to find the bug, bounded whatever was sent. */
function proofDetail(failures: ContributionVerdict['failures']): string {
  const shown = failures.slice(0, 3).map(({ name, reason }) => `${name}: ${reason}`);
  const more = failures.length > shown.length ? `; and ${failures.length - shown.length} more` : '';
  return `The contribution is refused: ${shown.join('; ')}${more}.`;
}

const decoder = new TextDecoder();

/** A board entry as JSON: the stored record, byte for byte, as its `contribution`. */
function boardEntry(record: Contribution): string {
  return `{"seq":${record.seq},"contribution":${decoder.decode(record.record)}}`;
}

/** A page of the board, cut short past MAX_PAGE_BYTES; the client asks again after its last seq. */
function boardPage(records: readonly Contribution[]): string {
  const entries: string[] = [];
  let bytes = 0;
  for (const record of records) {
    if (entries.length > 0 && bytes + record.record.length > MAX_PAGE_BYTES) break;
    entries.push(boardEntry(record));
    bytes += record.record.length;
  }
  return `{"contributions":[${entries.join(',')}]}`;
}
