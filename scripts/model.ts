/**
 * The operator's command for model files (docs/MODELS.md); FILE is `<id>.model.json` or its private
 * `<id>.private.json`:
 *   npm run model -- check FILE         validate; print the public catalog entry and a worked example
 *   npm run model -- new-version FILE   bump the version (a private model: draw a new ρ); print W
 *                                       (a private file without ρ yet: its first ρ, same version)
 *   npm run model -- try FILE --values age=50,sex=male,creatinine=88:µmol/L
 *                                       the plaintext result and the encrypted path side by side
 * A new ρ always comes with a new version: clients pin a model per (id, version) and refuse a
 * different one for a version they know.
 */

import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { bytesToHex, numberToBytesLE } from '@noble/curves/utils.js';
import { evaluateAndProve } from '../server/evaluation.js';
import { ModelFileError } from '../server/private-model.js';
import { readModelFile } from '../server/served-catalog.js';
import { encryptInputs, generateGroupKeyPair, verifyAndDecryptOutputs } from '../shared/client.js';
import { computationToWireV2 } from '../shared/computations/catalog.js';
import {
  type Computation,
  declaredShape,
  type FieldValue,
  type FormValues,
} from '../shared/computations/computation.js';
import { validateForm } from '../shared/computations/form.js';
import { declaredMatrix } from '../shared/declaration.js';
import { ristretto255Group } from '../shared/groups/ristretto255.js';
import { ModelError } from '../shared/models/features.js';
import type { ModelCoefficients, ModelDescription } from '../shared/models/model.js';
import {
  deriveBounds,
  exactLinearPredictor,
  linkResult,
  modelComputation,
  stratumOf,
} from '../shared/models/model-computation.js';
import { declaredStatement } from '../shared/proofs/answer-proof.js';
import { randomBelow } from '../shared/random.js';
import { isRecord } from '../shared/records.js';

const PUBLIC_SUFFIX = '.model.json';
const PRIVATE_SUFFIX = '.private.json';

function publicFileOf(file: string): string {
  return file.endsWith(PRIVATE_SUFFIX) ? file.slice(0, -PRIVATE_SUFFIX.length) + PUBLIC_SUFFIX : file;
}

function privateFileOf(publicFile: string): string {
  return publicFile.slice(0, -PUBLIC_SUFFIX.length) + PRIVATE_SUFFIX;
}

interface Loaded {
  readonly description: ModelDescription;
  readonly coefficients: ModelCoefficients;
  readonly computation: Computation;
  readonly served: Parameters<typeof evaluateAndProve>[0];
}

function load(file: string): Loaded {
  const publicFile = publicFileOf(file);
  const { description, privateModel } = readModelFile(publicFile);
  const coefficients = privateModel?.coefficients ?? description.coefficients;
  if (!coefficients) throw new ModelFileError(publicFile, 'weights', 'are missing');
  let computation: Computation;
  try {
    computation = modelComputation(
      { ...description, derived: deriveBounds(description, coefficients) },
      privateModel ? { kind: 'private-linear', commitment: privateModel.commitment } : undefined,
    );
  } catch (error) {
    // As the service's start reports it: the file whose weights make the range.
    if (error instanceof ModelError)
      throw new ModelFileError(privateModel ? privateFileOf(publicFile) : publicFile, error.field, error.why);
    throw error;
  }
  const { evaluation } = computation;
  const matrix =
    privateModel?.matrix ??
    (evaluation.kind === 'private-linear'
      ? undefined
      : declaredMatrix(evaluation, declaredShape(computation)));
  if (!matrix) throw new ModelFileError(publicFile, 'weights', 'are missing');
  const statement = declaredStatement(evaluation, privateModel ? undefined : matrix);
  return {
    description,
    coefficients,
    computation,
    served: { computation, matrix, statement, ...(privateModel ? { model: privateModel } : {}) },
  };
}

/** A value for every field: the middle of its fitted (or accepted) range in its first unit. */
function typicalValues(description: ModelDescription): FormValues {
  const values: Record<string, FieldValue> = {};
  for (const field of description.fields) {
    if (field.kind === 'boolean') values[field.name] = false;
    else if (field.kind === 'choice') values[field.name] = field.options[0]?.value ?? '';
    else {
      const unit = field.units[0];
      const range = unit.fitted ?? unit;
      const middle = Math.round((range.min + range.max) / 2 / unit.step) * unit.step;
      values[field.name] = { value: Number(middle.toFixed(6)), unit: unit.id };
    }
  }
  return values;
}

/** "age=50,sex=male,creatinine=88:µmol/L,smoker=yes" → form values (numbers in their first unit by default). */
function parseValues(description: ModelDescription, text: string): FormValues {
  const values: Record<string, FieldValue> = {};
  for (const pair of text.split(',').filter((p) => p !== '')) {
    const [name, raw = ''] = pair.split('=', 2) as [string, string?];
    const field = description.fields.find((f) => f.name === name);
    if (!field)
      throw new Error(
        `--values: ${name} is not a field of ${description.id} (${description.fields.map((f) => f.name).join(', ')})`,
      );
    if (field.kind === 'boolean') values[name] = ['yes', 'true', '1'].includes(raw);
    else if (field.kind === 'choice') values[name] = raw;
    else {
      const [number, unit = field.units[0].id] = raw.split(':', 2) as [string, string?];
      values[name] = { value: Number(number), unit };
    }
  }
  return values;
}

