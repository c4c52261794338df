/**
 * SMART App Launch (authorization code with PKCE) through fhirclient, in the page's thread: the
 * standalone launch (the patient picks their record's server here) and the EHR launch (the EHR
 * opens /smart/launch with `iss` and `launch`). Only a configured issuer is ever contacted. The
 * access token stays in this page's memory (the session's `Client`); see RedirectStorage for what
 * sessionStorage holds during the redirect.
 */

import BrowserAdapterModule from 'fhirclient/lib/adapters/BrowserAdapter.js';
import type Client from 'fhirclient/lib/Client.js';
import { allowedIssuer, type SmartConfig } from './config.js';
import { CALLBACK_PATH } from './paths.js';
import { RedirectStorage } from './redirect-storage.js';
import { launchScopes } from './scopes.js';

/** The app path to come back to after the redirect (a calculator's), nothing else of the page. */
const RETURN_KEY = 'sealed-vitals:smart-return';

export class SmartLaunchError extends Error {
  override readonly name = 'SmartLaunchError';
}

/** fhirclient's files are CommonJS with `exports.default`: the bundle hands over the exports object. */
function defaultExport<T>(module: T): T {
  return (module as unknown as { default?: T }).default ?? module;
}

const BrowserAdapter = defaultExport(BrowserAdapterModule);

/**
 * fhirclient's browser adapter, given the URL to read instead of the page's. Its `authorize` lets
 * the page's query (`iss`, `fhirServiceUrl`, `patientId`, `clientId`) override the options, and a
 * `fhirServiceUrl` skips authorization altogether: a launch reads those itself, checked, and hands
 * fhirclient a URL without a query. Storage: the page's memory, sessionStorage only for the redirect.
 */
class LaunchAdapter extends BrowserAdapter {
  readonly storage = new RedirectStorage();

  constructor(private readonly url: URL) {
    super({ replaceBrowserHistory: true, fullSessionStorageSupport: true });
  }

  override getUrl(): URL {
    return this.url;
  }

  override getStorage(): RedirectStorage {
    return this.storage;
  }
}

function pageWithoutQuery(): URL {
  return new URL(window.location.pathname, window.location.origin);
}

function checkedIssuer(config: SmartConfig, iss: string | null): string {
  const issuer = iss === null ? undefined : allowedIssuer(config, iss);
  if (issuer === undefined)
    throw new SmartLaunchError(
      iss === null
        ? 'The launch named no health record server (no iss). Nothing was connected.'
        : `${iss} is not a health record server this app may connect to. Nothing was connected.`,
    );
  return issuer;
}

/** Sends the patient to their record's authorization server; resolves only if the redirect fails. */
export async function startStandaloneLaunch(
  config: SmartConfig,
  iss: string,
  returnTo: string,
): Promise<void> {
  const issuer = checkedIssuer(config, iss);
  sessionStorage.setItem(RETURN_KEY, returnTo);
  await new LaunchAdapter(pageWithoutQuery()).getSmartApi().authorize({
    iss: issuer,
    clientId: config.clientId,
    scope: launchScopes('standalone', config.write),
    redirectUri: CALLBACK_PATH,
    pkceMode: 'required',
    completeInTarget: true,
  });
}

/** /smart/launch?iss=…&launch=…: the EHR's launch, refused unless `iss` is a configured issuer. */
export async function startEhrLaunch(config: SmartConfig, query: URLSearchParams): Promise<void> {
  const issuer = checkedIssuer(config, query.get('iss'));
  const launch = query.get('launch');
  if (!launch) throw new SmartLaunchError('The EHR’s launch has no launch context. Nothing was connected.');
  sessionStorage.removeItem(RETURN_KEY);
  await new LaunchAdapter(pageWithoutQuery()).getSmartApi().authorize({
    iss: issuer,
    launch,
    clientId: config.clientId,
    scope: launchScopes('ehr', config.write),
    redirectUri: CALLBACK_PATH,
    pkceMode: 'required',
    completeInTarget: true,
  });
}

export interface CompletedLaunch {
  readonly client: Client;
  readonly issuer: string;
  readonly patientId: string;
  /** The scopes the server granted (its token response's `scope`), which may be fewer than asked for. */
  readonly grantedScope: string;
  /** Where the standalone launch began (a path of this app), if it began here. */
  readonly returnTo: string | undefined;
}

/**
 * /smart/callback: exchanges the code (with the PKCE verifier) for a token, takes `code` and
 * `state` out of the address, and empties sessionStorage of the redirect's state.
 */
export async function completeLaunch(config: SmartConfig): Promise<CompletedLaunch> {
  const adapter = new LaunchAdapter(new URL(window.location.href));
  const returnTo = sessionStorage.getItem(RETURN_KEY) ?? undefined;
  sessionStorage.removeItem(RETURN_KEY);
  try {
    const client = await adapter.getSmartApi().ready();
    const issuer = allowedIssuer(config, client.state.serverUrl);
    if (issuer === undefined)
      throw new SmartLaunchError('The launch ended at a server this app does not know.');
    const patientId = client.patient.id;
    if (!patientId)
      throw new SmartLaunchError(
        'The health record server gave no patient in context. Nothing was connected.',
      );
    return {
      client,
      issuer,
      patientId,
      grantedScope:
        typeof client.state.tokenResponse?.scope === 'string' ? client.state.tokenResponse.scope : '',
      returnTo: returnTo && /^\/(?!\/)/.test(returnTo) ? returnTo : undefined,
    };
  } catch (error) {
    // Whatever went wrong, the address keeps no code and the redirect's state does not linger.
    window.history.replaceState(null, '', CALLBACK_PATH);
    if (error instanceof SmartLaunchError) throw error;
    throw new SmartLaunchError(
      'Connecting to the health record did not complete. Nothing was connected: start again.',
    );
  } finally {
    adapter.storage.forgetRedirect();
  }
}
