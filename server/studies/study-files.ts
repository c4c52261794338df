/**
 * The studies the service accepts contributions for: every `*.study.json` of a directory, parsed and
 * checked once at start (docs/STUDIES.md, "The study file"), with what the routes need at hand: the bytes
 * as published, the statement every proof is bound to (layout, digest, joint key), the token verifier of
 * the study's issuer, and the exact sizes a contribution may have. A bad file stops the start with an
 * error naming the file and the member, as a bad model file does.
 */

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProtocolError } from '../../shared/errors.js';
import type { Group } from '../../shared/groups/group.js';
import { type StudyStatement, studyDigest } from '../../shared/studies/contribution.js';
import {
  BIT_PROOF_BYTES,
  bytesFromWire,
  CIPHERTEXT_BYTES,
  oneHotProofBytes,
  PRODUCT_PROOF_BYTES,
  parseElement,
  rangeProofBytes,
} from '../../shared/studies/crypto/index.js';
import { parseStudy, type SlotProof, type StudyLayout, studyLayout } from '../../shared/studies/layout.js';
import { StudyError } from '../../shared/studies/study-file.js';
import { importIssuerPublicKey } from '../../shared/studies/tokens/issuer-key.js';
import { TOKEN_BYTES } from '../../shared/studies/tokens/token.js';
import { StudyTokenError } from '../../shared/studies/tokens/token-error.js';
import { StudyTokenVerifier } from '../../shared/studies/tokens/verifier.js';
import { MAX_RECORD_BYTES } from './store.js';

const STUDY_FILE_SUFFIX = '.study.json';
/**
 * Room in a request body for insignificant white space around the exact members: a pretty-printed
 * contribution (an indented line per element) still fits, a padded one does not.
 */
const WHITESPACE_PER_ELEMENT = 16;
const WHITESPACE_OVERALL = 1024;

/** A study file that cannot be served; the message names the file, then the member and what is wrong. */
export class StudyFileError extends Error {
  override readonly name = 'StudyFileError';

  constructor(
    readonly file: string,
    readonly member: string,
    why: string,
  ) {
    super(`${file}: ${member}: ${why}`);
  }
}

/** How long each string of a contribution is on the wire, from the layout alone. */
export interface ContributionSizes {
  /** Characters of every slot (one ciphertext, unpadded base64url). */
  readonly slotChars: number;
  /** Characters of each proof, in the layout's order. */
  readonly proofChars: readonly number[];
  readonly tokenChars: number;
  /** The canonical JSON's exact length in bytes (what the bulletin board stores). */
  readonly canonicalBytes: number;
  /** The largest request body accepted: the canonical length plus room for white space. */
  readonly bodyLimit: number;
}

export interface ServedStudy<E> {
  /** The file's name in its directory, for messages. */
  readonly fileName: string;
  /** The file as published, byte for byte: what GET serves and what the digest is computed from. */
  readonly published: Uint8Array;
  /** A strong entity tag of `published` (RFC 9110 §8.8.3): its SHA-256, unpadded base64url, quoted. */
  readonly etag: string;
  readonly statement: StudyStatement<E>;
  readonly tokens: StudyTokenVerifier;
  /** `opens` and `closes` as instants (ms since the epoch). */
  readonly opensAt: number;
  readonly closesAt: number;
  readonly sizes: ContributionSizes;
}

/**
 * Every `*.study.json` of `dir`, by study id. A directory that does not exist holds no studies; a file
 * that does not parse, a draft (no joint key yet), a bad issuer key or two files with one id throw
 * `StudyFileError`.
 */
export async function loadStudies<E>(group: Group<E>, dir: string): Promise<Map<string, ServedStudy<E>>> {
  const studies = new Map<string, ServedStudy<E>>();
  for (const fileName of studyFileNames(dir)) {
    const study = await loadStudy(group, fileName, readFileSync(join(dir, fileName)));
    const id = study.statement.study.id;
    const first = studies.get(id);
    if (first)
      throw new StudyFileError(
        fileName,
        'id',
        `is also the id of ${first.fileName}: each study needs its own`,
      );
    studies.set(id, study);
  }
  return studies;
}

function studyFileNames(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(STUDY_FILE_SUFFIX))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
}