function worked(loaded: Loaded, values: FormValues): string {
  const { description, coefficients, computation, served } = loaded;
  const errors = validateForm(computation, values);
  if (Object.keys(errors).length > 0) throw new Error(Object.values(errors).join(' '));
  const stratum = stratumOf(description, values);
  const exact = exactLinearPredictor(description, coefficients, values);
  const key = generateGroupKeyPair(computation.group);
  const plaintexts = computation.encodeInputs(values);
  const request = JSON.parse(JSON.stringify(encryptInputs(computation, key, plaintexts)));
  const response = JSON.parse(JSON.stringify(evaluateAndProve(served, request)));
  const decrypted = verifyAndDecryptOutputs(computation, key, request, response);
  const result = computation.interpret(decrypted, values);
  const { scale } = description.display;
  const plain = linkResult(description, exact, stratum) * scale;
  return [
    `values       ${JSON.stringify(values)}`,
    `plaintext    Σβx = ${exact.toFixed(6)}   result ${plain.toPrecision(8)}`,
    `encrypted    ${result.technical ?? ''}   result ${result.value.toPrecision(8)} → ${result.display}, ${result.category}`,
    `difference   ${Math.abs(result.value - plain).toExponential(2)} (proof verified before decryption)`,
  ].join('\n');
}

function check(file: string): string {
  const loaded = load(file);
  const { computation } = loaded;
  return `${JSON.stringify(computationToWireV2(computation), null, 2)}\n\nworked example\n${worked(loaded, typicalValues(loaded.description))}`;
}

function readJsonObject(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

const drawRho = () => bytesToHex(numberToBytesLE(randomBelow(ristretto255Group.order), 32));

/**
 * The files a new version writes (a private model: with a new ρ). A private file without ρ yet is a
 * version never served, so it gets its first ρ and keeps its version.
 */
function nextVersionFiles(publicFile: string, secretFile: string): Map<string, Record<string, unknown>> {
  let secret: unknown;
  try {
    secret = existsSync(secretFile) ? readJsonObject(secretFile) : undefined;
  } catch {
    secret = undefined; // `load` below reports it, naming the file
  }
  if (isRecord(secret) && !Object.hasOwn(secret, 'rho'))
    return new Map([[secretFile, { ...secret, rho: drawRho() }]]);
  const { description } = load(publicFile);
  const version = description.version + 1;
  const files = new Map<string, Record<string, unknown>>([
    [publicFile, { ...readJsonObject(publicFile), version }],
  ]);
  if (description.private) files.set(secretFile, { ...readJsonObject(secretFile), version, rho: drawRho() });
  return files;
}

/**
 * Writes a new version only once the model it makes loads as the service would load it: tried
 * first in a scratch folder, so an invalid model never gets a ρ (or a version) written into it.
 */
function newVersion(file: string): string {
  const publicFile = publicFileOf(file);
  const secretFile = privateFileOf(publicFile);
  const files = nextVersionFiles(publicFile, secretFile);
  const trial = mkdtempSync(join(tmpdir(), 'sealed-vitals-model-'));
  try {
    for (const source of [publicFile, secretFile]) {
      const json = files.get(source);
      const copy = join(trial, basename(source));
      if (json) writeFileSync(copy, `${JSON.stringify(json, null, 2)}\n`);
      else if (existsSync(source)) copyFileSync(source, copy);
    }
    try {
      load(join(trial, basename(publicFile)));
    } catch (error) {
      // Named as the operator's file, not the scratch copy.
      if (error instanceof ModelFileError)
        throw new ModelFileError(join(dirname(publicFile), basename(error.file)), error.field, error.why);
      throw error;
    }
  } finally {
    rmSync(trial, { recursive: true, force: true });
  }
  for (const [target, json] of files) writeFileSync(target, `${JSON.stringify(json, null, 2)}\n`);
  const { computation } = load(publicFile);
  const { evaluation } = computation;
  return `${computation.id} version ${computation.version}${
    evaluation.kind === 'private-linear' ? `\ncommitment ${evaluation.commitment}` : ''
  }`;
}

const [command, file, flag, values] = process.argv.slice(2);
try {
  if (
    !file ||
    !['check', 'new-version', 'try'].includes(command ?? '') ||
    (command === 'try' && flag !== '--values')
  ) {
    throw new Error('usage: npm run model -- check FILE | new-version FILE | try FILE --values name=value,…');
  }
  if (command === 'check') console.log(check(file));
  else if (command === 'new-version') console.log(newVersion(file));
  else {
    const loaded = load(file);
    console.log(worked(loaded, parseValues(loaded.description, values ?? '')));
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
