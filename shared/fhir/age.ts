/**
 * Age in completed years from a FHIR birth date (YYYY, YYYY-MM or YYYY-MM-DD) on a calendar day: a
 * year is added on the birthday itself, not the day after; someone born on 29 February turns a year
 * older on 1 March in a common year. A partial date gives an age only when every day it may stand for
 * gives the same one.
 */

/** A day of the calendar; months 1–12. */
export interface CalendarDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const BIRTH_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

export type Age =
  | { readonly years: number }
  /** The birth date does not say enough (a year only, or a month that holds today's date). */
  | { readonly between: readonly [number, number] }
  | { readonly invalid: string };

export function calendarDay(date: Date): CalendarDay {
  return { year: date.getFullYear(), month: date.getMonth() + 1, day: date.getDate() };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Completed years from an exact birth day to `on`. */
export function completedYears(birth: CalendarDay, on: CalendarDay): number {
  const years = on.year - birth.year;
  const reached = on.month > birth.month || (on.month === birth.month && on.day >= birth.day);
  return reached ? years : years - 1;
}

export function ageOn(birthDate: string, on: CalendarDay): Age {
  const match = BIRTH_DATE.exec(birthDate);
  if (!match) return { invalid: `the birth date ${birthDate} is not a date` };
  const year = Number(match[1]);
  const month = match[2] === undefined ? undefined : Number(match[2]);
  const day = match[3] === undefined ? undefined : Number(match[3]);
  if (month !== undefined && (month < 1 || month > 12))
    return { invalid: `the birth date ${birthDate} is not a date` };
  if (month !== undefined && day !== undefined && (day < 1 || day > daysIn(year, month)))
    return { invalid: `the birth date ${birthDate} is not a date` };
  // The earliest and the latest day the date may stand for.
  const first: CalendarDay = { year, month: month ?? 1, day: day ?? 1 };
  const lastMonth = month ?? 12;
  const last: CalendarDay = { year, month: lastMonth, day: day ?? daysIn(year, lastMonth) };
  if (completedYears(first, on) < 0 || (on.year === first.year && on.month < first.month))
    return { invalid: `the birth date ${birthDate} is after today` };
  const [older, younger] = [completedYears(first, on), completedYears(last, on)];
  if (younger < 0 && older <= 0) return { years: 0 };
  return older === younger ? { years: older } : { between: [Math.max(0, younger), older] };
}
