/**
 * Helper processes for the tests of a service that runs as a fleet: Redis for the shared rate limit,
 * nginx in front of several instances, instances of the service as `npm start` runs it.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';

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
