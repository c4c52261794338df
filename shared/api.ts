/**
 * The API's paths (spec: "HTTP API"; v2 adds proofs on the same paths under /api/v2). Kept apart from
 * wire.ts so the web bundle can use them without pulling in the JSON-schema library.
 */

export const API_BASE_PATH = '/api/v1';
export const API_V2_BASE_PATH = '/api/v2';

/** v1's evaluate path: the answer carries no proof. */
export function evaluatePath(computationId: string): string {
  return `${API_BASE_PATH}/computations/${encodeURIComponent(computationId)}/evaluate`;
}

/** v2's evaluate path: the answer carries a proof the client verifies before it decrypts. */
export function evaluatePathV2(computationId: string): string {
  return `${API_V2_BASE_PATH}/computations/${encodeURIComponent(computationId)}/evaluate`;
}

export const CATALOG_PATH_V2 = `${API_V2_BASE_PATH}/computations`;

/** The transparency log (docs/TRANSPARENCY.md): its trust policy, checkpoint, entries and proofs. */
export const LOG_PATH = `${API_V2_BASE_PATH}/log`;
export const LOG_CHECKPOINT_PATH = `${LOG_PATH}/checkpoint`;
export const LOG_ENTRIES_PATH = `${LOG_PATH}/entries`;
export const LOG_INCLUSION_PATH = `${LOG_PATH}/inclusion`;
export const LOG_CONSISTENCY_PATH = `${LOG_PATH}/consistency`;
/** The most entries one page of `GET /api/v2/log/entries` returns. */
export const LOG_ENTRIES_PAGE = 256;
