/**
 * The private model's commitment is fixed in its file, never drawn at start-up: every cluster worker and
 * every restart publishes the same W, the one the app ships. A bad model file stops the start, naming
 * the file and the field.
 */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { framingham } from '../shared/computations/framingham.js';
import { freePort, startInstance, stopProcess } from './fleet/test-support.js';
import { temporaryLogDir } from './log/test-support.js';
import { DEFAULT_MODELS_DIR, privateModelFile, publicModelFile } from './served-catalog.js';

/** One catalog request on a connection of its own, so the cluster may hand it to any worker. */
function framinghamDeclaration(port: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/api/v2/computations', agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        const { computations } = JSON.parse(body) as { computations: { id: string; evaluation: unknown }[] };
        resolve(computations.find((c) => c.id === framingham.id)?.evaluation);
      });
    }).on('error', reject);
  });
}

async function declarationsFromAStart(workers: number): Promise<unknown[]> {
  const port = await freePort();
  const instance = await startInstance(port, { WORKERS: String(workers), PORT: String(port) });
  try {
    return await Promise.all(Array.from({ length: 12 }, () => framinghamDeclaration(port)));
  } finally {
    await stopProcess(instance.child);
  }
}

describe('the private model’s commitment', () => {
  it('is the same from every worker and after a restart, and the one the app ships', async () => {
    const first = await declarationsFromAStart(2);
    const second = await declarationsFromAStart(2);
    for (const declaration of [...first, ...second]) expect(declaration).toEqual(framingham.evaluation);
  }, 60_000);

  it('stops the start with a message naming the file and the field when the model file is bad', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    const model = JSON.parse(readFileSync(privateModelFile(DEFAULT_MODELS_DIR, framingham.id), 'utf8'));
    const file = privateModelFile(dir, framingham.id);
    copyFileSync(publicModelFile(DEFAULT_MODELS_DIR, framingham.id), publicModelFile(dir, framingham.id));
    writeFileSync(file, JSON.stringify({ ...model, weights: { ...model.weights, male: { lnAge: 1.5 } } }));
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
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(output).toContain(`${file}: weights.male.lnTotalCholesterol: must be a finite number`);
  }, 30_000);
});
