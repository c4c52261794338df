/**
 * `npm run study -- demo --patients N --out DIR`: a whole study on this machine, end to end, and its
 * published record in DIR (docs/STUDIES.md, "The record"):
 *   1. three trustees make a 2-of-3 joint key with `npm run trustee`'s steps (their secret files in a
 *      temporary directory, removed at the end: DIR holds only what is published);
 *   2. the sponsor makes its token issuer key and puts both keys in the study file;
 *   3. the service's study routes run on a loopback port, on an embedded database (temporary too);
 *   4. N synthetic patients each get a Privacy Pass token from the sponsor (blind: the sponsor never
 *      sees the token) and POST their contribution, encrypted and proved, over HTTP;
 *   5. the study is closed; the tally is summed from the bulletin board as anyone can download it;
 *   6. trustees 1 and 2 decrypt it; the totals are decoded and the statistics released;
 *   7. the record is written and verified from its files.
 * The service here is the study routes on the service's own `buildApp`; `npm start` does not serve
 * studies yet.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64urlnopad } from '@scure/base';
import { buildApp } from '../server/app.js';
import { RISTRETTO255 as group } from '../server/groups.js';
import { openDatabase } from '../server/studies/database.js';
import { studyRoutes } from '../server/studies/routes.js';
import { StudyStore } from '../server/studies/store.js';
import { loadStudy } from '../server/studies/study-files.js';
import { buildContribution, parseContribution } from '../shared/studies/contribution.js';
import { partialDecryptionFromBytes } from '../shared/studies/crypto/threshold.js';
import { plaintextSlots } from '../shared/studies/layout.js';
import {
  RECORD_FILES,
  type RecordCheck,
  recordVerifies,
  resultFile,
  type StudyRecordFiles,
  tallyFile,
  verifyRecord,
} from '../shared/studies/record.js';
import { releaseStatistics } from '../shared/studies/statistics.js';
import { syntheticAnswers } from '../shared/studies/synthetic-answers.js';
import { decryptTotals, sumSlots } from '../shared/studies/tally.js';
import { requestStudyToken } from '../shared/studies/tokens/client.js';
import { issueTokenResponse, parseTokenRequest } from '../shared/studies/tokens/issuer.js';
import { generateIssuerKeyPair } from '../shared/studies/tokens/issuer-key.js';
import { opensslPrivateOperation } from '../shared/studies/tokens/issuer-openssl.js';
import {
  assembleRecord,
  checkRound,
  commitRound,
  decryptTally,
  makeTrusteeKey,
  shareRound,
} from './trustee-steps.js';

const EXAMPLE = new URL('../studies/home-blood-pressure.study.json', import.meta.url);

function readJsonFile(path: string | URL): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export interface DemoReport {
  readonly patients: number;
  readonly accepted: number;
  readonly contributeMs: number;
  readonly checks: readonly RecordCheck[];
  /** Whether the decrypted totals are the sums of the synthetic answers, slot by slot. */
  readonly totalsMatchAnswers: boolean;
}

/** Contributions in flight at once: the service verifies what arrives together in one batch. */
const CONCURRENCY = 16;

