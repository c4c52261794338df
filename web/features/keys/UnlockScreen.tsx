/**
 * In place of a page that needs the keys while they are locked or not set up yet: on first use, the
 * choice of how to protect them (a passkey, one tap; a passphrase; or, said plainly, none); later,
 * unlocking with what was chosen. Unlocking works offline: nothing here talks to the service.
 */

import { type FormEvent, useState } from 'react';
import { ConfirmDialog } from '../../app/ConfirmDialog.js';
import { useTask } from '../../app/useTask.js';
import { setUpVault, unlockWithPasskey, unlockWithPassphrase } from '../../crypto/client.js';
import type { VaultState } from '../../crypto/protocol.js';
import {
  EMPTY_PASSPHRASE,
  NewPassphrase,
  type NewPassphraseValue,
  problemWith,
  useEstimator,
} from './NewPassphrase.js';
import { createUnlockPasskey, passkeySecret, passkeysAvailable } from './passkey.js';

type Adopt = (state: VaultState) => void;

export function UnlockScreen({ vault, adopt }: { vault: VaultState; adopt: Adopt }) {
  return vault.status === 'new' ? (
    <ProtectionChoice migrating={vault.migrating} adopt={adopt} />
  ) : vault.status === 'locked' ? (
    <Unlock vault={vault} adopt={adopt} />
  ) : null;
}

/** The first-use step, also offered on the keys page of a device with no protection. */
export function ProtectionChoice({ migrating, adopt }: { migrating: boolean; adopt: Adopt }) {
  const [value, setValue] = useState<NewPassphraseValue>(EMPTY_PASSPHRASE);
  const estimate = useEstimator();
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [confirmingNone, setConfirmingNone] = useState(false);
  const withPasskey = useTask(async () => adopt(await setUpVault({ passkey: await createUnlockPasskey() })));
  const withPassphrase = useTask(async (passphrase: string) => adopt(await setUpVault({ passphrase })));
  const withNothing = useTask(async () => adopt(await setUpVault({ unprotected: true })));
  const failed = [withPasskey, withPassphrase, withNothing].find((task) => task.state.status === 'failed');

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void problemWith(value).then((found) => {
      setProblem(found);
      if (found === undefined) void withPassphrase.run(value.passphrase);
    });
  }

  return (
    <div className="unlock" data-testid="protection-choice">
      <p className="lead">
        Sealed Vitals keeps your keys and every result on this device, encrypted under a key that only you can
        unlock: someone who copies this browser’s files, or a page that gets to run on this site while they
        are locked, reads nothing.
        {migrating && ' The keys and history already on this device are moved under it; nothing is lost.'}
      </p>
      <section className="panel" aria-labelledby="passkey-heading">
        <h2 id="passkey-heading">With a passkey</h2>
        <p>
          Your phone’s or computer’s screen lock (fingerprint, face or PIN), or a security key, unlocks the
          app. Nothing is sent anywhere.
        </p>
        {passkeysAvailable() ? (
          <button
            type="button"
            onClick={() => void withPasskey.run()}
            aria-busy={withPasskey.state.status === 'running'}
          >
            Use a passkey
          </button>
        ) : (
          <p className="field-help">This browser does not offer passkeys: use a passphrase.</p>
        )}
      </section>
      <section className="panel" aria-labelledby="passphrase-heading">
        <h2 id="passphrase-heading">Or with a passphrase</h2>
        <p>You type it each time you unlock. Nobody can recover it for you, so keep it somewhere safe.</p>
        <form className="stacked-form" noValidate onSubmit={submit}>
          <input
            type="text"
            name="username"
            autoComplete="username"
            value="Sealed Vitals on this device"
            readOnly
            hidden
          />
          <NewPassphrase id="protect" value={value} onChange={setValue} estimate={estimate} />
          <div className="form-actions">
            <button type="submit" aria-busy={withPassphrase.state.status === 'running'}>
              Protect with this passphrase
            </button>
            {withPassphrase.state.status === 'running' && (
              <span className="working" role="status">
                Deriving the key from your passphrase…
              </span>
            )}
          </div>
        </form>
        {problem !== undefined && (
          <p role="alert" className="field-error">
            {problem}
          </p>
        )}
      </section>
      {failed?.state.status === 'failed' && (
        <p role="alert" className="field-error">
          {failed.state.message}
        </p>
      )}
      <p>
        <button type="button" className="link-button" onClick={() => setConfirmingNone(true)}>
          No protection on this device
        </button>
      </p>
      <ConfirmDialog
        open={confirmingNone}
        title="Keep your keys and history unprotected?"
        confirmLabel="Use no protection"
        onConfirm={() => void withNothing.run()}
        onClose={() => setConfirmingNone(false)}
      >
        <p className="warning">
          Your keys and every result would be stored so that anyone who can open this browser’s files (another
          user of this computer, a backup of it, a thief of this phone), and any script that runs on this
          site, can read them.
        </p>
        <p>You can protect them later on the Keys page.</p>
      </ConfirmDialog>
    </div>
  );
}

function Unlock({ vault, adopt }: { vault: Extract<VaultState, { status: 'locked' }>; adopt: Adopt }) {
  const [passphrase, setPassphrase] = useState('');
  const { passkey } = vault;
  const withPasskey = useTask(async () => {
    if (passkey) adopt(await unlockWithPasskey(await passkeySecret(passkey)));
  });
  const withPassphrase = useTask(async (typed: string) => adopt(await unlockWithPassphrase(typed)));
  const failed = [withPasskey, withPassphrase].find((task) => task.state.status === 'failed');

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (passphrase !== '') void withPassphrase.run(passphrase).then(() => setPassphrase(''));
  }

  return (
    <div className="unlock" data-testid="unlock">
      <p className="lead">
        Your keys and history are locked on this device. Unlock them to compute, or to read your results.
      </p>
      <section className="panel" aria-labelledby="unlock-heading">
        <h2 id="unlock-heading" className="visually-hidden">
          Unlock
        </h2>
        {passkey && (
          <p>
            <button
              type="button"
              onClick={() => void withPasskey.run()}
              aria-busy={withPasskey.state.status === 'running'}
            >
              Unlock with your passkey
            </button>
          </p>
        )}
        {vault.passphrase && (
          <form className="stacked-form" noValidate onSubmit={submit}>
            <input
              type="text"
              name="username"
              autoComplete="username"
              value="Sealed Vitals on this device"
              readOnly
              hidden
            />
            <div className="field">
              <label htmlFor="unlock-passphrase">{passkey ? 'Or your passphrase' : 'Your passphrase'}</label>
              <input
                id="unlock-passphrase"
                type="password"
                autoComplete="current-password"
                value={passphrase}
                onChange={(event) => {
                  setPassphrase(event.target.value);
                  withPassphrase.reset();
                }}
              />
            </div>
            <div className="form-actions">
              <button type="submit" aria-busy={withPassphrase.state.status === 'running'}>
                Unlock
              </button>
              {withPassphrase.state.status === 'running' && (
                <span className="working" role="status">
                  Checking…
                </span>
              )}
            </div>
          </form>
        )}
        {failed?.state.status === 'failed' && (
          <p role="alert" className="field-error">
            {failed.state.message}
          </p>
        )}
      </section>
    </div>
  );
}
