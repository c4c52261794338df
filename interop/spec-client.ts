/**
 * A client of the Sealed Vitals wire protocol v1, written from the normative spec
 * (protocol-v1.md) and public references only — it deliberately shares no code with shared/,
 * server/ or web/, so that interop tests prove the spec alone is enough to talk to the service.
 * It is a test client: BigInt arithmetic is not constant time, which is fine for test keys.
 */
import { invert, pow } from '@noble/curves/abstract/modular.js';
import { ristretto255 } from '@noble/curves/ed25519.js';

// ─── Bytes in JSON: base64url without padding (RFC 4648 §5) ─────────────────────────────────

const BASE64URL_ALPHABET = /^[A-Za-z0-9_-]*$/;

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Strict: rejects padding, foreign characters and non-canonical trailing bits (RFC 4648 §3.5). */
export function fromBase64Url(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64url');
  // Node's decoder is lenient, so a round trip is what proves the text was canonical.
  if (!BASE64URL_ALPHABET.test(text) || toBase64Url(bytes) !== text) {
    throw new Error('not canonical unpadded base64url');
  }
  return new Uint8Array(bytes);
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function bigIntToBytes(value: bigint, length: number): Uint8Array {
  return new Uint8Array(Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex'));
}

// ─── Wire types (spec "Keys and ciphertexts", "HTTP API") ─────────────────────────────────────

export type GroupName = 'ristretto255' | 'ffdhe3072';

export interface PublicKeyJson {
  group: string;
  y: string;
}

export interface CiphertextJson {
  a: string;
  b: string;
}

export interface EvaluateRequestJson {
  publicKey: PublicKeyJson;
  inputs: Record<string, CiphertextJson>;
}

export interface EvaluateResponseJson {
  computation: string;
  version: number;
  outputs: Record<string, CiphertextJson>;
}

/** Inclusive integer bounds of an encoded plaintext, as the catalog declares them. */
export interface PlaintextRange {
  min: bigint;
  max: bigint;
}

// ─── Groups, each with the plaintext encoding the spec attaches to it ─────────────────────────

/** A prime-order group written multiplicatively (for ristretto255 read "add" and "scalar multiple"). */
export interface SpecGroup<E> {
  readonly name: GroupName;
  readonly order: bigint;
  readonly identity: E;
  readonly generator: E;
  multiply(left: E, right: E): E;
  inverse(element: E): E;
  power(base: E, exponent: bigint): E;
  equals(left: E, right: E): boolean;
  toBytes(element: E): Uint8Array;
  /** Decodes and validates (spec "Groups", column "valid element"); throws otherwise. */
  fromBytes(bytes: Uint8Array): E;
  encodePlaintext(plaintext: bigint): E;
  /** Throws when the plaintext is outside the range; the message never contains the value. */
  decodePlaintext(element: E, range: PlaintextRange): bigint;
}

/** RFC 7919 Appendix A.2 ffdhe3072 prime, copied from the reference ffdhe-groups.json. */
const FFDHE3072_P = BigInt(
  '0x' +
    'FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B4238611FCFDCDE355B3B6519035BBC34F4DEF99C023861B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91CAEFE130985139270B4130C93BC437944F4FD4452E2D74DD364F2E21E71F54BFF5CAE82AB9C9DF69EE86D2BC522363A0DABC521979B0DEADA1DBF9A42D5C4484E0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B66C62E37FFFFFFFFFFFFFFFF',
);
const FFDHE3072_BYTES = 384;

function ffdheGroup(name: GroupName, p: bigint, elementBytes: number): SpecGroup<bigint> {
  // p is a safe prime, so the quadratic residues form the subgroup of prime order q = (p-1)/2.
  const q = (p - 1n) / 2n;
  const isInSubgroup = (value: bigint): boolean => pow(value, q, p) === 1n;
  return {
    name,
    order: q,
    identity: 1n,
    generator: 2n,
    multiply: (left, right) => (left * right) % p,
    inverse: (element) => invert(element, p),
    power: (base, exponent) => pow(base, exponent, p),
    equals: (left, right) => left === right,
    toBytes: (element) => bigIntToBytes(element, elementBytes),
    fromBytes(bytes) {
      if (bytes.length !== elementBytes) throw new Error(`${name} element must be ${elementBytes} bytes`);
      const value = bytesToBigInt(bytes);
      if (!(value > 1n && value < p - 1n && isInSubgroup(value))) {
        throw new Error(`not an element of the ${name} prime-order subgroup`);
      }
      return value;
    },
    encodePlaintext(plaintext) {
      if (plaintext < 1n || plaintext > q) throw new Error('multiplicative plaintext must be in [1, q]');
      // Exactly one of m and p − m is a quadratic residue (−1 is a non-residue since p ≡ 3 mod 4).
      return isInSubgroup(plaintext) ? plaintext : p - plaintext;
    },
    decodePlaintext(element, range) {
      // dec(M) = min(M, p − M); Math.min does not take bigints.
      const plaintext = element * 2n < p ? element : p - element;
      if (plaintext < range.min || plaintext > range.max) {
        throw new Error(`decrypted value is outside the declared range [${range.min}, ${range.max}]`);
      }
      return plaintext;
    },
  };
}

export const ffdhe3072Group: SpecGroup<bigint> = ffdheGroup('ffdhe3072', FFDHE3072_P, FFDHE3072_BYTES);

type RistrettoPoint = InstanceType<typeof ristretto255.Point>;
const { Point } = ristretto255;
/** Longest output range the linear discrete-log search below is willing to walk. */
const MAX_ADDITIVE_SEARCH = 1n << 20n;

function ristrettoMultiple(point: RistrettoPoint, scalar: bigint, order: bigint): RistrettoPoint {
  const reduced = ((scalar % order) + order) % order;
  // noble's constant-time multiply refuses 0, which is a legitimate plaintext (score 0).
  return reduced === 0n ? Point.ZERO : point.multiply(reduced);
}

export const ristretto255Group: SpecGroup<RistrettoPoint> = {
  name: 'ristretto255',
  order: Point.Fn.ORDER,
  identity: Point.ZERO,
  generator: Point.BASE,
  multiply: (left, right) => left.add(right),
  inverse: (element) => element.negate(),
  power: (base, exponent) => ristrettoMultiple(base, exponent, Point.Fn.ORDER),
  equals: (left, right) => left.equals(right),
  toBytes: (element) => element.toBytes(),
  // RFC 9496 §4.3.1: noble's decoder rejects non-canonical and invalid encodings.
  fromBytes: (bytes) => Point.fromBytes(bytes),
  encodePlaintext: (plaintext) => ristrettoMultiple(Point.BASE, plaintext, Point.Fn.ORDER),
  decodePlaintext(element, range) {
    if (range.max - range.min >= MAX_ADDITIVE_SEARCH) throw new Error('output range too wide to search');
    // The spec's outputs span a handful of values, so walking the range beats building BSGS tables.
    let candidate = ristrettoMultiple(Point.BASE, range.min, Point.Fn.ORDER);
    for (let plaintext = range.min; plaintext <= range.max; plaintext++) {
      if (candidate.equals(element)) return plaintext;
      candidate = candidate.add(Point.BASE);
    }
    throw new Error(`decrypted value is outside the declared range [${range.min}, ${range.max}]`);
  },
};

// ─── ElGamal (spec "Keys and ciphertexts") ────────────────────────────────────────────────────

export interface SpecKeyPair {
  readonly publicKey: PublicKeyJson;
  readonly privateKey: bigint;
}

/** Uniform in [1, order − 1]; 64 surplus random bits make the modulo bias negligible (FIPS 186-5 A.2.1). */
function randomExponent(order: bigint): bigint {
  const byteLength = Math.ceil(order.toString(16).length / 2) + 8;
  const bytes = crypto.getRandomValues(new Uint8Array(byteLength));
  return (bytesToBigInt(bytes) % (order - 1n)) + 1n;
}

export function elementToWire<E>(group: SpecGroup<E>, element: E): string {
  return toBase64Url(group.toBytes(element));
}

export function elementFromWire<E>(group: SpecGroup<E>, text: string): E {
  return group.fromBytes(fromBase64Url(text));
}

/** For reproducing published vectors; a real key comes from generateKeyPair. */
export function keyPairFromPrivateKey<E>(group: SpecGroup<E>, privateKey: bigint): SpecKeyPair {
  if (privateKey <= 0n || privateKey >= group.order) throw new Error('private key must be in [1, order − 1]');
  const y = group.power(group.generator, privateKey);
  return { publicKey: { group: group.name, y: elementToWire(group, y) }, privateKey };
}

export function generateKeyPair<E>(group: SpecGroup<E>): SpecKeyPair {
  return keyPairFromPrivateKey(group, randomExponent(group.order));
}

/** `randomness` (r) is for reproducing published vectors; a real encryption leaves it out. */
export function encrypt<E>(
  group: SpecGroup<E>,
  publicKey: PublicKeyJson,
  plaintext: bigint,
  randomness?: bigint,
): CiphertextJson {
  if (publicKey.group !== group.name) throw new Error('public key is for another group');
  const y = elementFromWire(group, publicKey.y);
  if (group.equals(y, group.identity)) throw new Error('public key y is the identity');
  const r = randomness ?? randomExponent(group.order);
  const a = group.power(group.generator, r);
  const b = group.multiply(group.encodePlaintext(plaintext), group.power(y, r));
  return { a: elementToWire(group, a), b: elementToWire(group, b) };
}

/** M = b · a^(−x), the encoded plaintext, before any decoding. */
export function decryptElement<E>(group: SpecGroup<E>, keyPair: SpecKeyPair, ciphertext: CiphertextJson): E {
  const a = elementFromWire(group, ciphertext.a);
  const b = elementFromWire(group, ciphertext.b);
  if (group.equals(a, group.identity)) throw new Error('ciphertext component a is the identity');
  // a has prime order, so a^(order − x) = a^(−x).
  return group.multiply(b, group.power(a, group.order - keyPair.privateKey));
}

export function decrypt<E>(
  group: SpecGroup<E>,
  keyPair: SpecKeyPair,
  ciphertext: CiphertextJson,
  range: PlaintextRange,
): bigint {
  return group.decodePlaintext(decryptElement(group, keyPair, ciphertext), range);
}

// ─── Catalog (spec "HTTP API": GET /api/v1/computations) ──────────────────────────────────────

export interface CatalogInput {
  name: string;
  label: string;
  unit: string;
  min: number;
  max: number;
}

export interface CatalogOutput {
  name: string;
  min: number;
  max: number;
}

export interface CatalogComputation {
  id: string;
  version: number;
  title: string;
  description: string;
  group: string;
  inputs: CatalogInput[];
  outputs: CatalogOutput[];
  /** Not in the spec: constants the service publishes for interpreting outputs. A client may ignore it. */
  parameters?: Record<string, number>;
}

function rangeOf(bounds: { min: number; max: number }): PlaintextRange {
  return { min: BigInt(bounds.min), max: BigInt(bounds.max) };
}

/** Decrypts every declared output, after checking the response names exactly those outputs. */
export function decryptOutputs<E>(
  group: SpecGroup<E>,
  keyPair: SpecKeyPair,
  computation: CatalogComputation,
  response: EvaluateResponseJson,
): Record<string, bigint> {
  if (computation.group !== group.name || keyPair.publicKey.group !== group.name) {
    throw new Error(`${computation.id} is computed in ${computation.group}, not ${group.name}`);
  }
  const declared = computation.outputs.map((output) => output.name).sort();
  if (JSON.stringify(Object.keys(response.outputs).sort()) !== JSON.stringify(declared)) {
    throw new Error(`response outputs differ from the declared outputs of ${computation.id}`);
  }
  const plaintexts: Record<string, bigint> = {};
  for (const output of computation.outputs) {
    const ciphertext = response.outputs[output.name];
    if (ciphertext === undefined) throw new Error(`response lacks output ${output.name}`);
    plaintexts[output.name] = decrypt(group, keyPair, ciphertext, rangeOf(output));
  }
  return plaintexts;
}

// ─── The two computations every implementation must offer (spec, last section) ────────────────

function encryptInputs<E>(
  group: SpecGroup<E>,
  keyPair: SpecKeyPair,
  plaintexts: Record<string, bigint>,
): EvaluateRequestJson {
  const inputs: Record<string, CiphertextJson> = {};
  for (const [name, plaintext] of Object.entries(plaintexts)) {
    inputs[name] = encrypt(group, keyPair.publicKey, plaintext);
  }
  return { publicKey: keyPair.publicKey, inputs };
}

function requireIntegerIn(name: string, value: bigint, min: bigint, max: bigint): void {
  if (value < min || value > max) throw new Error(`${name} must be an integer in [${min}, ${max}]`);
}

export interface BmiInputs {
  /** Body weight in units of 0.1 kg, [10, 6500]. */
  weight: bigint;
  /** Height in mm, [300, 2800]. */
  height: bigint;
}

export function buildBmiRequest(keyPair: SpecKeyPair, inputs: BmiInputs): EvaluateRequestJson {
  requireIntegerIn('weight', inputs.weight, 10n, 6500n);
  requireIntegerIn('height', inputs.height, 300n, 2800n);
  return encryptInputs(ffdhe3072Group, keyPair, { weight: inputs.weight, height: inputs.height });
}

/** BMI in kg/m²: numerator = weight[0.1 kg]·100000 and denominator = height[mm]², per the spec. */
export function bmiFromOutputs(outputs: Record<string, bigint>): number {
  const { numerator, denominator } = outputs;
  if (numerator === undefined || denominator === undefined) throw new Error('bmi outputs are incomplete');
  return Number(numerator) / Number(denominator);
}

export const CHA2DS2_VASC_FACTORS = [
  'chf',
  'hypertension',
  'age65to74',
  'age75plus',
  'diabetes',
  'stroke',
  'vascular',
  'female',
] as const;

export type Cha2ds2VascFactor = (typeof CHA2DS2_VASC_FACTORS)[number];
export type Cha2ds2VascInputs = Record<Cha2ds2VascFactor, 0n | 1n>;

export function buildCha2ds2VascRequest(
  keyPair: SpecKeyPair,
  inputs: Cha2ds2VascInputs,
): EvaluateRequestJson {
  for (const factor of CHA2DS2_VASC_FACTORS) requireIntegerIn(factor, inputs[factor], 0n, 1n);
  // The spec calls the inputs independent 0/1 values, yet its output range [0, 9] holds only
  // because the two age bands exclude each other (as they do clinically): both set would score 10.
  if (inputs.age65to74 === 1n && inputs.age75plus === 1n) {
    throw new Error('age65to74 and age75plus exclude each other');
  }
  return encryptInputs(ristretto255Group, keyPair, inputs);
}
