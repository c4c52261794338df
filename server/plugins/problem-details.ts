/**
 * Every failure leaves the service as an RFC 9457 problem (`application/problem+json`) with the
 * protocol's stable `code`. A detail tells the caller what to fix and never echoes a submitted value:
 * bodies carry ciphertexts, and a client may have put anything anywhere.
 */

import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { PROBLEM_STATUS, type ProblemCode, ProtocolError } from '../../shared/errors.js';
import type { Problem } from '../../shared/wire.js';

/**
 * The spec's codes plus the service's own: a route that does not exist, a request too slow or with
 * too large a head for Node's HTTP parser, a service too busy to take the request now (the only 5xx a
 * client can cause, and only by sheer volume), and a bug of ours.
 */
type ServiceProblemCode =
  | ProblemCode
  | 'not-found'
  | 'request-timeout'
  | 'headers-too-large'
  | 'service-unavailable'
  | 'internal-error';

const STATUS: Record<ServiceProblemCode, number> = {
  ...PROBLEM_STATUS,
  'not-found': 404,
  'request-timeout': 408,
  'headers-too-large': 431,
  'service-unavailable': 503,
  'internal-error': 500,
};

/** RFC 9457 §3.1.4: the title is the same for every occurrence of a type; the detail varies. */
const TITLE: Record<ServiceProblemCode, string> = {
  'unknown-computation': 'Unknown computation',
  'validation-failed': 'Invalid request',
  'invalid-encoding': 'Invalid byte encoding',
  'invalid-element': 'Invalid group element',
  'group-mismatch': 'Wrong group',
  'missing-input': 'Missing input',
  'unexpected-input': 'Unexpected input',
  'payload-too-large': 'Request body too large',
  'unsupported-media-type': 'Unsupported media type',
  'rate-limited': 'Too many requests',
  'log-unavailable': 'Transparency log not yet published',
  'not-found': 'Not found',
  'request-timeout': 'Request timeout',
  'headers-too-large': 'Request headers too large',
  'service-unavailable': 'Service unavailable',
  'internal-error': 'Internal error',
};

const PROBLEM_CONTENT_TYPE = 'application/problem+json';

function problem(code: ServiceProblemCode, detail: string): Problem {
  return {
    type: `urn:sealed-vitals:problem:${code}`,
    title: TITLE[code],
    status: STATUS[code],
    detail,
    code,
  };
}

function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

export function sendNotFoundProblem(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(
    reply,
    problem('not-found', `There is no ${request.method} route here; the API is under /api/v1.`),
  );
}

/**
 * Readies the reply as a 503 and returns the problem to send: for a handler or hook that hands its
 * body back. Retry-After (RFC 9110 §10.2.3) tells well-behaved clients when to come back.
 */
export function serviceUnavailable(reply: FastifyReply, detail: string, retryAfterSeconds: number): Problem {
  const body = problem('service-unavailable', detail);
  reply.code(body.status).type(PROBLEM_CONTENT_TYPE).header('retry-after', String(retryAfterSeconds));
  return body;
}

/**
 * The one error handler (also Fastify's `frameworkErrors`). Anything it does not recognise is a bug
 * of ours: logged with its stack, but never with the request body, and answered with a generic 500.
 */
export function sendErrorAsProblem(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply | Promise<Problem> {
  const known = problemForClientError(error, request);
  if (known?.code === 'payload-too-large') {
    // Fastify answers before reading the body and closes the connection (Connection: close).
    return discardBody(request.raw).then(() => {
      reply.code(known.status).type(PROBLEM_CONTENT_TYPE);
      return known;
    });
  }
  if (known) return sendProblem(reply, known);
  request.log.error({ err: error }, 'Unexpected error while handling a request');
  return sendProblem(reply, problem('internal-error', 'The service failed; please try again later.'));
}

/**
 * How much of a body over the limit is read and thrown away before the 413 is sent. Closing a socket
 * with unread bytes resets the connection (TCP RST), so a client that writes its whole body before it
 * reads (Python's urllib, say) got a broken pipe instead of the problem; read to its end, it gets the
 * answer. Beyond these bounds the connection is closed as it is, unread (docs/OPERATIONS.md).
 */
export const DISCARD_LIMIT = { bytes: 8 * 1024 * 1024, milliseconds: 5_000 } as const;

/** Reads the rest of a request's body and drops it, up to DISCARD_LIMIT; resolves at its end or the bound. */
function discardBody(request: IncomingMessage): Promise<void> {
  if (request.readableEnded || request.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    const stop = () => {
      clearTimeout(timer);
      request.off('data', onData).off('end', stop).off('error', stop).off('close', stop);
      request.pause();
      resolve();
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > DISCARD_LIMIT.bytes) stop();
    };
    const timer = setTimeout(stop, DISCARD_LIMIT.milliseconds);
    request.on('data', onData).once('end', stop).once('error', stop).once('close', stop);
  });
}

