/**
 * Serves the built web app (Vite's `dist/web`) next to the API: content-hashed files under `/assets/`
 * are cached for good, everything else is revalidated, and any other page path gets `index.html` so
 * the app's client-side routes survive a reload.
 */

import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { sendNotFoundProblem } from './problem-details.js';

export interface SpaOptions {
  /** The folder holding `index.html` and `assets/`. */
  readonly root: string;
}

const ASSETS_PREFIX = '/assets/';
/** A changed asset gets a new name (Vite puts a content hash in it), so a cached one never goes stale. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The page and unhashed files may change with any deploy: the browser must revalidate them. */
const REVALIDATE = 'no-cache';

/**
 * The page's Content-Security-Policy: scripts, styles, the crypto worker and every request from this
 * origin only, nothing inline, no eval, no framing (e2e/csp.test.ts runs the app under it). A script
 * injected into the page could read the patient's keys, so this is the last line of defence.
 */
function pagePolicy(smartOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    // The web app manifest (installable PWA); without it default-src 'none' blocks the manifest.
    "manifest-src 'self'",
    // A build set up for SMART on FHIR fetches its configured FHIR servers from the page, and no other.
    ["connect-src 'self'", ...smartOrigins].join(' '),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The origins a build's SMART configuration names (`smart-origins.json`, written by
 * web/features/smart/connect-origins-plugin.ts), each checked to be a bare http(s) origin so the file
 * cannot add anything else to the policy.
 */
function smartOriginsOf(root: string): readonly string[] {
  let text: string;
  try {
    text = readFileSync(join(root, 'smart-origins.json'), 'utf8');
  } catch {
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${root}/smart-origins.json is not JSON: rebuild the web app (npm run build:web).`);
  }
  const connect =
    typeof parsed === 'object' && parsed !== null && 'connect' in parsed ? parsed.connect : undefined;
  if (!Array.isArray(connect)) throw new Error(`${root}/smart-origins.json has no "connect" list.`);
  return connect.map((entry: unknown) => {
    const origin = typeof entry === 'string' && URL.canParse(entry) ? new URL(entry).origin : '';
    if (origin !== entry || !/^https?:\/\//.test(origin))
      throw new Error(`${root}/smart-origins.json: ${String(entry)} is not an http(s) origin.`);
    return origin;
  });
}

/**
 * The scripts' own policy. A worker does not inherit the page's: it runs under the policy delivered
 * with its script (CSP Level 3, "Initialize a worker's policy container"), so without one the crypto
 * worker — the code holding the keys — could load and connect anywhere. Scripts from this origin
 * only, 'wasm-unsafe-eval' to compile libsodium's WebAssembly (ristretto255 and Argon2id; it allows
 * no eval), requests to this origin only. Browsers ignore a policy on a script loaded by a page.
 */
const SCRIPT_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A GET for a page of the app: not the API, and not a (missing) build asset, which must stay a 404. */
function isAppPage(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?', 1)[0] ?? '';
  return !(path === '/api' || path.startsWith('/api/') || path.startsWith(ASSETS_PREFIX));
}

const spaPlugin: FastifyPluginAsync<SpaOptions> = async (app, { root }) => {
  const assetsDir = `assets${sep}`;
  const pagePolicyOfBuild = pagePolicy(smartOriginsOf(root));
  await app.register(fastifyStatic, {
    root,
    // One route per built file, listed at startup: every other URL reaches the fallback below.
    wildcard: false,
    cacheControl: false,
    acceptRanges: false,
    setHeaders: (reply, path) => {
      reply.header('cache-control', relative(root, path).startsWith(assetsDir) ? IMMUTABLE : REVALIDATE);
      reply.header('x-content-type-options', 'nosniff');
      if (path.endsWith('.html')) {
        reply.header('content-security-policy', pagePolicyOfBuild);
        // Page URLs name the computation a patient uses: no need to tell other sites.
        reply.header('referrer-policy', 'no-referrer');
      } else if (path.endsWith('.js')) {
        reply.header('content-security-policy', SCRIPT_POLICY);
      }
    },
  });
  app.setNotFoundHandler((request, reply) =>
    isAppPage(request) ? reply.sendFile('index.html') : sendNotFoundProblem(request, reply),
  );
};

/** Not encapsulated: the fallback is the application's one not-found handler. */
export const spa = fp(spaPlugin, { name: 'sealed-vitals-spa' });
