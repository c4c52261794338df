/**
 * Makes the passphrase-protected backup file: every key set and the history, sealed in the crypto
 * worker (the passphrase goes in, the sealed file comes out; private keys never reach this page).
 */

import { type FormEvent, useState } from 'react';
import { count } from '../../app/format.js';
import { useTask } from '../../app/useTask.js';
import { makeBackup } from '../../crypto/client.js';
import { readHistory } from '../history/store.js';
import { BackupAccountName } from './BackupAccountName.js';
import {
  EMPTY_PASSPHRASE,
  NewPassphrase,
  type NewPassphraseValue,
  problemWith,
  useEstimator,
} from './NewPassphrase.js';

async function backUp(passphrase: string) {
  const { entries } = await readHistory();
  const made = await makeBackup(passphrase);
  const fileName = `sealed-vitals-backup-${new Date().toISOString().slice(0, 10)}.json`;
  saveFile(made.fileText, fileName);
  return { fileName, made, results: entries.length };
}

function saveFile(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // Some browsers read the blob after click() returns: give the download time to start.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function BackupPanel() {
  const [value, setValue] = useState<NewPassphraseValue>(EMPTY_PASSPHRASE);
  const estimate = useEstimator();
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const backup = useTask(backUp);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void problemWith(value).then((found) => {
      setProblem(found);
      if (found === undefined) void backup.run(value.passphrase).then(() => setValue(EMPTY_PASSPHRASE));
    });
  }

  return (
    <section className="panel" aria-labelledby="backup-heading">
      <h2 id="backup-heading">Back up your keys</h2>
      <p>
        The backup file holds every key set on this device and your history, encrypted with a passphrase you
        choose. Without the passphrase nobody can open it — not even you, so write it down somewhere safe,
        away from the file.
      </p>
      <form className="stacked-form" noValidate onSubmit={submit}>
        <BackupAccountName />
        <NewPassphrase id="backup" value={value} onChange={setValue} estimate={estimate} />
        <div className="form-actions">
          <button type="submit" aria-busy={backup.state.status === 'running'}>
            Download backup
          </button>
          {backup.state.status === 'running' && (
            <span className="working" role="status">
              Deriving the key from your passphrase and encrypting…
            </span>
          )}
        </div>
      </form>
      {problem !== undefined && (
        <p role="alert" className="field-error">
          {problem}
        </p>
      )}
      {backup.state.status === 'done' && (
        <p role="status" className="task-done" data-testid="backup-done">
          Saved <code>{backup.state.value.fileName}</code> with your keys and{' '}
          {count(backup.state.value.results, 'history result')}. Protected with PBKDF2-SHA256 (
          {backup.state.value.made.kdfIterations.toLocaleString('en')} rounds,{' '}
          <span data-testid="kdf-milliseconds">{Math.round(backup.state.value.made.kdfMilliseconds)}</span> ms
          on this device) and AES-256-GCM.
        </p>
      )}
      {backup.state.status === 'failed' && (
        <p role="alert" className="field-error">
          {backup.state.message}
        </p>
      )}
    </section>
  );
}