function problemForClientError(error: unknown, request: FastifyRequest): Problem | undefined {
  if (error instanceof ProtocolError) return problem(error.code, error.detail);
  if (!isFastifyError(error)) return undefined;
  if (error.validation) {
    return problem('validation-failed', describeValidationError(error.validation, error.validationContext));
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(
        'payload-too-large',
        `The body must be at most ${request.routeOptions.bodyLimit} bytes.`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem('unsupported-media-type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('validation-failed', 'The body is empty; send a JSON object.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // Covers "__proto__" and "constructor.prototype" keys too: secure-json-parse refuses them.
      return problem('validation-failed', 'The body is not valid JSON.');
    case 'FST_ERR_BAD_URL':
      return problem('not-found', 'The URL is not valid (malformed percent-encoding).');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return problem('not-found', 'No such resource: a path segment is too long.');
  }
  // Any other client error Fastify raises, e.g. a Content-Length that does not match the body.
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return problem('validation-failed', 'The request is malformed.');
  }
  return undefined;
}

/**
 * Fastify's `clientErrorHandler`: errors Node's HTTP parser meets before there is a request to reply
 * to (a head or body that trickles in past the timeout, a head over the size limit, bytes that are not
 * HTTP/1.1), written straight to the socket, which is then closed. Without it they would be the only
 * answers that are not problem+json.
 */
export function writeClientErrorAsProblem(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has no one left to answer (Node's own `clientError` advice).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = problemForParserError(error.code);
  const body = JSON.stringify(answer);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function problemForParserError(code: string | undefined): Problem {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problem('request-timeout', 'The request took too long to arrive; send it again.');
    case 'HPE_HEADER_OVERFLOW':
      return problem('headers-too-large', 'The request head is larger than the service accepts.');
    default:
      return problem('validation-failed', 'The request is not valid HTTP/1.1.');
  }
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === 'string';
}

/** Ajv's first error as "<path>: <what is wrong>"; Ajv's messages quote the schema, never the data. */
function describeValidationError(
  errors: readonly FastifySchemaValidationError[],
  context: string | undefined,
): string {
  const [first] = errors;
  if (!first) return `The ${context ?? 'request'} does not match the schema.`;
  const where = fieldPath(first.instancePath, context);
  const allowed = allowedValuesAt(errors, first.instancePath);
  if (allowed.length > 0) return `${where} must be one of: ${allowed.join(', ')}.`;
  const extra = first.params.additionalProperty;
  if (first.keyword === 'additionalProperties' && typeof extra === 'string') {
    return `${where} has a field that is not allowed${isSafeName(extra) ? ` ("${extra}")` : ''}; remove it.`;
  }
  return `${where} ${first.message ?? 'does not match the schema'}.`;
}

/**
 * The JSON Pointer of the failing value as a dotted path (`inputs.weight.a`). Every segment is a key
 * the schema knows or one that matched its name pattern, so the path cannot carry arbitrary text.
 */
function fieldPath(instancePath: string, context: string | undefined): string {
  if (instancePath === '') return `The ${context ?? 'request'}`;
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.');
}

/** A union of literals (e.g. the group name) fails as one `const` error per branch: list them. */
function allowedValuesAt(errors: readonly FastifySchemaValidationError[], instancePath: string): string[] {
  return errors
    .filter((e) => e.keyword === 'const' && e.instancePath === instancePath)
    .map((e) => e.params.allowedValue)
    .filter((value): value is string => typeof value === 'string');
}

/** A client-chosen key is named back only when it is plainly a field name, not data. */
function isSafeName(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(name);
}
