/**
 * The schemes a user would otherwise pick, written to the same `AdditiveOps` / `MultiplicativeOps`
 * interfaces our computations are written in, so each peer runs the very same `evaluate` code:
 * - Paillier-3072 (`paillier-bigint`, 128-bit security): additive only;
 * - BFV (`node-seal` 6.x, Microsoft SEAL, 128-bit security): additive, and multiplicative with
 *   relinearization keys;
 * - the original demo's scheme, multiplicative ElGamal modulo a 512-bit safe prime (historical row:
 *   ~50-bit security today).
 * Each encrypts one ciphertext per input, as we do; wire encodings are base64 (bigint bytes, or SEAL's
 * own `save()` format, zstd-compressed by default).
 */

import { invert, pow as modPow } from '@noble/curves/abstract/modular.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import SEAL from 'node-seal/allows_wasm_node_umd.js';
import * as paillier from 'paillier-bigint';
import type {
  AdditiveOps,
  Ciphertexts,
  MultiplicativeOps,
  Plaintexts,
} from '../shared/computations/computation.js';
import type { Ciphertext } from '../shared/elgamal.js';
import { jacobiSymbol } from '../shared/groups/ffdhe.js';
import { randomBelow } from '../shared/random.js';

/** One peer scheme with its keys made: what the client and the service each run. */
export interface PeerScheme<C> {
  readonly name: string;
  /** Bytes the service needs once per patient besides the public key (BFV relinearization keys). */
  readonly evaluationKeyBytes?: number;
  /** Client: the public key as sent with every request. */
  readonly publicKeyWire: string;
  /** Client: encrypt and serialize one input. */
  encryptToWire(m: bigint): string;
  /** Client: parse, decrypt and decode one output. */
  decryptFromWire(text: string): bigint;
  /** Service: parse the request's public key and ciphertexts, then evaluate with these ops. */
  service(publicKeyWire: string): PeerService<C>;
}

/** A peer's operations on its own (one-part) ciphertexts. */
export interface PeerAdditiveOps<C> {
  add(c1: C, c2: C): C;
  subtract(c1: C, c2: C): C;
  multiplyByInteger(c: C, k: bigint): C;
  addConstant(c: C, k: bigint): C;
}
export interface PeerMultiplicativeOps<C> {
  multiply(c1: C, c2: C): C;
  power(c: C, exponent: bigint): C;
  multiplyByConstant(c: C, k: bigint): C;
}

export interface PeerService<C> {
  fromWire(text: string): C;
  toWire(c: C): string;
  readonly additive?: PeerAdditiveOps<C>;
  readonly multiplicative?: PeerMultiplicativeOps<C>;
  /** Frees what the evaluation allocated outside the JS heap (SEAL's WASM memory). */
  release(): void;
}

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
const mod = (k: bigint, n: bigint) => ((k % n) + n) % n;

/**
 * Our computations are written against `Ciphertext<E> = {a, b}`, ElGamal's pair. A peer's ciphertext
 * is one value, carried as {a: c, b: c}; only `a` is read. Lifting keeps `evaluate` itself unchanged.
 */
type Pair<C> = Ciphertext<C>;
const pair = <C>(c: C): Pair<C> => ({ a: c, b: c });

export function liftAdditive<C>(ops: PeerAdditiveOps<C>): AdditiveOps<C> {
  const add = (c1: Pair<C>, c2: Pair<C>) => pair(ops.add(c1.a, c2.a));
  const multiplyByInteger = (c: Pair<C>, k: bigint) => pair(ops.multiplyByInteger(c.a, k));
  return {
    add,
    subtract: (c1, c2) => pair(ops.subtract(c1.a, c2.a)),
    multiplyByInteger,
    addConstant: (c, k) => pair(ops.addConstant(c.a, k)),
    weightedSum(terms) {
      const [first, ...rest] = terms.map(([c, weight]) => multiplyByInteger(c, weight));
      if (first === undefined) throw new RangeError('A weighted sum needs at least one term.');
      return rest.reduce(add, first);
    },
  };
}

