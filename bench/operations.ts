/**
 * Per operation, per group and per backend: what each step of a computation costs. ristretto255 has
 * three backends: noble (the browser's), libsodium in C through the native addon (the service's where
 * it is built) and libsodium WASM (the service's otherwise); ffdhe is BigInt arithmetic.
 */

import {
  combine,
  decryptElement,
  encryptElement,
  generateKeyPair,
  invertCiphertext,
  rerandomize,
  scale,
  shift,
} from '../shared/elgamal.js';
import { GROUP_NAMES, type GroupName, ristretto255Group } from '../shared/groups/index.js';
import { ristretto255NativeGroup } from '../shared/groups/ristretto255-native.js';
import { ristretto255SodiumGroup, type SodiumRistrettoGroup } from '../shared/groups/ristretto255-sodium.js';
import { publicAdditiveOps } from '../shared/homomorphic.js';
import { withScheme } from '../shared/scheme.js';
import { measure, type Timing } from './measure.js';

export interface OperationResult {
  readonly group: GroupName;
  readonly backend: string;
  readonly operation: string;
  readonly timing: Timing;
}

/** A 13-bit result, as wide as CHA₂DS₂-VASc's and BMI's: the decode cost of a typical output. */
const SAMPLE_RANGE = { min: 0n, max: 8191n };

export function benchOperations(): OperationResult[] {
  return GROUP_NAMES.flatMap((groupName) =>
    withScheme(groupName, ({ group, encode, decode }) => {
      const { x, y } = generateKeyPair(group);
      const message = encode(4321n);
      const ciphertext = encryptElement(group, y, message);
      const other = encryptElement(group, y, encode(17n));
      const bytes = group.toBytes(ciphertext.a);
      const secretWeight = group.randomSecretExponent();
      const rows: [string, () => unknown][] = [
        ['keygen', () => generateKeyPair(group)],
        ['encode', () => encode(4321n)],
        ['encrypt (element)', () => encryptElement(group, y, message)],
        ['decrypt + decode', () => decode(decryptElement(group, x, ciphertext), SAMPLE_RANGE)],
        ['fromBytes (decode + validate)', () => group.fromBytes(bytes)],
        ['toBytes', () => group.toBytes(ciphertext.a)],
        ['combine (E·E)', () => combine(group, ciphertext, other)],
        ['scale by a secret weight (constant-time)', () => scale(group, ciphertext, secretWeight)],
        ['scale by 2', () => scale(group, ciphertext, 2n)],
        ['shift (by a public element)', () => shift(group, ciphertext, message)],
        ['invert', () => invertCiphertext(group, ciphertext)],
        ['re-randomize', () => rerandomize(group, y, ciphertext)],
      ];
      const backend = groupName === 'ristretto255' ? 'noble' : 'BigInt';
      return rows.map(([operation, run]) => ({ group: groupName, backend, operation, timing: measure(run) }));
    }),
  ).concat(
    publicWeightRows(),
    ristretto255NativeGroup ? sodiumRows(ristretto255NativeGroup, 'libsodium (C, native addon)') : [],
    sodiumRows(ristretto255SodiumGroup, 'libsodium (WASM)'),
  );
}

/** The service's ristretto255 backends: the same operations on libsodium. */
function sodiumRows(group: SodiumRistrettoGroup, backend: string): OperationResult[] {
  const { y } = generateKeyPair(group);
  const message = group.powGenerator(4321n);
  const ciphertext = encryptElement(group, y, message);
  const other = encryptElement(group, y, group.powGenerator(17n));
  const bytes = group.toBytes(ciphertext.a);
  const secretWeight = group.randomSecretExponent();
  const ops = publicAdditiveOps(group);
  const rows: [string, () => unknown][] = [
    ['keygen', () => generateKeyPair(group)],
    ['encode', () => group.powGenerator(4321n)],
    ['encrypt (element)', () => encryptElement(group, y, message)],
    ['fromBytes (decode + validate)', () => group.fromBytes(bytes)],
    ['combine (E·E)', () => combine(group, ciphertext, other)],
    ['scale by a secret weight (constant-time)', () => scale(group, ciphertext, secretWeight)],
    ['re-randomize', () => rerandomize(group, y, ciphertext)],
    ['multiply by public weight 2 (variable-time)', () => ops.multiplyByInteger(ciphertext, 2n)],
  ];
  return rows.map(([operation, run]) => ({
    group: 'ristretto255',
    backend,
    operation,
    timing: measure(run),
  }));
}

/** The catalog's public weights on ristretto255 take the variable-time path (`publicAdditiveOps`). */
function publicWeightRows(): OperationResult[] {
  const group = ristretto255Group;
  const ops = publicAdditiveOps(group);
  const { y } = generateKeyPair(group);
  const ciphertext = encryptElement(group, y, group.generator);
  return [1n, 2n, -1n, 1000n].map((weight) => ({
    group: 'ristretto255',
    backend: 'noble',
    operation: `multiply by public weight ${weight} (variable-time)`,
    timing: measure(() => ops.multiplyByInteger(ciphertext, weight)),
  }));
}
