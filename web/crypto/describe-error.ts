/** What the worker tells the page about an error: never more than is safe to show. */

import {
  DeclarationRefusedError,
  DecodeRangeError,
  ServiceResponseError,
  VerificationError,
} from '../../shared/errors.js';
import { BackupError } from './backup-error.js';
import { KeyStoreError } from './keystore.js';
import type { WorkerErrorName } from './protocol.js';
import { LockedError, UnlockError } from './vault.js';

/**
 * Only our own errors keep their message (they are written to be shown and hold no secret);
 * anything else gets a fixed one, so no library message can carry key material to the page.
 */
export function describeError(error: unknown): { errorName: WorkerErrorName; message: string } {
  if (error instanceof DeclarationRefusedError)
    return { errorName: 'DeclarationRefusedError', message: error.message };
  if (error instanceof VerificationError) return { errorName: 'VerificationError', message: error.message };
  if (error instanceof ServiceResponseError)
    return { errorName: 'ServiceResponseError', message: error.message };
  if (error instanceof DecodeRangeError) return { errorName: 'DecodeRangeError', message: error.message };
  if (error instanceof LockedError) return { errorName: 'LockedError', message: error.message };
  if (error instanceof KeyStoreError || error instanceof BackupError || error instanceof UnlockError) {
    return { errorName: 'Error', message: error.message };
  }
  return { errorName: 'Error', message: 'Encryption on this device failed. Reload the page and try again.' };
}
