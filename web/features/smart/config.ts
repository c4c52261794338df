/**
 * The SMART on FHIR configuration a build carries (docs/FHIR.md, "Connecting a health record"):
 * the client id the FHIR servers' authorization servers know this app by, and the issuers (FHIR base
 * URLs) it may connect to. Pure, so the Vite plugin that tells the service which origins the page may
 * connect to reads it exactly as the page does.
 */

export interface SmartConfig {
  readonly clientId: string;
  /** FHIR base URLs, without a trailing slash, as an `iss` must name them. */
  readonly issuers: readonly string[];
  /** Origins the page may fetch from: every issuer's, and authorization servers on origins of their own. */
  readonly connectOrigins: readonly string[];
  /** Whether a launch asks for write scopes, so that a result can be saved to the record (VITE_SMART_WRITE=1). */
  readonly write: boolean;
}

export interface SmartEnv {
  readonly VITE_SMART_CLIENT_ID?: string | undefined;
  readonly VITE_SMART_ISSUERS?: string | undefined;
  readonly VITE_SMART_AUTH_ORIGINS?: string | undefined;
  readonly VITE_SMART_WRITE?: string | undefined;
}

/** Read once at the edge: a bad entry stops the build instead of shipping a launch that cannot work. */
export function parseSmartConfig(env: SmartEnv): SmartConfig | undefined {
  const clientId = env.VITE_SMART_CLIENT_ID?.trim() ?? '';
  const issuers = listOf(env.VITE_SMART_ISSUERS).map(issuerOf);
  if (issuers.length === 0) return undefined;
  if (clientId === '') throw new Error('VITE_SMART_ISSUERS is set but VITE_SMART_CLIENT_ID is not.');
  const authOrigins = listOf(env.VITE_SMART_AUTH_ORIGINS).map((entry) => {
    const url = urlOf(entry, 'VITE_SMART_AUTH_ORIGINS');
    if (url.origin !== entry) throw new Error(`VITE_SMART_AUTH_ORIGINS: ${entry} is not an origin.`);
    return url.origin;
  });
  const connectOrigins = [...new Set([...issuers.map((i) => new URL(i).origin), ...authOrigins])];
  return { clientId, issuers, connectOrigins, write: writeOf(env.VITE_SMART_WRITE) };
}

/** `1` asks for write access, unset, empty or `0` does not; anything else is a mistake in the build. */
function writeOf(value: string | undefined): boolean {
  const flag = value?.trim() ?? '';
  if (flag !== '' && flag !== '0' && flag !== '1')
    throw new Error(`VITE_SMART_WRITE must be 1 (ask for write access) or 0, not ${flag}.`);
  return flag === '1';
}

/** The configured issuer an `iss` names, or undefined: compared exactly, a trailing slash aside. */
export function allowedIssuer(config: SmartConfig, iss: string): string | undefined {
  const wanted = iss.replace(/\/+$/, '');
  return config.issuers.find((issuer) => issuer === wanted);
}

function listOf(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
}

function urlOf(entry: string, variable: string): URL {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new Error(`${variable}: ${entry} is not an absolute URL.`);
  }
  // A token must not cross the network in the clear, but loopback has no network to cross.
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new Error(`${variable}: ${entry} must be https (http only on loopback).`);
  if (url.username || url.password || url.search || url.hash)
    throw new Error(`${variable}: ${entry} must not carry credentials, a query or a fragment.`);
  return url;
}

function issuerOf(entry: string): string {
  const url = urlOf(entry, 'VITE_SMART_ISSUERS');
  return url.href.replace(/\/+$/, '');
}
