import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../server/test-support.js';
import {
  type CatalogCheck,
  checkCatalog,
  EMPTY_TRUST_STATE,
  type LogClient,
  type TrustState,
} from './catalog-trust.js';
import { formatCheckpoint, type LogPolicy } from './log/checkpoint.js';
import { cosign } from './log/cosignature.js';
import { entryBytes, modelLogEntry } from './log/entries.js';
import { leafHash, MerkleTree } from './log/merkle.js';
import { formatNote, generateSignerKey, parseSignerKey, type SignerKey, signNote } from './log/note.js';

const ORIGIN = 'test.example/log';
const logKey = parseSignerKey(generateSignerKey(ORIGIN, 0x01).signerKey);
const witnessKeys = ['w1', 'w2', 'w3'].map((name) => parseSignerKey(generateSignerKey(name, 0x04).signerKey));
const POLICY: LogPolicy = {
  origin: ORIGIN,
  logKey: logKey.text,
  witnesses: witnessKeys.map((k) => k.text),
  quorum: 2,
};

type Entry = Record<string, unknown>;

/** The service's own v2 catalog, as a device receives it (models the app does not ship among them). */
async function servedCatalog(): Promise<Entry[]> {
  const app = await buildTestApp();
  try {
    return (
      (await app.inject({ method: 'GET', url: '/api/v2/computations' })).json() as { computations: Entry[] }
    ).computations;
  } finally {
    await app.close();
  }
}
const served = await servedCatalog();
const MAYO = 'mayo-lung-nodule';
/** A model the app does not ship, early in the log. */
const CKD = 'ckd-epi-2021';

/** A log holding `entries` (each at its index), signed by the log and cosigned by `cosigners`. */
function logOf(entries: readonly Entry[], cosigners: readonly SignerKey[] = witnessKeys) {
  const tree = new MerkleTree(entries.map((e) => leafHash(entryBytes(modelLogEntry(e)))));
  const text = formatCheckpoint({ origin: ORIGIN, size: tree.size, root: tree.root(), extensions: [] });
  const checkpoint = formatNote({
    text,
    signatures: [signNote(text, logKey), ...cosigners.map((k) => cosign(text, 1_800_000_000, k))],
  });
  const client: LogClient & { asked: string[] } = {
    asked: [],
    async checkpoint() {
      client.asked.push('checkpoint');
      return checkpoint;
    },
    async inclusion(index, size) {
      client.asked.push(`inclusion ${index} ${size}`);
      return tree.inclusionProof(index, size);
    },
    async consistency(from, to) {
      client.asked.push(`consistency ${from} ${to}`);
      return tree.consistencyProof(from, to);
    },
  };
  return { tree, client };
}

/** The catalog as served with each entry's place in `entries`. */
function catalogFor(entries: readonly Entry[], shown: readonly Entry[] = entries): { computations: Entry[] } {
  return { computations: shown.map((e) => ({ ...e, log: { index: entries.indexOf(e) } })) };
}

const reasonOf = (check: CatalogCheck, id: string) => {
  const verdict = check.verdicts.get(id);
  return verdict && !verdict.trusted ? verdict.reason : undefined;
};

