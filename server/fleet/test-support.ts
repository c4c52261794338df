/**
 * Helper processes for the tests of a service that runs as a fleet: Redis for the shared rate limit,
 * nginx in front of several instances, instances of the service as `npm start` runs it.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { temporaryLogDir } from '../log/test-support.js';

/** A free TCP port on loopback (for a helper process that cannot be told to pick one itself). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RedisProcess {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Debian's redis-server on a free loopback port, nothing persisted, for tests of the shared rate limit
 * (`.ci/run` installs it; elsewhere: apt-get install redis-server).
 */
export async function startRedis(): Promise<RedisProcess> {
  const binary = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
  if (!existsSync(binary)) throw new Error(`${binary} is missing: apt-get install redis-server.`);
  const port = await freePort();
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  child.stdout?.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`)));
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      if (/Ready to accept connections/.test(output)) resolve();
    });
  });
  child.stdout?.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** A child process whose output lines can be awaited. */
export interface Watched {
  readonly child: ChildProcess;
  waitFor(pattern: RegExp): Promise<string>;
}

function watch(child: ChildProcess): Watched {
  const lines: string[] = [];
  let waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        lines.push(line);
        waiters = waiters.filter((waiter) => {
          if (!waiter.pattern.test(line)) return true;
          waiter.resolve(line);
          return false;
        });
      }
      if (lines.length > 200) lines.splice(0, lines.length - 200);
    });
  }
  return {
    child,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((line) => pattern.test(line));
        if (seen) return resolve(seen);
        waiters.push({ pattern, resolve });
        child.once('exit', (code) =>
          reject(new Error(`exited (${code}) before printing ${pattern}:\n${lines.slice(-20).join('\n')}`)),
        );
      }),
  };
}

/**
 * The `Environment=` settings of the shipped systemd unit (deploy/systemd/sealed-vitals@.service), with
 * `%i` (the instance) as the port: the fleet test runs its instances as the unit does.
 */
export function unitEnvironment(port: number): Record<string, string> {
  const unit = readFileSync(`${repoRoot}deploy/systemd/sealed-vitals@.service`, 'utf8');
  const env: Record<string, string> = {};
  for (const [, name, value] of unit.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)) {
    if (name && value !== undefined) env[name] = value.replaceAll('%i', String(port));
  }
  return env;
}

/** One instance of the service (server/main.ts, as the unit runs it but through tsx), listening. */
/** The fleet's instances share one log directory, as docs/TRANSPARENCY.md says a fleet does. */
const FLEET_LOG_DIR = temporaryLogDir();

export async function startInstance(port: number, env: Record<string, string>): Promise<Watched> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...unitEnvironment(port), LOG_DIR: FLEET_LOG_DIR, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const instance = watch(child);
  await instance.waitFor(/Sealed Vitals (app and )?API on/);
  return instance;
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/**
 * Debian's nginx in the foreground on a free loopback port, in front of `upstreams`, with the shipped
 * proxy settings (deploy/nginx/sealed-vitals-proxy.conf) included verbatim.
 */
export async function startNginx(
  upstreams: readonly number[],
): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const nginx = await runNginx(
    `
  upstream sealed_vitals {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    include ${repoRoot}deploy/nginx/sealed-vitals-proxy.conf;
  }
`,
    `${url}/`,
  );
  return { url, stop: nginx.stop };
}

/**
 * Debian's nginx in the foreground with `http` inside its `http` block (servers on ports the caller
 * chose), everything it writes (pid, logs, temporary files) under a fresh temporary prefix: never the
 * package's root-owned paths, so it runs as root in CI and beside any other nginx. Resolves once
 * `readyUrl` answers.
 */
export async function runNginx(http: string, readyUrl: string): Promise<{ stop(): Promise<void> }> {
  const binary = process.env.NGINX ?? '/usr/sbin/nginx';
  if (!existsSync(binary)) throw new Error(`${binary} is missing: apt-get install nginx.`);
  const prefix = mkdtempSync(join(tmpdir(), 'sealed-vitals-nginx-'));
  const config = `
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
${http}
}
`;
  writeFileSync(`${prefix}/nginx.conf`, config);
  // -e: the log for what happens before the configuration is read, too (else /var/log/nginx).
  const child = spawn(
    binary,
    ['-p', prefix, '-e', `${prefix}/error.log`, '-c', `${prefix}/nginx.conf`, '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  watch(child);
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${readLog(prefix)}`);
    try {
      await fetch(readyUrl, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    async stop() {
      await stopProcess(child, 'SIGQUIT');
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** The sum of one counter's samples whose labels contain `labels`, scraped from a metrics port. */
export async function scrapeCounter(metricsPort: number, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

function readLog(prefix: string): string {
  try {
    return readFileSync(`${prefix}/error.log`, 'utf8').slice(-1000);
  } catch {
    return '';
  }
}