/** One study file's bytes, checked for serving; `fileName` only names it in errors. */
export async function loadStudy<E>(
  group: Group<E>,
  fileName: string,
  published: Uint8Array,
): Promise<ServedStudy<E>> {
  const value = parseJson(fileName, published);
  const study = await named(fileName, '(file)', () => parseStudy(value));
  if (study.jointKey === undefined)
    throw new StudyFileError(
      fileName,
      'jointKey',
      'is missing: this is a draft; run the key ceremony before serving the study',
    );
  const jointKeyText = study.jointKey;
  const jointKey = await named(fileName, 'jointKey', () =>
    parseElement(group, bytesFromWire(jointKeyText, 'jointKey', 32), 'jointKey'),
  );
  const issuerKey = await named(fileName, 'tokenIssuer.publicKey', () =>
    importIssuerPublicKey(bytesFromWire(study.tokenIssuer.publicKey, 'tokenIssuer.publicKey')),
  );
  const tokens = await named(
    fileName,
    'tokenIssuer.name',
    () =>
      new StudyTokenVerifier(
        { issuerName: study.tokenIssuer.name, studyId: study.id, opens: study.opens },
        issuerKey,
      ),
  );
  const layout = studyLayout(study);
  const sizes = contributionSizes(study.id, layout);
  if (sizes.canonicalBytes > MAX_RECORD_BYTES)
    throw new StudyFileError(
      fileName,
      'measures',
      `make contributions of ${sizes.canonicalBytes} bytes, more than the ${MAX_RECORD_BYTES} ` +
        'the bulletin board stores: narrow the ranges or release fewer statistics',
    );
  return {
    fileName,
    published,
    etag: `"${createHash('sha256').update(published).digest('base64url')}"`,
    statement: { study, layout, digest: studyDigest(value), jointKey },
    tokens,
    opensAt: Date.parse(study.opens),
    closesAt: Date.parse(study.closes),
    sizes,
  };
}

/** Unpadded base64url length of n bytes. */
function wireChars(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

function proofBytes(proof: SlotProof): number {
  switch (proof.kind) {
    case 'range':
    case 'derived-range':
      return rangeProofBytes(proof.max);
    case 'bit':
      return BIT_PROOF_BYTES;
    case 'one-hot':
      return oneHotProofBytes(proof.slots.length);
    case 'product':
      return PRODUCT_PROOF_BYTES;
  }
}

export function contributionSizes(studyId: string, layout: StudyLayout): ContributionSizes {
  const slotChars = wireChars(CIPHERTEXT_BYTES);
  const proofChars = layout.proofs.map((proof) => wireChars(proofBytes(proof)));
  const tokenChars = wireChars(TOKEN_BYTES);
  // JCS of {study, token, slots, proofs}: members sorted, no white space; an id needs no escaping.
  const canonicalBytes =
    '{"proofs":[],"slots":[],"study":"","token":""}'.length +
    arrayOfStringsChars(proofChars) +
    arrayOfStringsChars(layout.slots.map(() => slotChars)) +
    studyId.length +
    tokenChars;
  const elements = layout.slots.length + layout.proofs.length;
  return {
    slotChars,
    proofChars,
    tokenChars,
    canonicalBytes,
    bodyLimit: canonicalBytes + WHITESPACE_OVERALL + WHITESPACE_PER_ELEMENT * elements,
  };
}

/** "a","b","c": each string quoted, commas between. */
function arrayOfStringsChars(lengths: readonly number[]): number {
  return lengths.reduce((sum, chars) => sum + chars + 2, 0) + Math.max(lengths.length - 1, 0);
}

function parseJson(fileName: string, bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new StudyFileError(fileName, '(file)', 'is not UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StudyFileError(fileName, '(file)', `is not JSON (${(error as Error).message})`);
  }
}

/** Runs a check of the file's contents; its refusal is said again with the file's name. */
async function named<T>(fileName: string, member: string, check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof StudyError) throw new StudyFileError(fileName, error.member, error.why);
    if (error instanceof ProtocolError) throw new StudyFileError(fileName, member, error.detail);
    if (error instanceof StudyTokenError) throw new StudyFileError(fileName, member, error.message);
    throw error;
  }
}
