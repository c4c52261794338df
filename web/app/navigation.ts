/**
 * Path-based routes with the History API. The service answers every unknown non-API path with
 * index.html, so each route is also a link that survives a reload.
 */

import { type MouseEvent, useSyncExternalStore } from 'react';
import type { Computation } from '../../shared/computations/computation.js';

export type Route =
  | { readonly page: 'home' }
  | { readonly page: 'how-it-works' }
  | { readonly page: 'keys' }
  | { readonly page: 'history' }
  | { readonly page: 'computation'; readonly computation: Computation }
  /** A computation path while the service's catalog is still being checked. */
  | { readonly page: 'loading' }
  | { readonly page: 'not-found' };

export const HOME_PATH = '/';
export const HOW_IT_WORKS_PATH = '/how-it-works';
export const KEYS_PATH = '/keys';
export const HISTORY_PATH = '/history';

export function computationPath(computation: Computation): string {
  return `/computations/${computation.id}`;
}

/** `computations`: what the catalog holds; `loaded`: whether the service's models are among them yet. */
export function routeOf(pathname: string, computations: readonly Computation[], loaded: boolean): Route {
  if (pathname === HOME_PATH) return { page: 'home' };
  if (pathname === HOW_IT_WORKS_PATH) return { page: 'how-it-works' };
  if (pathname === KEYS_PATH) return { page: 'keys' };
  if (pathname === HISTORY_PATH) return { page: 'history' };
  // Catalog ids are plain [a-z0-9-], so the path segment is compared as it is, never decoded.
  const id = /^\/computations\/([^/]+)$/.exec(pathname)?.[1];
  const computation = id === undefined ? undefined : computations.find((c) => c.id === id);
  if (computation) return { page: 'computation', computation };
  return id !== undefined && !loaded ? { page: 'loading' } : { page: 'not-found' };
}

const NAVIGATED = 'sealed-vitals:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/** Follows an in-app link without a page load; modified clicks (new tab, …) keep the browser's way. */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  const path = event.currentTarget.pathname;
  if (path === window.location.pathname) return;
  window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATED));
}