export function liftMultiplicative<C>(ops: PeerMultiplicativeOps<C>): MultiplicativeOps<C> {
  return {
    multiply: (c1, c2) => pair(ops.multiply(c1.a, c2.a)),
    power: (c, exponent) => pair(ops.power(c.a, exponent)),
    multiplyByConstant: (c, k) => pair(ops.multiplyByConstant(c.a, k)),
  };
}

// ── Paillier-3072 ──────────────────────────────────────────────────────────────────────────────

export async function paillier3072(): Promise<PeerScheme<bigint> & { keygenMs: number }> {
  const started = performance.now();
  // The "simple variant" g = n + 1 is the one paillier-bigint recommends (and the fastest).
  const { publicKey, privateKey } = await paillier.generateRandomKeys(3072, true);
  const keygenMs = performance.now() - started;
  const n = publicKey.n;
  const ciphertextBytes = Math.ceil(publicKey._n2.toString(16).length / 2);
  const toWire = (c: bigint) => toBase64(numberToBytesBE(c, ciphertextBytes));
  return {
    name: 'Paillier-3072',
    keygenMs,
    publicKeyWire: toBase64(numberToBytesBE(n, ciphertextBytes / 2)),
    encryptToWire: (m) => toWire(publicKey.encrypt(mod(m, n))),
    decryptFromWire(text) {
      const m = privateKey.decrypt(bytesToNumberBE(fromBase64(text)));
      return m > n / 2n ? m - n : m;
    },
    service(publicKeyWire) {
      const serviceN = bytesToNumberBE(fromBase64(publicKeyWire));
      const n2 = serviceN * serviceN;
      return {
        fromWire: (text) => bytesToNumberBE(fromBase64(text)),
        toWire,
        additive: {
          add: (c1, c2) => (c1 * c2) % n2,
          subtract: (c1, c2) => (c1 * invert(c2, n2)) % n2,
          multiplyByInteger: (c, k) => modPow(c, mod(k, serviceN), n2),
          // (n + 1)^k = 1 + k·n (mod n²): adding a constant costs one multiplication.
          addConstant: (c, k) => (c * (1n + mod(k, serviceN) * serviceN)) % n2,
        },
        release: () => {},
      };
    },
  };
}

// ── BFV (Microsoft SEAL) ───────────────────────────────────────────────────────────────────────

type Seal = Awaited<ReturnType<typeof SEAL>>;
type SealCiphertext = ReturnType<Seal['CipherText']>;

/**
 * BFV at 128-bit security (SEAL's default coefficient moduli for tc128). Additive computations use
 * N = 4096 with a 40-bit batching plaintext modulus (Framingham's sum reaches 4·10^9); products need
 * N = 8192 so that relinearized multiplications leave noise budget (N = 4096 leaves none after one:
 * measured), with a 45-bit modulus. Cockcroft–Gault's two successive products exhaust even that
 * budget (its result decrypts to garbage: measured), so BFV runs BMI only among the products.
 */
