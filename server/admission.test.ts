/**
 * Admission control (server/plugins/admission.ts): at most `maxInFlight` evaluations admitted per
 * process, first come first served; the excess answered at once with 503 problem+json and Retry-After;
 * liveness still answers and readiness says "not now" while evaluations are refused.
 */

import type { ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, test } from 'vitest';
import { decryptOutputs } from '../shared/client.js';
import { EvaluationLine, isEvaluationRoute } from './plugins/admission.js';
import {
  buildTestApp,
  evaluatePath,
  expectProblem,
  parseRawResponse,
  sampleRequest,
} from './test-support.js';

let app: FastifyInstance | undefined;
afterEach(() => app?.close());

const nextMacrotask = () => new Promise((resolve) => setImmediate(resolve));

describe('the line', () => {
  test('admits up to its bound, refuses beyond it, and frees a place when a ticket leaves', () => {
    const line = new EvaluationLine({ maxInFlight: 2, retryAfterSeconds: 1 });
    const first = line.admit();
    const second = line.admit();
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(line.inFlight).toBe(2);
    expect(line.shedding).toBe(false);
    expect(line.admit()).toBeUndefined();
    expect(line.shedding).toBe(true);
    if (!second) throw new Error('unreachable');
    line.leave(second);
    line.leave(second);
    expect(line.inFlight).toBe(1);
    expect(line.admit()).toBeDefined();
  });

  test('turns start one at a time, in order of arrival, never in the tick that admitted them', async () => {
    const line = new EvaluationLine({ maxInFlight: 3, retryAfterSeconds: 1 });
    const started: number[] = [];
    const tickets = [0, 1, 2].map((n) => {
      const ticket = line.admit();
      if (!ticket) throw new Error('refused below the bound');
      void ticket.turn.then(() => started.push(n));
      return ticket;
    });
    await Promise.resolve();
    expect(started).toEqual([]);
    await nextMacrotask();
    expect(started).toEqual([0]);
    // The first has not left: the second must wait however long that takes.
    await nextMacrotask();
    expect(started).toEqual([0]);
    line.leave(tickets[0] as NonNullable<(typeof tickets)[0]>);
    await nextMacrotask();
    expect(started).toEqual([0, 1]);
    // A waiting ticket that leaves (its client went away) gives up its turn.
    line.leave(tickets[2] as NonNullable<(typeof tickets)[2]>);
    line.leave(tickets[1] as NonNullable<(typeof tickets)[1]>);
    await nextMacrotask();
    expect(started).toEqual([0, 1]);
    expect(line.inFlight).toBe(0);
  });
});

test('evaluation routes are the POST …/computations/:id/evaluate of any API version', () => {
  expect(isEvaluationRoute({ method: 'POST', url: '/api/v1/computations/:id/evaluate' })).toBe(true);
  expect(isEvaluationRoute({ method: 'POST', url: '/api/v2/computations/:id/evaluate' })).toBe(true);
  expect(isEvaluationRoute({ method: ['POST'], url: '/api/v2/computations/:id/evaluate' })).toBe(true);
  expect(isEvaluationRoute({ method: 'GET', url: '/api/v1/computations/:id/evaluate' })).toBe(false);
  expect(isEvaluationRoute({ method: 'GET', url: '/api/v1/computations' })).toBe(false);
  expect(isEvaluationRoute({ method: 'POST', url: '/api/v1/computations/:id/evaluate/x' })).toBe(false);
});

/** Opens `count` connections and waits until each is established. */
async function connections(port: number, count: number): Promise<Socket[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => resolve(socket));
          socket.once('error', reject);
          socket.setEncoding('utf8');
        }),
    ),
  );
}

function rawPost(path: string, body: string): string {
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

function responseText(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.once('close', () => resolve(text));
  });
}

/** Holds this (the test's and the service's) event loop, so that every request sent is waiting when it polls. */
function holdEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose.
  }
}

