/** "What left this device": the exact bytes exchanged with the service for the last computation. */

import type { Transcript } from './run.js';

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

export function TranscriptPanel({ transcript }: { transcript: Transcript }) {
  const { group, requestBody, responseBody, status, timings } = transcript;
  return (
    <details className="transcript">
      <summary>What left this device</summary>
      <p>
        None of the values typed above is in it. The request carries your public key and one ciphertext per
        input; the answer carries ciphertexts that only this browser’s private key can open.
      </p>
      <dl className="transcript-facts">
        <dt>Group</dt>
        <dd>{group}</dd>
        <dt>Sent</dt>
        <dd>{byteCount(requestBody)}</dd>
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
        <dt>Verify, decrypt and decode</dt>
        <dd>{milliseconds(timings.decryptMs)}</dd>
      </dl>
      <h3>Request</h3>
      <pre data-testid="transcript-request">{readable(requestBody)}</pre>
      <h3>Response</h3>
      <pre data-testid="transcript-response">
        {responseBody === undefined ? '(no answer)' : readable(responseBody)}
      </pre>
    </details>
  );
}
