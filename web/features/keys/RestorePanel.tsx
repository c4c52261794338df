/**
 * Restores a backup file: the worker opens it with the passphrase, adds its keys and merges its
 * history entries into this device's, sealed under this device's protection. A file that does not
 * open changes nothing.
 */

import { type FormEvent, useState } from 'react';
import { count } from '../../app/format.js';
import { useTask } from '../../app/useTask.js';
import { restoreBackup } from '../../crypto/client.js';
import { MAX_BACKUP_BYTES } from '../../crypto/protocol.js';
import { BackupAccountName } from './BackupAccountName.js';

async function restore(file: File, passphrase: string) {
  if (file.size > MAX_BACKUP_BYTES) throw new Error('This file is too large to be a backup.');
  // The worker adds the keys and merges the history, sealing both under this device's protection.
  return restoreBackup(await file.text(), passphrase);
}

export function RestorePanel() {
  const [file, setFile] = useState<File | undefined>(undefined);
  const [passphrase, setPassphrase] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const restoration = useTask(restore);
  const { state } = restoration;

  // One message at a time, about what is in the form now: a new file or passphrase clears the last verdict.
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    restoration.reset();
    if (!file) setProblem('Choose the backup file first.');
    else if (passphrase === '') setProblem('Type the backup’s passphrase.');
    else {
      setProblem(undefined);
      void restoration.run(file, passphrase).then(() => setPassphrase(''));
    }
  }

  function edited() {
    setProblem(undefined);
    if (state.status !== 'running') restoration.reset();
  }

  return (
    <section className="panel" aria-labelledby="restore-heading">
      <h2 id="restore-heading">Restore from a backup</h2>
      <p>
        Adds the backup’s keys and history to this browser and uses the backup’s current keys from now on.
        Keys already here are kept (under “Older keys”), never overwritten.
      </p>
      <form className="stacked-form" noValidate onSubmit={submit}>
        <BackupAccountName />
        <div className="field">
          <label htmlFor="restore-file">Backup file</label>
          <input
            id="restore-file"
            type="file"
            accept=".json,application/json"
            onChange={(event) => {
              setFile(event.target.files?.[0]);
              edited();
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="restore-passphrase">Backup passphrase</label>
          <input
            id="restore-passphrase"
            type="password"
            autoComplete="current-password"
            value={passphrase}
            onChange={(event) => {
              setPassphrase(event.target.value);
              if (problem !== undefined) setProblem(undefined);
            }}
          />
        </div>
        <div className="form-actions">
          <button type="submit" aria-busy={state.status === 'running'}>
            Restore
          </button>
          {state.status === 'running' && (
            <span className="working" role="status">
              Opening the backup…
            </span>
          )}
        </div>
      </form>
      {problem !== undefined && (
        <p role="alert" className="field-error">
          {problem}
        </p>
      )}
      {state.status === 'done' && (
        <p role="status" className="task-done" data-testid="restore-done">
          Restored. Your keys are now <code>{state.value.keyring.current.fingerprint}</code> (
          {count(state.value.keySetsAdded, 'key set')} added);{' '}
          {count(state.value.historyAdded, 'history result')} added
          {state.value.historySkipped > 0 &&
            `, ${count(state.value.historySkipped, 'unreadable one')} skipped`}
          .
        </p>
      )}
      {state.status === 'failed' && (
        <div role="alert" className="alert">
          <p className="alert-title">The backup was not restored.</p>
          <p>{state.message} Your keys were not changed.</p>
        </div>
      )}
    </section>
  );
}
