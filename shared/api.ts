/**
 * The API's paths (spec: "HTTP API"). Kept apart from wire.ts so the web bundle can use them without
 * pulling in the JSON-schema library.
 */

export const API_BASE_PATH = '/api/v1';

export function evaluatePath(computationId: string): string {
  return `${API_BASE_PATH}/computations/${encodeURIComponent(computationId)}/evaluate`;
}
