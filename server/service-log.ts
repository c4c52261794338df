/**
 * Where the service's log goes when it runs (server/main.ts): JSON lines, one per event, for a log
 * collector; on a terminal, the same events as short lines a person reads. The terminal form only
 * reformats what the JSON line holds, which app.ts's serializers have already stripped of bodies,
 * headers, query strings and client addresses.
 */

import { Writable } from 'node:stream';

/**
 * Fastify logs every address it bound, in every worker; the service says where it listens once,
 * itself. Passed as Fastify's listen text, so that its lines can be told apart and dropped.
 */
export const FASTIFY_LISTEN_TEXT = 'sealed-vitals:fastify-listening';

interface Output {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Fastify's `logger` options for the service writing to `out` (process.stdout). */
export function serviceLoggerOptions(out: Output): object {
  return {
    hooks: {
      logMethod(this: unknown, args: unknown[], method: (...args: unknown[]) => void) {
        if (args[0] !== FASTIFY_LISTEN_TEXT) method.apply(this, args);
      },
    },
    ...(out.isTTY ? { stream: terminalLog(out) } : {}),
  };
}

const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
/** Said by the time, the level and the message (or the request line) already, or the same for every line. */
const SHOWN = new Set([
  'level',
  'time',
  'msg',
  'pid',
  'hostname',
  'req',
  'res',
  'responseTime',
  'reqId',
  'err',
]);

/** A stream pino writes its JSON lines to, writing each to `out` as a line for a terminal. */
export function terminalLog(out: Output): Writable {
  let pending = '';
  return new Writable({
    write(chunk, _encoding, done) {
      const lines = (pending + String(chunk)).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line !== '') out.write(`${terminalLine(line)}\n`);
      done();
    },
  });
}

/** One pino JSON line as `12:04:05.123 INFO  message POST /path 200 3.1 ms key=value …`. */
export function terminalLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toTimeString().slice(0, 8) : '--:--:--';
  const parts = [time, LEVELS[entry.level as number] ?? String(entry.level), String(entry.msg ?? '')];
  const { req, res, responseTime, reqId, err } = entry as {
    req?: { method?: string; url?: string };
    res?: { statusCode?: number };
    responseTime?: number;
    reqId?: string;
    err?: { message?: string; stack?: string };
  };
  if (req) parts.push(`${req.method} ${req.url}`);
  if (res) parts.push(String(res.statusCode));
  if (typeof responseTime === 'number') parts.push(`${responseTime.toFixed(1)} ms`);
  for (const [key, value] of Object.entries(entry)) {
    if (!SHOWN.has(key)) parts.push(`${key}=${JSON.stringify(value)}`);
  }
  if (reqId) parts.push(`(request ${reqId})`);
  const text = parts.filter((part) => part !== '').join(' ');
  return err ? `${text}\n  ${(err.stack ?? err.message ?? '').split('\n').join('\n  ')}` : text;
}
