/**
 * The worker's way to the service. It builds every URL itself, from the API origin the app was built
 * with: it sends requests nowhere else, whatever a page asks.
 */

import { evaluatePathV2 } from '../../shared/api.js';

/** The service's origin; unset means the app's own origin (the API and the site served together). */
const API_ORIGIN = import.meta.env.VITE_API_BASE_URL ?? '';

/** A path of the API, on the configured API origin only. */
export function apiUrl(path: string): string {
  return new URL(`${API_ORIGIN}${path}`, self.location.href).href;
}

/** POSTs an encrypted request to the computation's v2 endpoint; `undefined` when no answer came. */
export async function postEvaluate(
  computationId: string,
  body: string,
): Promise<{ status: number; body: string } | undefined> {
  try {
    const answer = await fetch(apiUrl(evaluatePathV2(computationId)), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, application/problem+json' },
      body,
    });
    return { status: answer.status, body: await answer.text() };
  } catch {
    return undefined;
  }
}
