/**
 * How hard a new passphrase is to guess, from zxcvbn-ts (Dropbox's zxcvbn, maintained in TypeScript):
 * it matches dictionaries (common passwords, English words, names, Wikipedia and TV terms), keyboard
 * patterns, repeats, sequences, dates and l33t substitutions, and estimates the guesses an attacker who
 * knows them needs. Whoever copies a backup or a profile guesses offline, so the bar sits well above a
 * login form's: 2^45 guesses at least (four random words from a large list pass, a famous password
 * with substitutions does not).
 *
 * The dictionaries are large: they load on first use (`loadEstimator`), never with the app shell.
 */

export type StrengthLevel = 'too-weak' | 'fair' | 'strong';

export interface PassphraseStrength {
  /** log2 of the estimated guesses, rounded down. */
  readonly bits: number;
  readonly level: StrengthLevel;
  /** What to do next, in a sentence or two. */
  readonly advice: string;
}

export type Estimator = (passphrase: string) => PassphraseStrength;

/** Below this a passphrase is refused. */
export const MINIMUM_BITS = 45;
export const STRONG_BITS = 60;
/** The meter's scale. */
export const METER_MAX_BITS = 80;

/** Words an attacker of this app would try first, whatever the dictionaries say. */
const SITE_WORDS = ['sealed', 'vitals', 'sealedvitals', 'sealed vitals', 'health', 'backup', 'passphrase'];

let loading: Promise<Estimator> | undefined;

export function loadEstimator(): Promise<Estimator> {
  loading ??= Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]).then(([{ ZxcvbnFactory }, common, en]) => {
    const zxcvbn = new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
    return (passphrase: string) => {
      const { guessesLog10, feedback } = zxcvbn.check(passphrase.normalize('NFC'), SITE_WORDS);
      return strengthFrom(Math.floor(guessesLog10 * Math.log2(10)), feedback.warning, feedback.suggestions);
    };
  });
  // A failed load (offline before the word lists were cached) is tried again on the next call.
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

function strengthFrom(
  bits: number,
  warning: string | null,
  suggestions: readonly string[],
): PassphraseStrength {
  const why = [warning, ...suggestions].filter((text): text is string => Boolean(text)).join(' ');
  if (bits < MINIMUM_BITS) {
    return {
      bits,
      level: 'too-weak',
      advice: `Too easy to guess. ${why || 'Use four or more random words, or a long sentence only you would write.'}`,
    };
  }
  if (bits < STRONG_BITS) {
    return {
      bits,
      level: 'fair',
      advice: `Acceptable. ${why || 'Another random word would make it strong.'}`,
    };
  }
  return { bits, level: 'strong', advice: 'Strong.' };
}
