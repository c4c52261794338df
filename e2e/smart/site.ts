/**
 * A build of the web app set up for SMART on FHIR with the loopback test server as its one issuer.
 * The server's port is only known once it listens, so the test starts the server first and builds
 * after, into a temporary directory (dist/web, which the other browser tests use, is left alone):
 * the build under test names exactly the issuer it connects to, as a production build would, and
 * the service's CSP allows exactly that origin.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const VITE = join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');

export interface SmartSite {
  readonly dir: string;
  remove(): void;
}

export async function buildSmartSite(env: {
  readonly VITE_SMART_CLIENT_ID: string;
  readonly VITE_SMART_ISSUERS: string;
  readonly VITE_SMART_WRITE?: '1';
}): Promise<SmartSite> {
  const dir = mkdtempSync(join(tmpdir(), 'sealed-vitals-smart-web-'));
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [VITE, 'build', '--outDir', dir, '--emptyOutDir', '--logLevel', 'warn'],
      {
        cwd: REPO,
        // vitest runs with NODE_ENV=test; the site under test is a production build, as `npm run build` makes.
        env: { ...process.env, NODE_ENV: 'production', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`vite build for the SMART test failed (${code}):\n${output.join('')}`);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
