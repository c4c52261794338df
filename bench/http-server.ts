/**
 * The service as the HTTP benchmark runs it: `buildApp` without logging, rate limit or load shedding
 * (autocannon is one client hammering it on purpose), in `workers` processes sharing one port through node:cluster, so that both
 * cores evaluate. Tells the parent its URL over IPC once every worker listens.
 */

import cluster from 'node:cluster';
import { buildApp } from '../server/app.js';

const workers = Number(process.env.BENCH_WORKERS ?? '2');

if (cluster.isPrimary) {
  let listening = 0;
  cluster.on('listening', (_worker, address) => {
    listening++;
    if (listening === workers) process.send?.({ url: `http://127.0.0.1:${address.port}` });
  });
  // A worker that dies would leave the benchmark waiting on a port nobody serves.
  cluster.on('exit', (_worker, code) => process.exit(code === 0 ? 1 : code));
  // Workers listening on port 0 share the primary's one handle, hence one free port for all.
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    cluster.removeAllListeners('exit');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  });
} else {
  // Load shedding off too: its fast 503s would count as throughput; here we measure what evaluates.
  const app = await buildApp({ logger: false, rateLimit: false, overload: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
}
