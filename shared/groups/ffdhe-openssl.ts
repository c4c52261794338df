/**
 * The ffdhe groups with e^k done by OpenSSL (through node:crypto's Diffie–Hellman: computeSecret(e)
 * with private key k is e^k mod p): Montgomery arithmetic in C instead of BigInt square-and-multiply
 * (docs/PERFORMANCE.md), and constant-time in k (OpenSSL's BN_mod_exp_mont_consttime for DH private
 * keys). Everything else is the BigInt group's (g^k from its fixed-base table is faster still). Node
 * only: the service uses it.
 */

import { createDiffieHellman } from 'node:crypto';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { createFfdheGroup, type FfdheGroup } from './ffdhe.js';
import type { FfdheGroupName } from './group.js';

export function createOpensslFfdheGroup(name: FfdheGroupName): FfdheGroup {
  const group = createFfdheGroup(name);
  const { p, order: q, elementBytes } = group;
  const dh = createDiffieHellman(Buffer.from(numberToBytesBE(p, elementBytes)), Buffer.from([2]));
  const pow = (e: bigint, k: bigint): bigint => {
    const exponent = ((k % q) + q) % q;
    // OpenSSL refuses the public values 1 and p − 1 (and e^0 needs no work): those stay in BigInt.
    if (exponent === 0n || e === 1n) return group.pow(e, exponent);
    dh.setPrivateKey(Buffer.from(numberToBytesBE(exponent, Math.ceil(exponent.toString(16).length / 2))));
    return bytesToNumberBE(dh.computeSecret(Buffer.from(numberToBytesBE(e, elementBytes))));
  };
  return { ...group, pow };
}

const groups = new Map<FfdheGroupName, FfdheGroup>();

/** One instance per group, like `ffdheGroup` (the fixed-base table is built once). */
export function opensslFfdheGroup(name: FfdheGroupName): FfdheGroup {
  let group = groups.get(name);
  if (!group) {
    group = createOpensslFfdheGroup(name);
    groups.set(name, group);
  }
  return group;
}
