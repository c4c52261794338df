import { useTask } from '../../app/useTask.js';
import { rotateKeys } from '../../crypto/client.js';

/** New current keys; the ones in use now stay under "Older keys" to read old results. */
export function RotateKeys() {
  const rotation = useTask(rotateKeys);
  return (
    <section className="panel" aria-labelledby="rotate-heading">
      <h2 id="rotate-heading">Make new keys</h2>
      <p>
        New computations will be encrypted to the new keys. The keys in use now are kept under “Older keys”,
        so results encrypted to them can still be decrypted until you delete them. Make a new backup
        afterwards: older backups do not hold the new keys.
      </p>
      <button
        type="button"
        onClick={() => void rotation.run()}
        aria-busy={rotation.state.status === 'running'}
      >
        Make new keys
      </button>
      {rotation.state.status === 'done' && (
        <p role="status" className="task-done">
          New keys made: <code>{rotation.state.value.current.fingerprint}</code>.
        </p>
      )}
      {rotation.state.status === 'failed' && (
        <p role="alert" className="field-error">
          {rotation.state.message}
        </p>
      )}
    </section>
  );
}
