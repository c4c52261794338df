/** The passphrase estimate: notorious passwords, word counting, runs and sequences, and the levels. */

import { describe, expect, test } from 'vitest';
import { MINIMUM_BITS, passphraseStrength, STRONG_BITS } from './passphrase.js';

describe('passphraseStrength', () => {
  test.each(['password', 'Password!', 'Passw0rd', 'qwerty', '123456789', 'Sealed Vitals'])(
    '%s counts as nothing',
    (notorious) => {
      expect(passphraseStrength(notorious).bits).toBe(0);
    },
  );

  test('a word of letters counts as one diceware pick, however long', () => {
    const word = passphraseStrength('antidisestablishmentarianism');
    expect(word.bits).toBe(12);
    expect(word.level).toBe('too-weak');
  });

  test('four random words are acceptable, five are strong', () => {
    const four = passphraseStrength('correct horse battery staple');
    expect(four.bits).toBe(Math.floor(4 * Math.log2(7776) + 3));
    expect(four.level).toBe('fair');
    const five = passphraseStrength('correct horse battery staple orbit');
    expect(five.bits).toBeGreaterThanOrEqual(STRONG_BITS);
    expect(five.level).toBe('strong');
  });

  test('runs and keyboard or alphabet sequences add almost nothing', () => {
    const oneDigit = Math.floor(Math.log2(10));
    const oneLetter = Math.floor(Math.log2(26));
    expect(passphraseStrength('1111111111111111').bits).toBe(oneDigit);
    expect(passphraseStrength('0123456789').bits).toBe(oneDigit);
    expect(passphraseStrength('9876543210').bits).toBe(oneDigit);
    expect(passphraseStrength('zyxwvutsrqponm').bits).toBe(oneLetter);
    expect(passphraseStrength('asdfghjkl').bits).toBe(oneLetter);
  });

  test('a word, a year and a symbol are too weak, as guessers try that shape early', () => {
    const shape = passphraseStrength('Summer2024!');
    expect(shape.bits).toBe(Math.floor(Math.log2(7776) + Math.log2(200) + Math.log2(95)));
    expect(shape.level).toBe('too-weak');
  });

  test('random characters count by their pool', () => {
    // Lower, upper, digits and symbols: log2(95) ≈ 6.57 bits a character; two-letter words are capped
    // at a diceware pick (12.9 bits).
    const random = passphraseStrength('k#9Qv!2Xm$7Z');
    expect(random.bits).toBe(Math.floor(8 * Math.log2(95) + 2 * Math.log2(7776)));
    expect(random.level).toBe('strong');
  });

  test('the levels follow the thresholds', () => {
    for (const text of ['a', 'tr0ub4dor&3', 'correct horse battery staple', 'k#9Qv!2Xm$7Z']) {
      const { bits, level } = passphraseStrength(text);
      expect(level).toBe(bits < MINIMUM_BITS ? 'too-weak' : bits < STRONG_BITS ? 'fair' : 'strong');
    }
  });
});
