/** Lets a password manager file the backup passphrase under a name that says what it opens. */
export function BackupAccountName() {
  return (
    <input type="text" name="username" autoComplete="username" value="Sealed Vitals backup" readOnly hidden />
  );
}
