/**
 * A bad model file stops the start with an error naming the file, the field and what is wrong, and
 * nothing is served: each hostile file below is a built-in one with one thing broken.
 */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './fleet/test-support.js';
import { temporaryLogDir } from './log/test-support.js';
import {
  DEFAULT_MODELS_DIR,
  loadServedCatalog,
  privateModelFile,
  publicModelFile,
} from './served-catalog.js';

type Json = Record<string, unknown>;

function builtIn(id: string, file = publicModelFile(DEFAULT_MODELS_DIR, id)): Json {
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

/** A models directory with the given files (name → JSON), in a fresh temporary folder. */
function modelsDir(files: Readonly<Record<string, unknown>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'models-'));
  for (const [name, json] of Object.entries(files))
    writeFileSync(join(dir, name), typeof json === 'string' ? json : JSON.stringify(json));
  return dir;
}

const ckd = builtIn('ckd-epi-2021');
const mayo = builtIn('mayo-lung-nodule');
const framingham = builtIn('framingham-2008');
const framinghamPrivate = builtIn('framingham-2008', privateModelFile(DEFAULT_MODELS_DIR, 'framingham-2008'));

function refusal(files: Readonly<Record<string, unknown>>): string {
  const dir = modelsDir(files);
  try {
    loadServedCatalog(dir);
  } catch (error) {
    return (error as Error).message.replace(`${dir}/`, '');
  }
  throw new Error('The hostile model files were loaded.');
}

describe('a hostile model file is refused, naming the file, the field and what is wrong', () => {
  it.each<[string, Readonly<Record<string, unknown>>, string]>([
    [
      'a missing field',
      { 'ckd-epi-2021.model.json': { ...ckd, title: undefined } },
      'ckd-epi-2021.model.json: title: must be a non-empty string',
    ],
    [
      'an unknown transform',
      {
        'mayo-lung-nodule.model.json': {
          ...mayo,
          features: [{ name: 'age', label: 'age', from: { sqrt: { value: 'age' } } }],
          weights: { age: 1 },
        },
      },
      'mayo-lung-nodule.model.json: features.age.from.sqrt: unknown transform',
    ],
    [
      'a field the features do not have',
      {
        'mayo-lung-nodule.model.json': {
          ...mayo,
          features: [{ name: 'age', label: 'age', from: { ln: { value: 'weight' } } }],
        },
      },
      'mayo-lung-nodule.model.json: features.age.from.ln.value: must name a number or yes/no field',
    ],
    [
      'a logarithm of a value that can be 0',
      {
        'ckd-epi-2021.model.json': {
          ...ckd,
          features: [{ name: 'lnScrLow', label: 'x', from: { ln: { centre: [{ value: 'age' }, 18] } } }],
        },
      },
      'ckd-epi-2021.model.json: features.lnScrLow.from.ln: can be ≤ 0 for a value the form accepts',
    ],
    [
      'weights that overflow the decode range',
      { 'mayo-lung-nodule.model.json': { ...mayo, weights: { ...(mayo.weights as Json), age: 5e6 } } },
      'mayo-lung-nodule.model.json: weights: the linear predictor spans',
    ],
    [
      'a weight for no feature',
      { 'mayo-lung-nodule.model.json': { ...mayo, weights: { ...(mayo.weights as Json), height: 1 } } },
      'mayo-lung-nodule.model.json: weights.height: is not a feature of this model',
    ],
    [
      'ρ in the public file',
      {
        'framingham-2008.model.json': { ...framingham, rho: framinghamPrivate.rho },
        'framingham-2008.private.json': framinghamPrivate,
      },
      'framingham-2008.model.json: rho: belongs in the private file',
    ],
    [
      'a private model’s weights in the public file',
      {
        'framingham-2008.model.json': { ...framingham, weights: framinghamPrivate.weights },
        'framingham-2008.private.json': framinghamPrivate,
      },
      'framingham-2008.model.json: weights: a private model’s coefficients belong in its private file',
    ],
    [
      'a private model without its private file',
      { 'framingham-2008.model.json': framingham },
      'framingham-2008.private.json: (file): is missing',
    ],
    [
      'a private file of another version',
      {
        'framingham-2008.model.json': framingham,
        'framingham-2008.private.json': { ...framinghamPrivate, version: 2 },
      },
      'framingham-2008.private.json: version: must be 1, as in the public file',
    ],
    [
      'a duplicate id (a computation the service already has)',
      { 'bmi.model.json': { ...mayo, id: 'bmi' } },
      'bmi.model.json: id: bmi is already served by a computation built into the service',
    ],
    [
      'a file named for another id',
      { 'ckd-epi-2009.model.json': ckd },
      'ckd-epi-2009.model.json: id: is ckd-epi-2021: the file must be named ckd-epi-2021.model.json',
    ],
    [
      'a stratified constant missing a stratum',
      {
        'ckd-epi-2021.model.json': {
          ...ckd,
          features: [
            {
              name: 'lnScrLow',
              label: 'x',
              from: { ln: { divide: [{ value: 'creatinine' }, { female: 0.7 }] } },
            },
          ],
        },
      },
      'ckd-epi-2021.model.json: features.lnScrLow.from.ln.divide[1]: must give one number for each stratum',
    ],
    [
      'a file that is not JSON',
      { 'mayo-lung-nodule.model.json': '{"format": ' },
      'mayo-lung-nodule.model.json: (file): cannot be read as JSON',
    ],
  ])('%s', (_, files, message) => {
    expect(refusal(files)).toContain(message);
  });

  it('stops the service’s start with that message, and serves nothing', async () => {
    const dir = modelsDir({ 'ckd-epi-2021.model.json': { ...ckd, link: { kind: 'probit' } } });
    copyFileSync(
      publicModelFile(DEFAULT_MODELS_DIR, 'mayo-lung-nodule'),
      publicModelFile(dir, 'mayo-lung-nodule'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: {
        ...process.env,
        MODELS_DIR: dir,
        LOG_DIR: temporaryLogDir(),
        PORT: String(await freePort()),
        WORKERS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(output).toContain(
      `Cannot start: ${join(dir, 'ckd-epi-2021.model.json')}: link.kind: must be one of score, logistic, cox, exponential`,
    );
    expect(output).not.toContain('listening');
  }, 30_000);
});
