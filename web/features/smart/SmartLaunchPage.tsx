/**
 * The two addresses of a SMART launch: /smart/launch (an EHR opens the app with `iss` and `launch`)
 * and /smart/callback (the authorization server sends the patient back with a code). Either way the
 * page says what happens and, on failure, why; nothing of the launch stays in the address.
 */

import { useEffect, useState } from 'react';
import { SMART_CONFIG } from './build-config.js';
import type { SmartConfig } from './config.js';
import { completeLaunch, SmartLaunchError, startEhrLaunch } from './launch.js';
import { LAUNCH_PATH } from './paths.js';
import { smartSessions } from './session.js';

type Outcome =
  | { readonly kind: 'working' }
  | { readonly kind: 'connected'; readonly issuer: string }
  | { readonly kind: 'failed'; readonly message: string };

/** Once per page load: React may run an effect twice, a code can be exchanged only once. */
let running: Promise<Outcome> | undefined;

async function run(config: SmartConfig | undefined, pathname: string): Promise<Outcome> {
  try {
    if (!config) throw new SmartLaunchError('This app is not set up to connect to a health record server.');
    if (pathname === LAUNCH_PATH) {
      const query = new URLSearchParams(window.location.search);
      window.history.replaceState(null, '', LAUNCH_PATH);
      await startEhrLaunch(config, query);
      return { kind: 'working' };
    }
    const launch = await completeLaunch(config);
    smartSessions.set({
      client: launch.client,
      issuer: launch.issuer,
      patientId: launch.patientId,
      grantedScope: launch.grantedScope,
    });
    if (launch.returnTo) {
      window.history.replaceState(null, '', launch.returnTo);
      window.dispatchEvent(new PopStateEvent('popstate'));
    }
    return { kind: 'connected', issuer: launch.issuer };
  } catch (error) {
    const message =
      error instanceof SmartLaunchError
        ? error.message
        : 'The health record server could not be reached. Nothing was connected.';
    return { kind: 'failed', message };
  }
}

export function SmartLaunchPage({ pathname }: { pathname: string }) {
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'working' });

  useEffect(() => {
    running ??= run(SMART_CONFIG, pathname);
    let current = true;
    void running.then((o) => {
      if (current) setOutcome(o);
    });
    return () => {
      current = false;
    };
  }, [pathname]);

  if (outcome.kind === 'failed')
    return (
      <div className="alert" role="alert">
        <p className="alert-title">Your health record was not connected</p>
        <p>{outcome.message}</p>
      </div>
    );
  return (
    <div role="status">
      {outcome.kind === 'working' ? (
        <p className="lead">Connecting to your health record…</p>
      ) : (
        <p className="lead">
          Connected to your health record at {new URL(outcome.issuer).host}. Open a calculator and choose
          “Fill from your health record (connected)”: you see every value before it fills the form.
        </p>
      )}
    </div>
  );
}
