/**
 * A transparency-log witness (C2SP tlog-witness; server/witness/), run by whoever vouches for the log:
 *   npm run witness -- keygen --name NAME --out FILE
 *       a new witness key (cosignature type 0x04) into FILE (mode 0600); prints its verifier key
 *   npm run witness -- serve --key FILE --state DIR --log ORIGIN=VKEY [--log …] [--logs FILE]
 *                            [--host 127.0.0.1] [--port 7380]
 *       serves POST /add-checkpoint for those logs; DIR keeps what it cosigned (back it up: losing it
 *       lets the witness cosign a fork). `--logs FILE` is JSON: [{"origin": "…", "logKey": "<vkey>"}, …].
 * Prints the verifier key and URL when it is up, one line per request, and stops cleanly on SIGTERM or
 * SIGINT. No message ever holds the signer key.
 */

import { open, readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startWitness } from '../server/witness/http.js';
import type { WitnessEvent, WitnessedLog } from '../server/witness/witness.js';
import { COSIGNATURE_V1_KEY_TYPE, generateSignerKey, parseSignerKey } from '../shared/log/note.js';
import { isRecord } from '../shared/records.js';

const USAGE = `usage:
  npm run witness -- keygen --name NAME --out FILE
  npm run witness -- serve --key FILE --state DIR --log ORIGIN=VKEY [--log …] [--logs FILE] [--host H] [--port P]`;
const DEFAULT_PORT = 7380;

class UsageError extends Error {}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required.\n${USAGE}`);
  return value;
}

async function keygen(name: string, out: string): Promise<void> {
  if (name === '' || /[\s+]/u.test(name)) {
    throw new UsageError('--name must be non-empty, without spaces or "+" (e.g. witness.example.org/w1).');
  }
  const { signerKey, verifierKey } = generateSignerKey(name, COSIGNATURE_V1_KEY_TYPE);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // 'wx': a witness key is the witness's identity; never overwrite one.
    handle = await open(out, 'wx', 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST')
      throw new UsageError(`${out} exists; remove it first to replace that key.`);
    throw new UsageError(`Cannot create ${out} (${errorCode(error) ?? 'error'}).`);
  }
  try {
    await handle.writeFile(`${signerKey}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  console.log(verifierKey);
}

async function readSignerKey(file: string): Promise<string> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new UsageError(`Cannot read the key file ${file} (${errorCode(error) ?? 'error'}).`);
  }
  try {
    parseSignerKey(text);
  } catch {
    // The parser's message might quote the text; the file's content is a secret.
    throw new UsageError(`${file} does not hold a signer key (PRIVATE+KEY+…, as keygen writes).`);
  }
  if (((await stat(file)).mode & 0o077) !== 0) {
    console.warn(`warning: ${file} is readable by other users; chmod 600 ${file}`);
  }
  return text;
}

function parseLogFlag(flag: string): WitnessedLog {
  // Split at the first "=": a vkey's base64 has no padding (33 bytes), an origin rarely has one (use --logs).
  const at = flag.indexOf('=');
  if (at <= 0 || at === flag.length - 1) throw new UsageError(`--log ${flag}: expected ORIGIN=VKEY.`);
  return { origin: flag.slice(0, at), logKey: flag.slice(at + 1) };
}

async function readLogsFile(file: string): Promise<WitnessedLog[]> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--logs ${file}: ${errorCode(error) ? `cannot read it (${errorCode(error)})` : 'not JSON'}.`,
    );
  }
  if (!Array.isArray(value))
    throw new UsageError(`--logs ${file}: expected a JSON array of {origin, logKey}.`);
  return value.map((entry: unknown, i) => {
    const origin = isRecord(entry) ? entry.origin : undefined;
    const logKey = isRecord(entry) ? entry.logKey : undefined;
    if (typeof origin !== 'string' || typeof logKey !== 'string') {
      throw new UsageError(`--logs ${file}: entry ${i} needs string "origin" and "logKey".`);
    }
    return { origin, logKey };
  });
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535.`);
  return port;
}

function describeEvent(event: WitnessEvent): string {
  const what =
    event.status === 200
      ? `cosigned size ${event.size}`
      : event.status === 409
        ? `409 at size ${event.size}`
        : `${event.status} ${event.reason ?? ''}`;
  const evidence = event.evidence === undefined ? '' : ` checkpoint=${JSON.stringify(event.evidence)}`;
  return `${new Date().toISOString()} ${event.origin ?? '-'} ${what}${evidence}`;
}

async function serve(flags: Flags): Promise<void> {
  const keyFile = required(flags.key, '--key');
  const stateDir = required(flags.state, '--state');
  const logs = [
    ...(flags.log ?? []).map(parseLogFlag),
    ...(flags.logs === undefined ? [] : await readLogsFile(flags.logs)),
  ];
  if (logs.length === 0)
    throw new UsageError(`Name at least one log: --log ORIGIN=VKEY or --logs FILE.\n${USAGE}`);
  const witness = await startWitness({
    signerKey: await readSignerKey(keyFile),
    logs,
    stateDir,
    host: flags.host ?? '127.0.0.1',
    port: parsePort(flags.port),
    onEvent: (event) => (event.status >= 500 ? console.error : console.log)(describeEvent(event)),
  });
  console.log(`witness ${witness.verifierKey}`);
  console.log(`listening on ${witness.url} for ${logs.map((log) => log.origin).join(', ')}`);
  const stop = (signal: string) => {
    console.log(`${signal}: stopping`);
    witness.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({
      args,
      strict: true,
      options: {
        name: { type: 'string' },
        out: { type: 'string' },
        key: { type: 'string' },
        state: { type: 'string' },
        log: { type: 'string', multiple: true },
        logs: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
}

type Flags = ReturnType<typeof parseCommandLine>;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const flags = parseCommandLine(rest);
  if (command === 'keygen') await keygen(required(flags.name, '--name'), required(flags.out, '--out'));
  else if (command === 'serve') await serve(flags);
  else throw new UsageError(USAGE);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
