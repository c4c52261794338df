/** The SMART launch's two addresses, apart from the launch code so the app shell does not load fhirclient. */

export const LAUNCH_PATH = '/smart/launch';
export const CALLBACK_PATH = '/smart/callback';

export function isSmartPath(pathname: string): boolean {
  return pathname === LAUNCH_PATH || pathname === CALLBACK_PATH;
}

export function smartPageTitle(pathname: string): string {
  return pathname === LAUNCH_PATH ? 'Opening from your health record' : 'Connecting your health record';
}
