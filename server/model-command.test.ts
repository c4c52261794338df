/**
 * The operator's command (scripts/model.ts, docs/MODELS.md "The command"), run as an operator runs it:
 * a new private model gets its first ρ without a version bump, a later new version gets a new ρ, and
 * each printed commitment is the one the service then publishes; a failure names the file.
 */

import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODELS_DIR,
  loadServedCatalog,
  privateModelFile,
  publicModelFile,
} from './served-catalog.js';

const run = promisify(execFile);

async function model(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/model.ts', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

const ID = 'framingham-2008';
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

function publishedCommitment(dir: string): unknown {
  const evaluation = loadServedCatalog(dir).get(ID)?.computation.evaluation;
  return evaluation?.kind === 'private-linear' ? evaluation.commitment : undefined;
}

describe('npm run model -- new-version', () => {
  it('gives a private file without ρ its first one, then a new one with each new version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    copyFileSync(publicModelFile(DEFAULT_MODELS_DIR, ID), publicModelFile(dir, ID));
    const { rho: _, ...withoutRho } = readJson(privateModelFile(DEFAULT_MODELS_DIR, ID));
    writeFileSync(privateModelFile(dir, ID), JSON.stringify(withoutRho));

    const first = await model('new-version', publicModelFile(dir, ID));
    expect(first.code).toBe(0);
    const firstRho = readJson(privateModelFile(dir, ID)).rho;
    expect(firstRho).toMatch(/^[0-9a-f]{64}$/);
    expect(readJson(privateModelFile(dir, ID)).version).toBe(1);
    expect(readJson(publicModelFile(dir, ID)).version).toBe(1);
    expect(first.stdout).toContain(`${ID} version 1\ncommitment ${publishedCommitment(dir)}`);

    const second = await model('new-version', privateModelFile(dir, ID));
    expect(second.code).toBe(0);
    expect(readJson(privateModelFile(dir, ID))).toMatchObject({ version: 2 });
    expect(readJson(privateModelFile(dir, ID)).rho).not.toBe(firstRho);
    expect(readJson(publicModelFile(dir, ID)).version).toBe(2);
    expect(second.stdout).toContain(`${ID} version 2\ncommitment ${publishedCommitment(dir)}`);
    expect(second.stdout).not.toContain(first.stdout.split('commitment ')[1]?.trim());
  }, 60_000);
});

describe('npm run model -- new-version on a model that does not load', () => {
  it('writes nothing: an invalid private file without ρ gets no ρ, and the message names the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    copyFileSync(publicModelFile(DEFAULT_MODELS_DIR, ID), publicModelFile(dir, ID));
    const { rho: _, weights, ...rest } = readJson(privateModelFile(DEFAULT_MODELS_DIR, ID));
    const [dropped] = Object.keys(weights as object);
    const { [dropped as string]: __, ...fewerWeights } = weights as Record<string, unknown>;
    const invalid = JSON.stringify({ ...rest, weights: fewerWeights });
    writeFileSync(privateModelFile(dir, ID), invalid);
    const publicBefore = readFileSync(publicModelFile(dir, ID), 'utf8');

    const { code, stderr } = await model('new-version', publicModelFile(dir, ID));
    expect(code).toBe(1);
    expect(stderr).toContain(`${privateModelFile(dir, ID)}: weights`);
    expect(stderr).not.toContain(`${tmpdir()}/sealed-vitals-model-`);
    expect(readFileSync(privateModelFile(dir, ID), 'utf8')).toBe(invalid);
    expect(readFileSync(publicModelFile(dir, ID), 'utf8')).toBe(publicBefore);
  }, 60_000);

  it('a private file without ρ is told to run new-version, not that its ρ is bad', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    copyFileSync(publicModelFile(DEFAULT_MODELS_DIR, ID), publicModelFile(dir, ID));
    const { rho: _, ...withoutRho } = readJson(privateModelFile(DEFAULT_MODELS_DIR, ID));
    writeFileSync(privateModelFile(dir, ID), JSON.stringify(withoutRho));
    const { code, stderr } = await model('check', publicModelFile(dir, ID));
    expect(code).toBe(1);
    expect(stderr).toContain(
      `${privateModelFile(dir, ID)}: rho: is missing: run \`npm run model -- new-version FILE\` to draw it`,
    );
  }, 60_000);
});

describe('npm run model -- check', () => {
  it('names the file when its weights make a range wider than a browser decodes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    const file = publicModelFile(dir, 'mayo-lung-nodule');
    const mayo = readJson(publicModelFile(DEFAULT_MODELS_DIR, 'mayo-lung-nodule'));
    writeFileSync(file, JSON.stringify({ ...mayo, precision: { features: 6, weights: 6 } }));
    const { code, stderr } = await model('check', file);
    expect(code).toBe(1);
    expect(stderr).toContain(`${file}: weights: the linear predictor spans`);
  }, 60_000);
});
