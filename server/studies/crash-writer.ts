/**
 * The crash test's victim (store.test.ts): adds contributions to one study, several at a time, forever,
 * and prints `ack <seq> <token hex>` for each one as soon as addContribution resolves, as the service
 * would answer 201. The test kills it with SIGKILL and checks that every acknowledged one is stored.
 *
 *   node --import tsx server/studies/crash-writer.ts <embedded DIR | server URL> <study id>
 */

import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { type DatabaseSetting, openDatabase } from './database.js';
import { StudyStore } from './store.js';

const IN_FLIGHT = 8;

const [kind, location, studyId] = process.argv.slice(2);
if ((kind !== 'embedded' && kind !== 'server') || !location || !studyId) {
  console.error('usage: crash-writer.ts <embedded DIR | server URL> <study id>');
  process.exit(2);
}
const setting: DatabaseSetting = kind === 'embedded' ? { kind, dir: location } : { kind, url: location };
const store = new StudyStore(await openDatabase(setting));
// Synchronous writes to the pipe: a line printed is a line the test reads, however the process dies.
writeSync(1, 'ready\n');

async function contributeForever(): Promise<never> {
  for (;;) {
    const token = randomBytes(32);
    const record = new TextEncoder().encode(JSON.stringify({ token: token.toString('hex') }));
    const added = await store.addContribution(studyId as string, token, record);
    if (added.outcome !== 'added') throw new Error(`Unexpected ${added.outcome}`);
    writeSync(1, `ack ${added.seq} ${token.toString('hex')}\n`);
  }
}

await Promise.all(Array.from({ length: IN_FLIGHT }, contributeForever));
