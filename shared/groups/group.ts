/**
 * The one interface every ElGamal group implements. It is written multiplicatively
 * (`multiply`, `pow`); for ristretto255 read "add" and "scalar multiple".
 * Everything past `fromBytes` may assume a valid element: that is where validation happens, once.
 */

export const GROUP_NAMES = ['ristretto255', 'ffdhe2048', 'ffdhe3072', 'ffdhe4096'] as const;
export type GroupName = (typeof GROUP_NAMES)[number];
export type FfdheGroupName = Exclude<GroupName, 'ristretto255'>;

export function isGroupName(name: unknown): name is GroupName {
  return typeof name === 'string' && (GROUP_NAMES as readonly string[]).includes(name);
}

export interface Group<E> {
  readonly name: GroupName;
  /** Prime order of the group (q for ffdhe, ℓ for ristretto255). */
  readonly order: bigint;
  /** Fixed length of every element's encoding. */
  readonly elementBytes: number;
  readonly identity: E;
  readonly generator: E;

  /** A fresh secret exponent from the CSPRNG, never 0: private keys and encryption randomness. */
  randomSecretExponent(): bigint;
  /** generator^k; k may be secret and may be any integer (reduced modulo the order). */
  powGenerator(k: bigint): E;
  /** e^k; k may be secret and may be any integer (reduced modulo the order). */
  pow(e: E, k: bigint): E;
  /**
   * Optional: makes later pow(e, k) with secret k faster, for an element about to be raised to many
   * powers (the public key a device encrypts every input to), at a one-time cost in time and memory;
   * `exponentBits` (default: a secret exponent's) covers longer, public exponents too.
   */
  prepareBase?(e: E, exponentBits?: number): void;
  /**
   * Optional: `derived` = `base`·g^`delta` (a blinded public key, `shared/key-blinding.ts`), so later
   * pow(derived, k) may be computed as pow(base, k)·g^(k·delta) with the tables of base and g.
   */
  prepareDerivedBase?(derived: E, base: E, delta: bigint): void;
  /**
   * Optional: how many `multiply` calls cost about one `pow`. A public multiple needing more of them
   * by double-and-add is taken with `pow` instead (`publicAdditiveOps`); absent, double-and-add always.
   */
  readonly multipliesPerPow?: number;
  /**
   * Optional: Π eᵢ^kᵢ (for ristretto255, Σ kᵢ·Pᵢ) in one pass, constant-time in the kᵢ, which may be
   * secret (a prover's nonces): what a `pow` per term and their product compute, with the work shared
   * between the terms. Absent where the group has no such method (the callers then take a `pow` each).
   */
  multiPow?(terms: readonly (readonly [E, bigint])[]): E;
  multiply(a: E, b: E): E;
  invert(e: E): E;
  /**
   * Optional: every element's inverse, for public elements only (a verifier's): variable-time, and one
   * inversion for all of them (Montgomery's trick) where an inversion costs many multiplications.
   */
  invertAllVartime?(elements: readonly E[]): E[];
  equals(a: E, b: E): boolean;

  /**
   * Optional: `e`, computed by this group's operations from valid elements (a ciphertext this device
   * just made), is valid, so `fromBytes` of its bytes need not check it again (the last few are
   * remembered). Never for an element from elsewhere.
   */
  rememberValid?(e: E): void;
  /**
   * Decodes untrusted bytes and checks that they are a valid element (spec: "Groups").
   * Throws `ProtocolError` with `invalid-encoding` (wrong length) or `invalid-element`.
   */
  fromBytes(bytes: Uint8Array): E;
  toBytes(e: E): Uint8Array;
}
