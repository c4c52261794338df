/**
 * A passkey as an unlock key: WebAuthn's PRF extension (Level 3, built on CTAP2's hmac-secret) has
 * the authenticator compute a secret from the credential and a salt this app keeps; that secret,
 * never stored, unwraps the data key in the worker (web/crypto/vault.ts). Nothing is verified by a
 * server: the passkey is used only for the secret it gives, which only its authenticator can compute,
 * after its own user verification (fingerprint, face, PIN). Works offline.
 */

import { base64urlnopad } from '@scure/base';

/** The passkey cannot be used to unlock; the message says what to do instead. */
export class PasskeyError extends Error {
  override readonly name = 'PasskeyError';
}

export interface UnlockPasskey {
  readonly credentialId: string;
  readonly prfSalt: string;
  readonly prfOutput: Uint8Array<ArrayBuffer>;
}

export function passkeysAvailable(): boolean {
  return typeof PublicKeyCredential !== 'undefined' && navigator.credentials !== undefined;
}

const NO_PRF =
  'This passkey cannot unlock the app (its authenticator does not offer the PRF extension). Use a passphrase instead.';

/** Makes a passkey for this site and gets its unlock secret (one tap, or two on some authenticators). */
export async function createUnlockPasskey(): Promise<UnlockPasskey> {
  const prfSalt = crypto.getRandomValues(new Uint8Array(32));
  let credential: Credential | null;
  try {
    credential = await navigator.credentials.create({
      publicKey: {
        rp: { name: 'Sealed Vitals' },
        user: {
          id: crypto.getRandomValues(new Uint8Array(16)),
          name: 'Sealed Vitals on this device',
          displayName: 'Sealed Vitals',
        },
        challenge: crypto.getRandomValues(new Uint8Array(32)),
        pubKeyCredParams: [
          { type: 'public-key', alg: -7 },
          { type: 'public-key', alg: -257 },
        ],
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
        extensions: { prf: { eval: { first: prfSalt } } },
      },
    });
  } catch {
    throw new PasskeyError(
      'No passkey was made (it was cancelled, or this browser offers none). Try again, or use a passphrase.',
    );
  }
  if (!(credential instanceof PublicKeyCredential)) throw new PasskeyError(NO_PRF);
  const prf = credential.getClientExtensionResults().prf;
  const credentialId = base64urlnopad.encode(new Uint8Array(credential.rawId));
  const salt = base64urlnopad.encode(prfSalt);
  const first = prf?.results?.first;
  // Some authenticators give the secret only when the passkey is used, not when it is made.
  if (first) return { credentialId, prfSalt: salt, prfOutput: bytesOf(first) };
  if (prf?.enabled !== true) throw new PasskeyError(NO_PRF);
  return { credentialId, prfSalt: salt, prfOutput: await passkeySecret({ credentialId, prfSalt: salt }) };
}

/** Asks the authenticator for the unlock secret of the passkey stored with this device's protection. */
export async function passkeySecret(passkey: {
  readonly credentialId: string;
  readonly prfSalt: string;
}): Promise<Uint8Array<ArrayBuffer>> {
  let assertion: Credential | null;
  try {
    assertion = await navigator.credentials.get({
      publicKey: {
        challenge: crypto.getRandomValues(new Uint8Array(32)),
        allowCredentials: [
          { type: 'public-key', id: new Uint8Array(base64urlnopad.decode(passkey.credentialId)) },
        ],
        userVerification: 'required',
        extensions: { prf: { eval: { first: new Uint8Array(base64urlnopad.decode(passkey.prfSalt)) } } },
      },
    });
  } catch {
    throw new PasskeyError(
      'The passkey was not used (it was cancelled, or is not on this device). Try again.',
    );
  }
  const first =
    assertion instanceof PublicKeyCredential
      ? assertion.getClientExtensionResults().prf?.results?.first
      : undefined;
  if (!first) throw new PasskeyError(NO_PRF);
  return bytesOf(first);
}

function bytesOf(source: BufferSource): Uint8Array<ArrayBuffer> {
  return source instanceof ArrayBuffer
    ? new Uint8Array(source.slice(0))
    : new Uint8Array(
        source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength) as ArrayBuffer,
      );
}
