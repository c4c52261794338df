/** A backup that cannot be made or opened; the message is for the patient and holds no secret. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}
