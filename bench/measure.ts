/** Timing helpers for the benchmarks: warm up, then report the median of repeated runs. */

export interface Timing {
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly runs: number;
}

/** Runs `fn` until `minMs` has passed (at least `minRuns` times) after `warmup` untimed calls. */
export function measure(fn: () => unknown, { warmup = 3, minRuns = 10, minMs = 300 } = {}): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < minRuns || performance.now() - started < minMs) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((x, y) => x - y);
  const at = (q: number) =>
    samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? Number.NaN;
  return { medianMs: at(0.5), p90Ms: at(0.9), runs: samples.length };
}

export function formatMs(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}