export async function runDemo(
  patients: number,
  out: string,
  log: (line: string) => void,
): Promise<DemoReport> {
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'sealed-vitals-study-demo-'));
  try {
    return await runIn(work, patients, out, log);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function runIn(
  work: string,
  patients: number,
  out: string,
  log: (line: string) => void,
): Promise<DemoReport> {
  const trusteesDir = join(work, 'trustees');
  mkdirSync(trusteesDir);

  // 1. The key ceremony among three trustees, on the study as drafted.
  const example = readJsonFile(EXAMPLE) as Record<string, unknown>;
  const { jointKey: _example, ceremony: _exampleCeremony, ...draft } = example;
  const secrets = [1, 2, 3].map((i) => join(trusteesDir, `trustee-${i}.secret.json`));
  const trusteeKeys = secrets.map((path) => makeTrusteeKey(path));
  const members = (example.trustees as { members: { name: string }[] }).members.map((m, i) => ({
    name: m.name,
    publicKey: trusteeKeys[i],
  }));
  // 2. The sponsor's token issuer.
  const issuer = await generateIssuerKeyPair();
  const now = Date.now();
  const drafted = {
    ...draft,
    opens: new Date(now - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    closes: new Date(now + 24 * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    trustees: { threshold: 2, members },
    tokenIssuer: {
      name: (example.tokenIssuer as { name: string }).name,
      publicKey: base64urlnopad.encode(issuer.publicKey.spki),
    },
  };
  const draftPath = join(trusteesDir, 'study.draft.json');
  writeFileSync(draftPath, JSON.stringify(drafted, null, 2));
  for (const secret of secrets) commitRound(draftPath, secret, trusteesDir);
  for (const secret of secrets) shareRound(draftPath, secret, trusteesDir);
  for (const secret of secrets) {
    const { complaints } = checkRound(draftPath, secret, trusteesDir);
    if (complaints.length > 0) throw new Error(`The ceremony failed: ${complaints.join('; ')}`);
  }
  const ceremonyPath = join(out, RECORD_FILES.ceremony);
  const jointKey = assembleRecord(draftPath, trusteesDir, ceremonyPath);
  const published = new TextEncoder().encode(
    `${JSON.stringify({ ...drafted, jointKey, ceremony: RECORD_FILES.ceremony }, null, 2)}\n`,
  );
  const studyPath = join(out, RECORD_FILES.study);
  writeFileSync(studyPath, published);
  log(`ceremony: 3 trustees, threshold 2; joint key ${jointKey}`);

  // 3. The service's study routes on loopback.
  const served = await loadStudy(group, RECORD_FILES.study, published);
  const { study, layout } = served.statement;
  const database = await openDatabase({ kind: 'embedded', dir: join(work, 'database') });
  const store = new StudyStore(database);
  const app = await buildApp({ logger: false, rateLimit: false, overload: false, metrics: false });
  await app.register(studyRoutes, { prefix: '/api', studies: new Map([[study.id, served]]), store, group });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    // 4. Patients: a blind token from the sponsor, then the contribution over HTTP.
    const scope = { issuerName: study.tokenIssuer.name, studyId: study.id, opens: study.opens };
    const sign = opensslPrivateOperation(issuer.privateKey);
    const started = performance.now();
    let accepted = 0;
    let next = 0;
    const patient = async (i: number) => {
      const pending = await requestStudyToken(scope, issuer.publicKey);
      const response = await issueTokenResponse(
        issuer,
        parseTokenRequest(pending.request, issuer.publicKey),
        sign,
      );
      const token = await pending.finalize(response);
      const contribution = buildContribution(group, served.statement, syntheticAnswers(i), token);
      const answer = await fetch(`${base}/api/studies/${study.id}/contributions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(contribution),
      });
      if (answer.status !== 201)
        throw new Error(`Patient ${i}'s contribution was refused: ${await answer.text()}`);
      accepted++;
    };
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, patients) }, async () => {
        while (next < patients) await patient(next++);
      }),
    );
    const contributeMs = performance.now() - started;
    log(`contributions: ${accepted} of ${patients} accepted in ${(contributeMs / 1000).toFixed(1)} s`);

    // 5. Closed; the board downloaded page by page as anyone would, and summed.
    await store.closeStudy(study.id);
    const board: { seq: number; contribution: unknown }[] = [];
    for (;;) {
      const page = (await (
        await fetch(`${base}/api/studies/${study.id}/contributions?after=${board.length}&limit=1000`)
      ).json()) as { contributions: { seq: number; contribution: unknown }[] };
      if (page.contributions.length === 0) break;
      board.push(...page.contributions);
    }
    const totals = sumSlots(
      group,
      layout.slots.length,
      board.map((b) => parseContribution(group, served.statement, b.contribution).slots),
    );
    const tallyPath = join(out, RECORD_FILES.tally);
    writeFileSync(tallyPath, JSON.stringify(tallyFile(group, totals, board.length), null, 2));

    // 6. Trustees 1 and 2 decrypt; the totals are decoded and released.
    const decryptions = [1, 2].map((index) => {
      const path = join(trusteesDir, `decryption-${index}.json`);
      decryptTally(studyPath, secrets[index - 1] as string, tallyPath, path);
      return readJsonFile(path) as { trustee: number; partials: string[] };
    });
    const parsedDecryptions = decryptions.map((d) => ({
      trustee: d.trustee,
      partials: d.partials.map((p) => partialDecryptionFromBytes(group, d.trustee, base64urlnopad.decode(p))),
    }));
    const decoded = decryptTotals(group, study, totals, parsedDecryptions, board.length);
    const release = releaseStatistics(study, decoded, board.length);

    // 7. The record, written and verified from its files.
    const files: StudyRecordFiles = {
      study: JSON.parse(new TextDecoder().decode(published)),
      ceremony: readJsonFile(ceremonyPath),
      contributions: board,
      tally: readJsonFile(tallyPath),
      decryptions,
      result: resultFile(decoded, release),
    };
    writeFileSync(join(out, RECORD_FILES.contributions), JSON.stringify(board));
    writeFileSync(join(out, RECORD_FILES.decryptions), JSON.stringify(decryptions, null, 2));
    writeFileSync(join(out, RECORD_FILES.result), JSON.stringify(files.result, null, 2));
    const checks = await verifyRecord(group, files);
    log(recordVerifies(checks) ? `record: ${out} verifies` : `record: ${out} does NOT verify`);
    // The totals are the sums of what the synthetic patients answered (the demo knows them; no one else would).
    const answered = Array.from({ length: patients }, (_, i) =>
      plaintextSlots(study, syntheticAnswers(i)),
    ).reduce((sum, slots) => sum.map((s, i) => s + (slots[i] as bigint)));
    const totalsMatchAnswers = answered.every((total, slot) => total === decoded[slot]);
    log(
      totalsMatchAnswers
        ? 'totals: the sums of the patients’ answers'
        : 'totals: NOT the sums of the answers',
    );
    return { patients, accepted, contributeMs, checks, totalsMatchAnswers };
  } finally {
    await app.close();
    await database.close();
  }
}
