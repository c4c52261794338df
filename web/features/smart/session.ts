/**
 * The connected health record: the fhirclient `Client` (and so its access token) held in this page's
 * memory for the page's life, and nowhere else. Closing or reloading the page ends it; a new launch
 * replaces it. The page's components read it through `useSmartSession`.
 */

import type Client from 'fhirclient/lib/Client.js';
import { useSyncExternalStore } from 'react';

export interface SmartSession {
  readonly client: Client;
  readonly issuer: string;
  readonly patientId: string;
  /** The scopes the server granted: what this session may do (a write is offered only where they allow it). */
  readonly grantedScope: string;
}

class SessionHolder {
  private session: SmartSession | undefined;
  private readonly listeners = new Set<() => void>();

  readonly current = (): SmartSession | undefined => this.session;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set(session: SmartSession | undefined): void {
    this.session = session;
    for (const listener of this.listeners) listener();
  }
}

/** The page's one holder: the session must outlive the route change from the callback to a calculator. */
export const smartSessions = new SessionHolder();

export function useSmartSession(): SmartSession | undefined {
  return useSyncExternalStore(smartSessions.subscribe, smartSessions.current);
}
