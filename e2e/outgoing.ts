/**
 * What the browser sends and receives, for the computations' privacy checks: every request and
 * response body is recorded, evaluate bodies are held to the spec's shape (a public key and one
 * ciphertext per declared input, nothing else), and typed values are looked for in the clear.
 */

import type { BrowserContext } from 'playwright-core';
import { expect } from 'vitest';
import { findComputation } from '../shared/computations/catalog.js';

export interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly requestBody: string | null;
  /** Undefined until the response arrived (or for one without a readable body). */
  responseBody: string | undefined;
}

/** Records every request of the context from now on, with its response body when it has one. */
export function recordExchanges(context: BrowserContext): Exchange[] {
  const exchanges: Exchange[] = [];
  const byRequest = new Map<object, Exchange>();
  context.on('request', (request) => {
    const exchange: Exchange = {
      method: request.method(),
      url: request.url(),
      requestBody: request.postData(),
      responseBody: undefined,
    };
    byRequest.set(request, exchange);
    exchanges.push(exchange);
  });
  context.on('response', async (response) => {
    const exchange = byRequest.get(response.request());
    if (!exchange) return;
    try {
      exchange.responseBody = await response.text();
    } catch {
      // Redirects and aborted requests have no body to read.
    }
  });
  return exchanges;
}

/** Element sizes in bytes (spec, "Groups"). */
const ELEMENT_BYTES: Readonly<Record<string, number>> = { ffdhe3072: 384, ristretto255: 32 };

function element(group: string) {
  const bytes = ELEMENT_BYTES[group] ?? Number.NaN;
  return expect.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`));
}

/** Asserts the body is exactly the spec's evaluate request for the computation: key and ciphertexts only. */
export function expectOnlyCiphertexts(body: string | null, computationId: string): void {
  const computation = findComputation(computationId);
  if (!computation) throw new Error(`No computation ${computationId} in the catalog.`);
  const ciphertext = { a: element(computation.group), b: element(computation.group) };
  expect(JSON.parse(body ?? 'null')).toEqual({
    publicKey: { group: computation.group, y: element(computation.group) },
    inputs: Object.fromEntries(computation.inputs.map((input) => [input.name, ciphertext])),
  });
}

/**
 * Whether `text` shows `value` in the clear. A value with a decimal point cannot hide in base64url,
 * so any occurrence counts; a bare digit string must stand as a token of its own, because a random
 * ciphertext contains any short digit string now and then.
 */
export function showsValue(text: string, value: string): boolean {
  if (value.includes('.')) return text.includes(value);
  return new RegExp(`(?<![A-Za-z0-9_-])${value}(?![A-Za-z0-9_-])`).test(text);
}

/** The evaluate exchanges of a computation, in order. */
export function evaluations(exchanges: readonly Exchange[], computationId: string): Exchange[] {
  return exchanges.filter(
    (exchange) =>
      exchange.method === 'POST' &&
      new URL(exchange.url).pathname === `/api/v2/computations/${computationId}/evaluate`,
  );
}

/** Asserts no typed value appears in any URL (percent-decoded) or request body. */
export function expectNoTypedValueSent(exchanges: readonly Exchange[], typed: readonly string[]): void {
  for (const exchange of exchanges) {
    const url = decodeURIComponent(exchange.url);
    for (const value of typed) {
      expect(showsValue(url, value), `${value} in ${exchange.url}`).toBe(false);
      expect(showsValue(exchange.requestBody ?? '', value), `${value} in the body to ${exchange.url}`).toBe(
        false,
      );
    }
  }
}