export async function bfv(kind: 'additive' | 'multiplicative'): Promise<PeerScheme<SealCiphertext>> {
  const seal = await SEAL();
  const degree = kind === 'additive' ? 4096 : 8192;
  const parameters = seal.EncryptionParameters(seal.SchemeType.bfv);
  parameters.setPolyModulusDegree(degree);
  parameters.setCoeffModulus(seal.CoeffModulus.BFVDefault(degree, seal.SecurityLevel.tc128));
  parameters.setPlainModulus(seal.PlainModulus.Batching(degree, kind === 'additive' ? 40 : 45));
  const context = seal.Context(parameters, true, seal.SecurityLevel.tc128);
  if (!context.parametersSet()) throw new Error('SEAL refused the BFV parameters.');
  const keys = seal.KeyGenerator(context);
  const publicKey = keys.createPublicKey();
  const relinKeys = kind === 'multiplicative' ? keys.createRelinKeys() : undefined;
  const relinKeysWire = relinKeys?.save();
  const encoder = seal.BatchEncoder(context);
  const encryptor = seal.Encryptor(context, publicKey);
  const decryptor = seal.Decryptor(context, keys.secretKey());
  const evaluator = seal.Evaluator(context);
  const slot = (k: bigint) => BigInt64Array.from({ length: degree }, () => k);
  // SEAL's calls return `T | void`; writing into a destination we made keeps the types exact.
  const encode = (k: bigint) => {
    const plain = seal.PlainText();
    encoder.encode(slot(k), plain);
    return plain;
  };

  return {
    name: `BFV-${degree}`,
    ...(relinKeysWire === undefined ? {} : { evaluationKeyBytes: relinKeysWire.length }),
    publicKeyWire: publicKey.save(),
    encryptToWire(m) {
      const plain = encode(m);
      const c = seal.CipherText();
      encryptor.encrypt(plain, c);
      const text = c.save();
      plain.delete();
      c.delete();
      return text;
    },
    decryptFromWire(text) {
      const c = seal.CipherText();
      c.load(context, text);
      const plain = seal.PlainText();
      decryptor.decrypt(c, plain);
      const value = encoder.decodeBigInt(plain, true)[0];
      c.delete();
      plain.delete();
      if (value === undefined) throw new Error('BFV decoding failed');
      return value;
    },
    service(publicKeyWire) {
      const allocated: { delete(): void }[] = [];
      const track = <T extends { delete(): void }>(made: T): T => {
        allocated.push(made);
        return made;
      };
      const into = (write: (destination: SealCiphertext) => unknown) => {
        const destination = track(seal.CipherText());
        write(destination);
        return destination;
      };
      // The service loads the patient's public key like ours does (it would need it to re-randomize).
      track(seal.PublicKey()).load(context, publicKeyWire);
      const serviceRelinKeys = relinKeysWire === undefined ? undefined : track(seal.RelinKeys());
      if (serviceRelinKeys && relinKeysWire) serviceRelinKeys.load(context, relinKeysWire);
      const plainOf = (k: bigint) => track(encode(k));
      const multiplyByInteger = (c: SealCiphertext, k: bigint) =>
        into((out) => evaluator.multiplyPlain(c, plainOf(k), out));
      const multiply = (c1: SealCiphertext, c2: SealCiphertext) => {
        if (!serviceRelinKeys) throw new Error('Products need the multiplicative parameters.');
        const product = into((out) => evaluator.multiply(c1, c2, out));
        return into((out) => evaluator.relinearize(product, serviceRelinKeys, out));
      };
      return {
        fromWire: (text) => into((c) => c.load(context, text)),
        toWire: (c) => c.save(),
        additive: {
          add: (c1, c2) => into((out) => evaluator.add(c1, c2, out)),
          subtract: (c1, c2) => into((out) => evaluator.sub(c1, c2, out)),
          multiplyByInteger,
          addConstant: (c, k) => into((out) => evaluator.addPlain(c, plainOf(k), out)),
        },
        multiplicative: {
          multiply,
          power(c, exponent) {
            if (exponent < 1n) throw new RangeError('BFV powers here are positive.');
            let result = c;
            for (let i = 1n; i < exponent; i++) result = multiply(result, c);
            return result;
          },
          multiplyByConstant: multiplyByInteger,
        },
        release() {
          for (const made of allocated.splice(0)) made.delete();
        },
      };
    },
  };
}

// ── The original demo: ElGamal modulo a 512-bit safe prime ─────────────────────────────────────

/**
 * A 512-bit safe prime with 2 generating the order-q subgroup (p ≡ 23 mod 24), made with
 * `openssl genpkey -genparam -algorithm DH -pkeyopt dh_paramgen_prime_len:512`; checked at start.
 */
const P512 = BigInt(
  '0x956bc55077efeaa175106c6370924d5902e2610d89c9f8ff6d42687febc9b9ae7244d336aaa5272785ef503a533f19edb66050e09be252965b998236ab6d5db7',
);
const Q512 = (P512 - 1n) / 2n;

interface ElGamal512Ciphertext {
  readonly a: bigint;
  readonly b: bigint;
}