describe('checking a catalog against the transparency log', () => {
  it('trusts a logged model with its inclusion proof, and keeps the checkpoint, version and leaf', async () => {
    const { client, tree } = logOf(served);
    const check = await checkCatalog(catalogFor(served), POLICY, client, EMPTY_TRUST_STATE);
    const mayo = check.verdicts.get(MAYO);
    expect(mayo).toMatchObject({
      trusted: true,
      log: { size: served.length, cosignedBy: ['w1', 'w2', 'w3'] },
    });
    // A shipped computation at its shipped version needs no proof: none was asked for it.
    expect(check.verdicts.get('bmi')).toMatchObject({ trusted: true });
    expect(check.verdicts.get('bmi')).not.toHaveProperty('log');
    expect(client.asked.filter((a) => a.startsWith('inclusion')).length).toBe(
      served.filter((e) => ['mayo-lung-nodule', 'ckd-epi-2021', 'prevent-2023'].includes(e.id as string))
        .length,
    );
    expect(check.state.checkpoint?.size).toBe(tree.size);
    expect(check.state.versions[MAYO]).toBe(1);
    expect(Object.keys(check.state.accepted)).toContain(`${MAYO}@1`);
  });

  it('asks the log nothing when everything is shipped at its version', async () => {
    const shipped = served.filter((e) => ['bmi', 'cha2ds2-vasc', 'framingham-2008'].includes(e.id as string));
    const { client } = logOf(shipped);
    const check = await checkCatalog(catalogFor(shipped), POLICY, client, EMPTY_TRUST_STATE);
    expect([...check.verdicts.values()].every((v) => v.trusted)).toBe(true);
    expect(client.asked).toEqual([]);
    expect(check.state).toBe(EMPTY_TRUST_STATE);
  });

  it('refuses every model it does not ship without a policy, without a quorum or with the log unreachable', async () => {
    const { client } = logOf(served);
    expect(
      reasonOf(await checkCatalog(catalogFor(served), undefined, client, EMPTY_TRUST_STATE), MAYO),
    ).toMatch(/built without a transparency log/);
    const oneWitness = logOf(served, witnessKeys.slice(0, 1)).client;
    const below = await checkCatalog(catalogFor(served), POLICY, oneWitness, EMPTY_TRUST_STATE);
    expect(reasonOf(below, MAYO)).toMatch(/cosigned by 1 of the 3 witnesses; 2 are needed/);
    expect(below.state).toBe(EMPTY_TRUST_STATE);
    // Cosigned by keys of the witnesses' names that are not theirs: not counted.
    const impostors = ['w1', 'w2', 'w3'].map((n) => parseSignerKey(generateSignerKey(n, 0x04).signerKey));
    expect(
      reasonOf(
        await checkCatalog(catalogFor(served), POLICY, logOf(served, impostors).client, EMPTY_TRUST_STATE),
        MAYO,
      ),
    ).toMatch(/refused/);
    const down: LogClient = { ...client, checkpoint: () => Promise.reject(new Error('offline')) };
    expect(reasonOf(await checkCatalog(catalogFor(served), POLICY, down, EMPTY_TRUST_STATE), MAYO)).toMatch(
      /could not be reached/,
    );
    // A shipped one is unaffected: its trust comes with the app.
    expect(
      (await checkCatalog(catalogFor(served), undefined, client, EMPTY_TRUST_STATE)).verdicts.get('bmi'),
    ).toMatchObject({ trusted: true });
  });

  it('refuses an entry not logged where it says, or other bytes than logged (what one device is shown)', async () => {
    const { client } = logOf(served);
    const catalog = catalogFor(served);
    const mayo = catalog.computations.find((e) => e.id === MAYO) as Entry;
    mayo.log = { index: 0 };
    expect(reasonOf(await checkCatalog(catalog, POLICY, client, EMPTY_TRUST_STATE), MAYO)).toMatch(
      /not what it logged for every patient/,
    );
    delete mayo.log;
    expect(reasonOf(await checkCatalog(catalog, POLICY, client, EMPTY_TRUST_STATE), MAYO)).toMatch(
      /did not say where it is logged/,
    );
    mayo.log = { index: served.length };
    expect(reasonOf(await checkCatalog(catalog, POLICY, client, EMPTY_TRUST_STATE), MAYO)).toMatch(
      /did not say/,
    );
  });

  it('any changed character of a logged model’s entry is refused', async () => {
    const { client } = logOf(served);
    const mayoIndex = served.findIndex((e) => e.id === MAYO);
    const text = JSON.stringify(served[mayoIndex]);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: text.length - 1 }), async (at) => {
        const changed = text.slice(0, at) + (text[at] === '1' ? '2' : '1') + text.slice(at + 1);
        let entry: Entry;
        try {
          entry = JSON.parse(changed) as Entry;
        } catch {
          return; // Not JSON: no catalog at all.
        }
        if (entry.id !== MAYO) return;
        const catalog = { computations: [{ ...entry, log: { index: mayoIndex } }] };
        const verdict = (await checkCatalog(catalog, POLICY, client, EMPTY_TRUST_STATE)).verdicts.get(MAYO);
        expect(verdict?.trusted).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('against the kept state: an extension is checked for consistency; a rollback and a fork are refused', async () => {
    const first = served.slice(0, -1);
    const before = await checkCatalog(catalogFor(first), POLICY, logOf(first).client, EMPTY_TRUST_STATE);
    const kept = before.state;
    expect(kept.checkpoint?.size).toBe(first.length);

    const grown = logOf(served);
    const extended = await checkCatalog(catalogFor(served), POLICY, grown.client, kept);
    expect(extended.verdicts.get(MAYO)).toMatchObject({
      trusted: true,
      log: { consistency: { from: first.length, to: served.length } },
    });
    expect(grown.client.asked).toContain(`consistency ${first.length} ${served.length}`);

    const rolledBack = await checkCatalog(
      catalogFor(first.slice(0, -1)),
      POLICY,
      logOf(first.slice(0, -1)).client,
      kept,
    );
    expect(reasonOf(rolledBack, CKD)).toMatch(/older than the one this device has already seen/);
    expect(rolledBack.state).toBe(kept);

    // The same size with another entry: another root.
    const forkedEntries = [...first.slice(0, -1), { ...(first.at(-1) as Entry), description: 'another' }];
    const forked = await checkCatalog(catalogFor(forkedEntries), POLICY, logOf(forkedEntries).client, kept);
    expect(reasonOf(forked, CKD)).toMatch(/forked log/);
    // A bigger tree that does not extend it.
    const forkedBigger = [...forkedEntries, served.at(-1) as Entry];
    expect(
      reasonOf(await checkCatalog(catalogFor(forkedBigger), POLICY, logOf(forkedBigger).client, kept), CKD),
    ).toMatch(/forked log/);
  });

  it('a version never goes back, and an accepted (id, version) never changes', async () => {
    const mayo = served.find((e) => e.id === MAYO) as Entry;
    const state: TrustState = { versions: { [MAYO]: 2 }, accepted: {} };
    const older = await checkCatalog(catalogFor(served), POLICY, logOf(served).client, state);
    expect(reasonOf(older, MAYO)).toMatch(/already used version 2/);
    const accepted: TrustState = { versions: {}, accepted: { [`${MAYO}@1`]: 'A'.repeat(43) } };
    const changed = await checkCatalog(catalogFor(served), POLICY, logOf(served).client, accepted);
    expect(reasonOf(changed, MAYO)).toMatch(/changed .* since this device first used it/);
    expect(mayo.version).toBe(1);
  });
});
