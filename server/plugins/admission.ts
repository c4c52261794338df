/**
 * Admission control for evaluations. An evaluation holds the event loop for its whole computation, so
 * when requests come faster than the process computes them, a queue forms. Left to itself that queue
 * sits in the kernel's socket buffers, where nothing sees it and the unluckiest requests wait seconds.
 * Here it is moved into the process and bounded: each evaluation, once its body is read and has passed
 * schema validation (bad input is a 4xx whatever the load), either takes a place in one first-come-first-served line of at most `maxInFlight` (the one computing
 * and those waiting) or is answered at once with 503 and Retry-After. Between two evaluations the event
 * loop reads the sockets again (each turn starts from `setImmediate`), so new requests are seen, and
 * refused, while others compute: an admitted request waits for at most `maxInFlight` evaluations.
 *
 * Which routes are evaluations: every POST route whose path ends in `/computations/:id/evaluate`,
 * under any API prefix (`isEvaluationRoute`). Other routes are cheap and never refused here.
 */

import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { serviceUnavailable } from './problem-details.js';

export interface AdmissionOptions {
  /** Evaluations admitted at once in this process: the one computing plus those waiting their turn. */
  readonly maxInFlight: number;
  /** Sent as Retry-After with every refused evaluation. */
  readonly retryAfterSeconds: number;
}

/** What the rest of the service reads of the line (readiness, metrics). */
export interface AdmissionState {
  /** Evaluations admitted and not yet answered. */
  readonly inFlight: number;
  /** True if an evaluation was refused within the last `retryAfterSeconds`. */
  readonly shedding: boolean;
}

export interface AdmissionHooks {
  /** Called for every evaluation refused because the line was full. */
  readonly onShed?: (request: FastifyRequest) => void;
}

const EVALUATE_PATH = /\/computations\/:id\/evaluate$/;

/** The one definition of "this route is an evaluation", for admission control and the metrics. */
export function isEvaluationRoute(route: Pick<RouteOptions, 'method' | 'url'>): boolean {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return methods.includes('POST') && EVALUATE_PATH.test(route.url);
}

/** One admitted evaluation's place in the line. */
interface Ticket {
  readonly startTurn: () => void;
  readonly turn: Promise<void>;
}

/**
 * The line: admitted tickets in arrival order, the first of them computing. A new turn always starts
 * from `setImmediate`, after the event loop's poll phase, never straight from the end of the last one.
 */
export class EvaluationLine implements AdmissionState {
  readonly #maxInFlight: number;
  readonly #shedWindowMs: number;
  readonly #waiting: Ticket[] = [];
  #current: Ticket | undefined;
  #turnScheduled = false;
  #lastShedAt = Number.NEGATIVE_INFINITY;

  constructor({ maxInFlight, retryAfterSeconds }: AdmissionOptions) {
    this.#maxInFlight = maxInFlight;
    this.#shedWindowMs = retryAfterSeconds * 1000;
  }

  get inFlight(): number {
    return this.#waiting.length + (this.#current ? 1 : 0);
  }

  get shedding(): boolean {
    return performance.now() - this.#lastShedAt < this.#shedWindowMs;
  }

  /** A place in the line, or undefined when it is full. */
  admit(): Ticket | undefined {
    if (this.inFlight >= this.#maxInFlight) {
      this.#lastShedAt = performance.now();
      return undefined;
    }
    let startTurn = () => {};
    const turn = new Promise<void>((resolve) => {
      startTurn = resolve;
    });
    const ticket = { startTurn, turn };
    this.#waiting.push(ticket);
    this.#scheduleTurn();
    return ticket;
  }

  /** The ticket's evaluation is answered, or its client is gone: its place is free. Idempotent. */
  leave(ticket: Ticket): void {
    if (this.#current === ticket) {
      this.#current = undefined;
      this.#scheduleTurn();
      return;
    }
    const index = this.#waiting.indexOf(ticket);
    if (index >= 0) this.#waiting.splice(index, 1);
  }

  #scheduleTurn(): void {
    if (this.#current || this.#turnScheduled || this.#waiting.length === 0) return;
    this.#turnScheduled = true;
    setImmediate(() => {
      this.#turnScheduled = false;
      this.#current = this.#waiting.shift();
      this.#current?.startTurn();
    });
  }
}

const tickets = new WeakMap<FastifyRequest, Ticket>();

export interface AdmissionPluginOptions extends AdmissionOptions, AdmissionHooks {
  /** The line, made by the caller so that readiness and metrics can read it. */
  readonly line: EvaluationLine;
}

const admissionPlugin: FastifyPluginAsync<AdmissionPluginOptions> = async (
  app,
  { line, retryAfterSeconds, onShed },
) => {
  // Once the body is read and valid: a client trickling its body in holds no place in the line.
  async function takePlace(request: FastifyRequest, reply: FastifyReply) {
    const ticket = line.admit();
    if (!ticket) {
      onShed?.(request);
      const detail = `The service is busy; try again in ${retryAfterSeconds} s.`;
      return reply.send(serviceUnavailable(reply, detail, retryAfterSeconds));
    }
    tickets.set(request, ticket);
    // 'close' comes after the response is sent and also when the client goes away first.
    reply.raw.once('close', () => line.leave(ticket));
  }
  async function waitForTurn(request: FastifyRequest) {
    await tickets.get(request)?.turn;
  }
  // The handler has answered (or failed): the next evaluation may start while this one is sent.
  async function endTurn(request: FastifyRequest) {
    const ticket = tickets.get(request);
    if (ticket) line.leave(ticket);
  }

  app.addHook('onRoute', (route) => {
    if (!isEvaluationRoute(route)) return;
    route.preHandler = [...hookList(route.preHandler), takePlace, waitForTurn];
    route.onSend = [...hookList(route.onSend), endTurn];
  });
};

function hookList<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}

/** Not encapsulated: it applies to the evaluation routes registered after it in the registering scope. */
export const admission = fp(admissionPlugin, { name: 'sealed-vitals-admission' });
