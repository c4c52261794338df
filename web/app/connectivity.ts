/**
 * Whether the health service can be reached, for the banner that says so before a patient fills in a
 * form for nothing. Known from the browser's online/offline events and from asking the service's
 * liveness endpoint, which carries no body and no value: when a calculator opens, after a computation
 * could not reach the service, and then every 15 s until it answers again. History and keys pages
 * never ask, so reading them talks to no one.
 */

import { useSyncExternalStore } from 'react';
import { API_BASE_PATH } from '../../shared/api.js';

export type Reachability = 'unknown' | 'reachable' | 'unreachable';

/** The service's origin; unset means this page's own origin (the API and the site served together). */
const API_ORIGIN = import.meta.env.VITE_API_BASE_URL ?? '';
const HEALTH_URL = `${API_ORIGIN}${API_BASE_PATH}/health`;
const RETRY_MS = 15_000;

class ServiceReachability {
  #state: Reachability = typeof navigator !== 'undefined' && !navigator.onLine ? 'unreachable' : 'unknown';
  readonly #listeners = new Set<() => void>();
  #retry: ReturnType<typeof setTimeout> | undefined;
  #probing: Promise<void> | undefined;

  constructor() {
    window.addEventListener('offline', () => this.#set('unreachable'));
    window.addEventListener('online', () => void this.check());
  }

  get state(): Reachability {
    return this.#state;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Asks the service once (one question at a time); any HTTP answer, even a busy 503, means it is there. */
  check(): Promise<void> {
    this.#probing ??= fetch(HEALTH_URL, { cache: 'no-store', credentials: 'omit' })
      .then(
        () => this.#set('reachable'),
        () => this.#set('unreachable'),
      )
      .finally(() => {
        this.#probing = undefined;
      });
    return this.#probing;
  }

  /** A computation just got an answer: the service is there. */
  answered(): void {
    this.#set('reachable');
  }

  #set(next: Reachability): void {
    clearTimeout(this.#retry);
    this.#retry = next === 'unreachable' ? setTimeout(() => void this.check(), RETRY_MS) : undefined;
    if (next === this.#state) return;
    this.#state = next;
    for (const listener of this.#listeners) listener();
  }
}

export const serviceReachability = new ServiceReachability();

export function useServiceReachability(): Reachability {
  return useSyncExternalStore(serviceReachability.subscribe, () => serviceReachability.state);
}