describe('a burst of evaluations larger than the bound', () => {
  const MAX_IN_FLIGHT = 2;
  const BURST = 12;

  async function burst(
    bodies: readonly string[] = Array(BURST).fill(JSON.stringify(sampleRequest('bmi').body)),
  ) {
    const service = await buildTestApp({ overload: { maxInFlight: MAX_IN_FLIGHT, retryAfterSeconds: 4 } });
    app = service;
    await service.listen({ port: 0, host: '127.0.0.1' });
    const { port } = service.server.address() as { port: number };
    const sample = sampleRequest('bmi');
    const sockets = await connections(port, bodies.length);
    // Let the service accept them all before anything is sent.
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The order in which the service finished writing its responses (the client reads them later).
    const order: number[] = [];
    service.server.on('request', (_request, response: ServerResponse) => {
      response.once('finish', () => order.push(response.statusCode));
    });
    const responses = sockets.map((socket) => responseText(socket).then(parseRawResponse));
    sockets.forEach((socket, i) => {
      socket.write(rawPost(evaluatePath('bmi'), bodies[i] ?? ''));
    });
    holdEventLoop(100);
    return { service, sample, order, responses: await Promise.all(responses) };
  }

  test('the bound is computed and decrypts correctly; the rest is refused at once with 503 and Retry-After', async () => {
    const { service, sample, order, responses } = await burst();
    const evaluated = responses.filter((r) => r.statusCode === 200);
    const refused = responses.filter((r) => r.statusCode !== 200);
    expect(evaluated).toHaveLength(MAX_IN_FLIGHT);
    expect(refused).toHaveLength(BURST - MAX_IN_FLIGHT);
    for (const response of refused) {
      const detail = expectProblem(response, 'service-unavailable', 503);
      expect(detail).toContain('4 s');
      expect(response.headers['retry-after']).toBe('4');
    }
    // "At once": every refusal was written before the first admitted evaluation was.
    expect(order).toEqual([...Array(BURST - MAX_IN_FLIGHT).fill(503), 200, 200]);
    const metrics = (await service.metrics?.registry.metrics()) ?? '';
    expect(metrics).toMatch(new RegExp(`^sealed_vitals_shed_total ${BURST - MAX_IN_FLIGHT}$`, 'm'));
    expect(metrics).toMatch(/^sealed_vitals_evaluations_in_flight 0$/m);
    for (const response of evaluated) {
      const outputs = decryptOutputs(sample.computation, sample.key, response.json());
      expect(Object.keys(outputs).sort()).toEqual(sample.computation.outputs.map((o) => o.name).sort());
    }
  });

  test('meanwhile liveness answers, readiness says not now, and both recover once it stops', async () => {
    const { service } = await burst();
    const live = await service.inject({ url: '/api/v1/health' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'ok' });
    const ready = await service.inject({ url: '/api/v1/health/ready' });
    expectProblem(ready, 'service-unavailable', 503);
    expect(ready.headers['retry-after']).toBe('4');
    // Other API routes are never refused by admission control.
    expect((await service.inject({ url: '/api/v1/computations' })).statusCode).toBe(200);
    const { body } = sampleRequest('bmi');
    const again = await service.inject({
      method: 'POST',
      url: evaluatePath('bmi'),
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    expect(again.statusCode).toBe(200);
  });
});

test('an invalid evaluation request is refused 4xx, never 503, however full the line', async () => {
  const valid = JSON.stringify(sampleRequest('bmi').body);
  const invalid = JSON.stringify({ ...sampleRequest('bmi').body, extra: 1 });
  const service = await buildTestApp({ overload: { maxInFlight: 1, retryAfterSeconds: 1 } });
  app = service;
  await service.listen({ port: 0, host: '127.0.0.1' });
  const { port } = service.server.address() as { port: number };
  const bodies = [valid, valid, valid, invalid, invalid, invalid];
  const sockets = await connections(port, bodies.length);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const responses = sockets.map((socket) => responseText(socket).then(parseRawResponse));
  sockets.forEach((socket, i) => {
    socket.write(rawPost(evaluatePath('bmi'), bodies[i] ?? ''));
  });
  holdEventLoop(100);
  const received = await Promise.all(responses);
  expect(
    received
      .slice(0, 3)
      .map((r) => r.statusCode)
      .sort(),
  ).toEqual([200, 503, 503]);
  for (const response of received.slice(3)) expectProblem(response, 'validation-failed', 400);
});
