/** Dates as the app shows them, in the reader's locale. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeStyle: 'short' });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** e.g. "3 March 2026 at 10:04" */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** e.g. "3 Mar 2026" */
export function formatDate(time: number): string {
  return date.format(new Date(time));
}

/** e.g. "10:04" */
export function formatTime(moment: number): string {
  return time.format(new Date(moment));
}

/** Whether two moments fall on the same day of this device's calendar. */
export function sameDay(a: number, b: number): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

/** "1 result", "3 results"; `plural` for words that do not just take an s ("entries"). */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? singular : plural}`;
}
