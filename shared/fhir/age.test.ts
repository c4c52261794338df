/** Age from a FHIR birth date: exact on the birthday, 29 February, partial dates. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageOn, type CalendarDay } from './age.js';

const day = (year: number, month: number, d: number): CalendarDay => ({ year, month, day: d });

/** The count of whole years by stepping a calendar: the birthday of a year, 1 March for 29 February in a common year. */
function byStepping(birth: CalendarDay, on: CalendarDay): number {
  let years = 0;
  for (;;) {
    const year = birth.year + years + 1;
    const leap = new Date(Date.UTC(year, 1, 29)).getUTCMonth() === 1;
    const birthday =
      birth.month === 2 && birth.day === 29 && !leap ? day(year, 3, 1) : day(year, birth.month, birth.day);
    const reached =
      on.year > birthday.year ||
      (on.year === birthday.year &&
        (on.month > birthday.month || (on.month === birthday.month && on.day >= birthday.day)));
    if (!reached) return years;
    years += 1;
  }
}

describe('ageOn', () => {
  it('adds the year on the birthday itself, not the day after', () => {
    expect(ageOn('1960-05-15', day(2024, 5, 14))).toEqual({ years: 63 });
    expect(ageOn('1960-05-15', day(2024, 5, 15))).toEqual({ years: 64 });
    expect(ageOn('1960-12-31', day(2024, 12, 31))).toEqual({ years: 64 });
    expect(ageOn('1961-01-01', day(2024, 12, 31))).toEqual({ years: 63 });
  });

  it('takes 29 February’s birthday on 1 March in a common year', () => {
    expect(ageOn('2000-02-29', day(2023, 2, 28))).toEqual({ years: 22 });
    expect(ageOn('2000-02-29', day(2023, 3, 1))).toEqual({ years: 23 });
    expect(ageOn('2000-02-29', day(2024, 2, 28))).toEqual({ years: 23 });
    expect(ageOn('2000-02-29', day(2024, 2, 29))).toEqual({ years: 24 });
  });

  it('agrees with stepping a calendar, for any birth date and day after it', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(1900, 0, 1), max: new Date(2030, 11, 31), noInvalidDate: true }),
        fc.integer({ min: 0, max: 130 * 366 }),
        (birth, days) => {
          const b = day(birth.getFullYear(), birth.getMonth() + 1, birth.getDate());
          const later = new Date(birth.getFullYear(), birth.getMonth(), birth.getDate() + days);
          const on = day(later.getFullYear(), later.getMonth() + 1, later.getDate());
          const text = `${b.year}-${String(b.month).padStart(2, '0')}-${String(b.day).padStart(2, '0')}`;
          expect(ageOn(text, on)).toEqual({ years: byStepping(b, on) });
        },
      ),
    );
  });

  it('gives an age from a partial date only when every day it may be gives the same', () => {
    expect(ageOn('1960', day(2024, 6, 1))).toEqual({ between: [63, 64] });
    expect(ageOn('1960', day(2024, 12, 31))).toEqual({ years: 64 });
    expect(ageOn('1960-05', day(2024, 6, 1))).toEqual({ years: 64 });
    expect(ageOn('1960-06', day(2024, 6, 10))).toEqual({ between: [63, 64] });
  });

  it('refuses a date that does not exist or lies ahead', () => {
    expect(ageOn('1960-02-30', day(2024, 6, 1))).toHaveProperty('invalid');
    expect(ageOn('1960-13', day(2024, 6, 1))).toHaveProperty('invalid');
    expect(ageOn('05/15/1960', day(2024, 6, 1))).toHaveProperty('invalid');
    expect(ageOn('2024-06-02', day(2024, 6, 1))).toEqual({
      invalid: 'the birth date 2024-06-02 is after today',
    });
    expect(ageOn('2024-06-01', day(2024, 6, 1))).toEqual({ years: 0 });
  });
});
