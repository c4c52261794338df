/** "What left this device": the exact bytes exchanged with the service for the last computation. */

import type { LogEvidence } from '../../../shared/catalog-trust.js';
import type { Transcript } from '../../crypto/protocol.js';

const utf8 = new TextEncoder();

function byteCount(text: string): string {
  return `${utf8.encode(text).length.toLocaleString('en')} bytes`;
}

function milliseconds(ms: number | undefined): string {
  return ms === undefined ? '—' : `${ms.toFixed(1)} ms`;
}

/** Pretty-printed when the text is JSON; as received otherwise. */
function readable(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function TranscriptPanel({
  transcript,
  decrypted,
}: {
  transcript: Transcript;
  /** What the decrypted outputs were, in the computation's own terms (Interpretation.technical). */
  decrypted?: string | undefined;
}) {
  const { group, requestBody, responseBody, status, timings } = transcript;
  // No status and no body: the connection failed, so the prepared request never left this device.
  const notSent = status === undefined && responseBody === undefined;
  return (
    <details className="transcript">
      <summary>What left this device</summary>
      <p>
        None of the values typed above is in it. The request carries a public key made for it alone and one
        ciphertext per input; the answer carries ciphertexts that only this browser’s private key can open.
      </p>
      <dl className="transcript-facts">
        <dt>Group</dt>
        <dd>{group}</dd>
        <dt>Public key</dt>
        <dd data-testid="request-key-note">
          <code>{requestKeyStart(requestBody)}…</code>, made for this request only: derived from your keys
          with a fresh random number, so no two of your requests carry the same key and the service cannot
          tell them from two people’s.
        </dd>
        <dt>Sent</dt>
        <dd data-testid="transcript-sent">
          {notSent
            ? `nothing: the service could not be reached, so the ${byteCount(requestBody)} request below stayed on this device`
            : byteCount(requestBody)}
        </dd>
        {decrypted !== undefined && (
          <>
            <dt>Decrypted here</dt>
            <dd data-testid="transcript-decrypted">{decrypted}</dd>
          </>
        )}
        <dt>Received</dt>
        <dd>
          {responseBody === undefined
            ? 'nothing (no answer)'
            : `${byteCount(responseBody)}${status === undefined ? '' : `, HTTP ${status}`}`}
        </dd>
        <dt>Encode and encrypt</dt>
        <dd>
          {milliseconds(timings.encryptMs)}
          {timings.encryptedAhead ? ', done while the form was filled in' : ''}
        </dd>
        <dt>Network and service</dt>
        <dd>{milliseconds(timings.networkMs)}</dd>
        <dt>Proof</dt>
        <dd data-testid="transcript-proof">
          {transcript.proofBytes === undefined
            ? 'not verified: nothing was decrypted'
            : `${transcript.proofBytes.toLocaleString('en-US')} bytes, verified in ${milliseconds(timings.verifyMs)} before decrypting`}
        </dd>
        <dt>Decrypt and decode</dt>
        <dd>{milliseconds(timings.decryptMs)}</dd>
        <dt>Transparency log</dt>
        <dd data-testid="transcript-log">
          {transcript.log
            ? logSummary(transcript.log)
            : 'not needed: this computation, at this version, ships with this app'}
        </dd>
      </dl>
      {transcript.log && (
        <>
          <h3>Checkpoint checked</h3>
          <pre data-testid="transcript-checkpoint">{transcript.log.checkpoint}</pre>
          <h3>Proofs checked</h3>
          <pre data-testid="transcript-log-proofs">{logProofs(transcript.log)}</pre>
        </>
      )}
      <h3>{notSent ? 'Request (prepared, not sent)' : 'Request'}</h3>
      <pre data-testid="transcript-request">{readable(requestBody)}</pre>
      <h3>Response</h3>
      <pre data-testid="transcript-response">
        {responseBody === undefined ? '(no answer)' : readable(responseBody)}
      </pre>
    </details>
  );
}

function logSummary(log: LogEvidence): string {
  const consistency = log.consistency
    ? `, consistent with the checkpoint of ${log.consistency.from} entries this device had accepted`
    : '';
  return (
    `checked before anything was sent: an inclusion proof of entry ${log.inclusion.index} in the log's ` +
    `checkpoint of ${log.size} entries, signed by the log and cosigned by ${log.cosignedBy.join(', ')}${consistency}`
  );
}

function logProofs(log: LogEvidence): string {
  const lines = [`leaf hash (entry ${log.inclusion.index}): ${log.inclusion.leaf}`, 'inclusion proof:'];
  lines.push(...log.inclusion.proof.map((hash) => `  ${hash}`));
  if (log.consistency) {
    lines.push(`consistency proof (${log.consistency.from} → ${log.consistency.to}):`);
    lines.push(...log.consistency.proof.map((hash) => `  ${hash}`));
  }
  return lines.join('\n');
}

/** The first characters of the request's public key, to compare two requests at a glance. */
function requestKeyStart(requestBody: string): string {
  try {
    const { publicKey } = JSON.parse(requestBody) as { publicKey?: { y?: unknown } };
    return typeof publicKey?.y === 'string' ? publicKey.y.slice(0, 16) : '';
  } catch {
    return '';
  }
}
