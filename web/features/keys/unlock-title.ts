/** The unlock screen's title, which the layout shows before the screen's own chunk has loaded. */
export function unlockTitle(vault: { readonly status: string }): string {
  return vault.status === 'new' ? 'Protect your keys and history' : 'Unlock your keys and history';
}
