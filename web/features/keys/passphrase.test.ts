/** The passphrase estimate (zxcvbn-ts): the shapes issue 12 found misjudged, and the levels. */

import { describe, expect, test } from 'vitest';
import { loadEstimator, MINIMUM_BITS, STRONG_BITS } from './passphrase.js';

const strength = await loadEstimator();

describe('passphrase strength', () => {
  test.each([
    'password password password password',
    'the the the the',
    'password',
    'Passw0rd!',
    'qwertyuiop',
    'Sealed Vitals',
    'Summer2024!',
    '1111111111111111',
  ])('%s is too weak', (weak) => {
    expect(strength(weak).level).toBe('too-weak');
  });

  test('four random words rate above a famous password with substitutions', () => {
    const words = strength('correct horse battery staple');
    const substituted = strength('Tr0ub4dor&3');
    expect(words.bits).toBeGreaterThan(substituted.bits);
    expect(substituted.level).toBe('too-weak');
    expect(words.level).not.toBe('too-weak');
  });

  test('five random words are strong', () => {
    expect(strength('velvet orbit cactus lantern mosaic').level).toBe('strong');
  });

  test('a too-weak passphrase says why', () => {
    expect(strength('the the the the').advice).toMatch(/^Too easy to guess\. .*repeat/i);
  });

  test('the levels follow the thresholds', () => {
    for (const text of [
      'a',
      'tr0ub4dor&3',
      'correct horse battery staple',
      'k#9Qv!2Xm$7Z',
      'violin quartz',
    ]) {
      const { bits, level } = strength(text);
      expect(level).toBe(bits < MINIMUM_BITS ? 'too-weak' : bits < STRONG_BITS ? 'fair' : 'strong');
    }
  });
});
