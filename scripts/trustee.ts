/**
 * A study trustee's command (docs/STUDIES.md, "Trustees"). SECRET is the trustee's own file (mode 0600:
 * its private key, then its polynomial and its share of the joint key); DIR is the ceremony's shared
 * directory of public messages.
 *   npm run trustee -- key --secret SECRET                     a new key pair; prints the public key for the study file
 *   npm run trustee -- commit --study FILE --secret SECRET --dir DIR    round 1: commitments and their proofs
 *   npm run trustee -- share --study FILE --secret SECRET --dir DIR     round 2: a share for each other trustee, encrypted to it
 *   npm run trustee -- check --study FILE --secret SECRET --dir DIR     round 3: checks the shares received; names a cheating trustee
 *   npm run trustee -- record --study FILE --dir DIR --out FILE         the ceremony's public record, checked; prints the joint key
 *   npm run trustee -- decrypt --study FILE --secret SECRET --tally FILE --out FILE
 *                                                              this trustee's partial decryption of a tally, with proofs
 */

import {
  assembleRecord,
  checkRound,
  commitRound,
  decryptTally,
  makeTrusteeKey,
  shareRound,
} from './trustee-steps.js';

const USAGE =
  'usage: npm run trustee -- key --secret SECRET | commit|share|check --study FILE --secret SECRET --dir DIR |\n' +
  '       record --study FILE --dir DIR --out FILE | decrypt --study FILE --secret SECRET --tally FILE --out FILE';

function options(args: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i];
    const value = args[i + 1];
    if (!name?.startsWith('--') || value === undefined) throw new Error(USAGE);
    found.set(name.slice(2), value);
  }
  return found;
}

const [command, ...rest] = process.argv.slice(2);
try {
  const given = options(rest);
  const need = (name: string): string => {
    const value = given.get(name);
    if (value === undefined) throw new Error(`--${name} is missing.\n${USAGE}`);
    return value;
  };
  switch (command) {
    case 'key':
      console.log(`public key (for the study file's trustees): ${makeTrusteeKey(need('secret'))}`);
      break;
    case 'commit':
      console.log(`wrote ${commitRound(need('study'), need('secret'), need('dir'))}`);
      break;
    case 'share':
      console.log(`wrote ${shareRound(need('study'), need('secret'), need('dir'))}`);
      break;
    case 'check': {
      const { path, complaints } = checkRound(need('study'), need('secret'), need('dir'));
      console.log(`wrote ${path}`);
      for (const complaint of complaints) console.error(`complaint against ${complaint}`);
      if (complaints.length > 0) process.exitCode = 1;
      break;
    }
    case 'record':
      console.log(
        `joint key (the study file's jointKey): ${assembleRecord(need('study'), need('dir'), need('out'))}`,
      );
      break;
    case 'decrypt':
      decryptTally(need('study'), need('secret'), need('tally'), need('out'));
      console.log(`wrote ${need('out')}`);
      break;
    default:
      throw new Error(USAGE);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
