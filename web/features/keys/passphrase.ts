/**
 * A rough, offline estimate of how hard a backup passphrase is to guess, for feedback while typing.
 * Conservative on purpose: runs, keyboard and alphabet sequences count as one character, a word of
 * letters as one pick from a 7,776-word diceware list (≈ 12.9 bits) whatever its length, a year as
 * one of two hundred, and a handful of notorious passwords as nothing. Attackers of a stolen backup
 * guess offline, so the bar sits well above what a login form would ask.
 */

export type StrengthLevel = 'too-weak' | 'fair' | 'strong';

export interface PassphraseStrength {
  /** Estimated bits of guessing work, rounded down. */
  readonly bits: number;
  readonly level: StrengthLevel;
  /** What to do next, in a sentence. */
  readonly advice: string;
}

/** Below this a backup is refused: four random words (≈ 51.7 bits) pass, a single word does not. */
export const MINIMUM_BITS = 45;
export const STRONG_BITS = 60;
/** The meter's scale (a fifth random word puts a passphrase past it). */
export const METER_MAX_BITS = 80;

const DICEWARE_WORD_BITS = Math.log2(7776);
/** A year (1900–2099) is one guess among about two hundred, not four random digits. */
const YEAR = /(?:19|20)\d\d/g;
const YEAR_BITS = Math.log2(200);
const NOTORIOUS = new Set([
  'password',
  'passphrase',
  'passw0rd',
  'letmein',
  'iloveyou',
  'welcome',
  'qwerty',
  'qwertyuiop',
  'admin',
  'monkey',
  'dragon',
  'football',
  'trustno1',
  'sealedvitals',
  '123456',
  '12345678',
  '123456789',
  'abc123',
]);
/** Sequences whose next character is no surprise: alphabet, digits and keyboard rows. */
const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', '0123456789', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

export function passphraseStrength(passphrase: string): PassphraseStrength {
  const bits = Math.floor(estimateBits(passphrase.normalize('NFC')));
  if (bits < MINIMUM_BITS) {
    return {
      bits,
      level: 'too-weak',
      advice: 'Too easy to guess. Use four or more random words, or a long sentence only you would write.',
    };
  }
  if (bits < STRONG_BITS) {
    return { bits, level: 'fair', advice: 'Acceptable. Another random word would make it strong.' };
  }
  return { bits, level: 'strong', advice: 'Strong.' };
}

function estimateBits(passphrase: string): number {
  const skeleton = passphrase.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  if (NOTORIOUS.has(skeleton)) return 0;
  // Words of letters separated by anything else; each separator run adds a little.
  const bitsPerCharacter = Math.log2(Math.max(characterPool(passphrase), 2));
  const tokens = passphrase.match(/\p{L}+|[^\p{L}]+/gu) ?? [];
  let bits = 0;
  for (const token of tokens) {
    if (/^\p{L}+$/u.test(token)) {
      bits += Math.min(DICEWARE_WORD_BITS, surprisingCharacters([...token]) * bitsPerCharacter);
    } else if (/^\s+$/u.test(token)) {
      bits += 1;
    } else {
      const years = token.match(YEAR)?.length ?? 0;
      bits += years * YEAR_BITS + surprisingCharacters([...token.replace(YEAR, '')]) * bitsPerCharacter;
    }
  }
  return bits;
}

/** How many characters an attacker must consider per position, from the classes used. */
function characterPool(text: string): number {
  let pool = 0;
  if (/[a-z]/.test(text)) pool += 26;
  if (/[A-Z]/.test(text)) pool += 26;
  if (/[0-9]/.test(text)) pool += 10;
  if (/[^a-zA-Z0-9\s]/.test(text)) pool += 33;
  if (/\P{ASCII}/u.test(text)) pool += 100;
  return pool;
}

/** Characters that are not a repeat or the next step of a sequence: runs and sequences count once. */
function surprisingCharacters(characters: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < characters.length; i++) {
    const previous = characters[i - 1]?.toLowerCase();
    const current = characters[i]?.toLowerCase() ?? '';
    const predictable =
      previous !== undefined &&
      (previous === current || SEQUENCES.some((sequence) => follows(sequence, previous, current)));
    if (!predictable) count += 1;
  }
  return count;
}

function follows(sequence: string, previous: string, current: string): boolean {
  const at = sequence.indexOf(previous);
  return at >= 0 && (sequence[at + 1] === current || sequence[at - 1] === current);
}
