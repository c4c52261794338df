/**
 * Where fhirclient keeps its state. Its browser default is sessionStorage for everything, the token
 * response included; here the page's memory holds everything, and sessionStorage only what must
 * outlive the redirect to the authorization server and back (the state key, the endpoints, the PKCE
 * verifier): never a value holding an access token, and nothing at all once the launch is complete.
 */

import type { fhirclient } from 'fhirclient/lib/types.js';

export class RedirectStorage implements fhirclient.Storage {
  private readonly memory = new Map<string, unknown>();
  private readonly keys = new Set<string>();

  async get(key: string): Promise<unknown> {
    this.keys.add(key);
    if (this.memory.has(key)) return this.memory.get(key);
    const kept = sessionStorage.getItem(key);
    return kept === null ? null : (JSON.parse(kept) as unknown);
  }

  async set(key: string, value: unknown): Promise<unknown> {
    this.keys.add(key);
    this.memory.set(key, value);
    if (holdsToken(value)) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(value));
    return value;
  }

  async unset(key: string): Promise<boolean> {
    const had = this.memory.delete(key) || sessionStorage.getItem(key) !== null;
    sessionStorage.removeItem(key);
    return had;
  }

  /** The redirect is over: what it needed goes from sessionStorage (the memory keeps the session). */
  forgetRedirect(): void {
    for (const key of this.keys) sessionStorage.removeItem(key);
  }
}

function holdsToken(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || !('tokenResponse' in value)) return false;
  const response = value.tokenResponse;
  return typeof response === 'object' && response !== null && Object.keys(response).length > 0;
}