export function elgamal512(): PeerScheme<ElGamal512Ciphertext> {
  if (modPow(3n, P512 - 1n, P512) !== 1n || modPow(3n, Q512 - 1n, Q512) !== 1n || P512 % 24n !== 23n) {
    throw new Error('The 512-bit modulus is not the safe prime it should be.');
  }
  // Full-length exponents, as the demo used: 511-bit modular exponentiations.
  const x = 1n + randomBelow(Q512 - 1n);
  const y = modPow(2n, x, P512);
  const bytes = 64;
  const encode = (m: bigint) => (jacobiSymbol(m, P512) === 1 ? m : P512 - m);
  const toWire = ({ a, b }: ElGamal512Ciphertext) =>
    toBase64(Uint8Array.from([...numberToBytesBE(a, bytes), ...numberToBytesBE(b, bytes)]));
  const fromWire = (text: string): ElGamal512Ciphertext => {
    const raw = fromBase64(text);
    return { a: bytesToNumberBE(raw.subarray(0, bytes)), b: bytesToNumberBE(raw.subarray(bytes)) };
  };
  const multiply = (c1: ElGamal512Ciphertext, c2: ElGamal512Ciphertext) => ({
    a: (c1.a * c2.a) % P512,
    b: (c1.b * c2.b) % P512,
  });
  return {
    name: 'ElGamal-512 (original demo)',
    publicKeyWire: toBase64(numberToBytesBE(y, bytes)),
    encryptToWire(m) {
      const r = 1n + randomBelow(Q512 - 1n);
      return toWire({ a: modPow(2n, r, P512), b: (encode(m) * modPow(y, r, P512)) % P512 });
    },
    decryptFromWire(text) {
      const { a, b } = fromWire(text);
      const element = (b * invert(modPow(a, x, P512), P512)) % P512;
      return element < P512 - element ? element : P512 - element;
    },
    service: () => ({
      fromWire,
      toWire,
      multiplicative: {
        multiply,
        power: (c, e) => ({ a: modPow(c.a, mod(e, Q512), P512), b: modPow(c.b, mod(e, Q512), P512) }),
        multiplyByConstant: (c, k) => ({ a: c.a, b: (c.b * encode(k)) % P512 }),
      },
      release: () => {},
    }),
  };
}

// ── One computation end to end with a peer ─────────────────────────────────────────────────────

export interface PeerRequest {
  readonly publicKey: string;
  readonly inputs: Readonly<Record<string, string>>;
}

export function encryptWithPeer<C>(scheme: PeerScheme<C>, plaintexts: Plaintexts): string {
  const inputs: Record<string, string> = {};
  for (const [name, m] of Object.entries(plaintexts)) inputs[name] = scheme.encryptToWire(m);
  return JSON.stringify({ publicKey: scheme.publicKeyWire, inputs } satisfies PeerRequest);
}

/** The service's side: parse, evaluate with the computation's own code, serialize. */
export function evaluateWithPeer<C>(
  scheme: PeerScheme<C>,
  requestJson: string,
  evaluate: (service: PeerService<C>, inputs: Ciphertexts<C>) => Ciphertexts<C>,
): string {
  const request = JSON.parse(requestJson) as PeerRequest;
  const service = scheme.service(request.publicKey);
  try {
    const inputs: Record<string, Pair<C>> = {};
    for (const [name, text] of Object.entries(request.inputs)) inputs[name] = pair(service.fromWire(text));
    const outputs: Record<string, string> = {};
    for (const [name, c] of Object.entries(evaluate(service, inputs))) outputs[name] = service.toWire(c.a);
    return JSON.stringify({ outputs });
  } finally {
    service.release();
  }
}

/** The client's side: decrypt every output (the computation then interprets them as ours). */
export function decryptWithPeer<C>(scheme: PeerScheme<C>, responseJson: string): Plaintexts {
  const { outputs } = JSON.parse(responseJson) as { outputs: Record<string, string> };
  const plaintexts: Record<string, bigint> = {};
  for (const [name, text] of Object.entries(outputs)) plaintexts[name] = scheme.decryptFromWire(text);
  return plaintexts;
}
