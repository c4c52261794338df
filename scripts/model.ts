/**
 * The operator's command for private model files (server/models/*.private.json):
 *   npm run model -- check FILE         validate the file; print its (id, version) and commitment W
 *   npm run model -- new-version FILE   draw a new ρ, bump the version, rewrite the file, print W
 * A new ρ always comes with a new version: clients pin a commitment per (id, version) and refuse a
 * different one for a version they know.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { bytesToHex, numberToBytesLE } from '@noble/curves/utils.js';
import { loadPrivateModel, ModelFileError } from '../server/models/private-model.js';
import { findComputation } from '../shared/computations/catalog.js';
import { ristretto255Group } from '../shared/groups/ristretto255.js';
import { randomBelow } from '../shared/random.js';

function check(file: string) {
  const { id } = JSON.parse(readFileSync(file, 'utf8')) as { id?: unknown };
  const computation = typeof id === 'string' ? findComputation(id) : undefined;
  if (!computation) throw new ModelFileError(file, 'id', 'names no computation of this service');
  return loadPrivateModel(file, computation, ristretto255Group);
}

function newVersion(file: string) {
  const current = check(file);
  const text = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const rho = randomBelow(ristretto255Group.order);
  const next = { ...text, version: current.version + 1, rho: bytesToHex(numberToBytesLE(rho, 32)) };
  writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
  return check(file);
}

const [command, file] = process.argv.slice(2);
try {
  if (!file || (command !== 'check' && command !== 'new-version')) {
    throw new Error('usage: npm run model -- check FILE | new-version FILE');
  }
  const model = command === 'check' ? check(file) : newVersion(file);
  console.log(`${model.id} version ${model.version}\ncommitment ${model.commitment}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
