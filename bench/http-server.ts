/**
 * The service for the HTTP benchmark, in `BENCH_WORKERS` processes sharing one port through
 * node:cluster so that both cores evaluate, built with `buildApp` and the layers `BENCH_LAYERS` names
 * (comma-separated: `logging`, `rate-limit`, `admission`, `metrics`; none = the bare service), with
 * the models of `MODELS_DIR` when set, as server/main.ts reads it. The
 * service exactly as shipped is not run from here but from server/main.ts itself (bench/http.ts).
 * Tells the parent its URL over IPC once every worker listens.
 */

import cluster from 'node:cluster';
import { buildApp, DEFAULT_ADMISSION } from '../server/app.js';

const workers = Number(process.env.BENCH_WORKERS ?? '2');
const layers = new Set((process.env.BENCH_LAYERS ?? '').split(',').filter((layer) => layer !== ''));
const maxInFlight = Number(process.env.BENCH_MAX_IN_FLIGHT ?? DEFAULT_ADMISSION.maxInFlight);

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
  const app = await buildApp({
    // Logs go to stdout, which the benchmark reads and drops, as a log collector would.
    logger: layers.has('logging'),
    // Counted on every request, but never reached: autocannon is one client on purpose.
    rateLimit: layers.has('rate-limit') ? { max: 1e9, timeWindowMs: 60_000 } : false,
    overload: layers.has('admission') ? { ...DEFAULT_ADMISSION, maxInFlight } : false,
    metrics: layers.has('metrics'),
    ...(process.env.MODELS_DIR ? { modelsDir: process.env.MODELS_DIR } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
}
