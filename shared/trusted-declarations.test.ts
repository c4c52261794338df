import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../server/test-support.js';
import { cha2ds2Vasc } from './computations/cha2ds2-vasc.js';
import { framingham } from './computations/framingham.js';
import type { Declaration } from './declaration.js';
import { type PinStore, trustCatalogEntry, trustModelEntry } from './trusted-declarations.js';

function memoryPins(): PinStore & { entries: Map<string, Declaration | string> } {
  const entries = new Map<string, Declaration | string>();
  return { entries, get: async (k) => entries.get(k), set: async (k, d) => void entries.set(k, d) };
}

/** Another valid element: 7·G, standing for the commitment to some other model. */
const OTHER_COMMITMENT = 'RPU1IJJuyB-9Wjh4Rb6334WpaiTs4Yc4vc-mp4IqF20';

const entryOf = (version: number, evaluation: unknown) => ({ id: framingham.id, version, evaluation });

describe('which declaration a client trusts', () => {
  it('the one it ships with, for the version it ships', async () => {
    const trust = await trustCatalogEntry(framingham, entryOf(1, framingham.evaluation), memoryPins());
    expect(trust).toEqual({ trusted: true, computation: framingham });
  });

  it('refuses another declaration for a version it ships, public or private', async () => {
    const pins = memoryPins();
    const changedModel = await trustCatalogEntry(
      framingham,
      entryOf(1, { kind: 'private-linear', commitment: OTHER_COMMITMENT }),
      pins,
    );
    expect(changedModel).toMatchObject({ trusted: false, reason: expect.stringContaining('differently') });
    const weights = {
      ...(cha2ds2Vasc.evaluation.kind === 'public-linear'
        ? cha2ds2Vasc.evaluation.outputs.score?.weights
        : {}),
      stroke: 0,
    };
    const changedFormula = await trustCatalogEntry(
      cha2ds2Vasc,
      {
        id: cha2ds2Vasc.id,
        version: 1,
        evaluation: { kind: 'public-linear', outputs: { score: { weights, constant: 0 } } },
      },
      pins,
    );
    expect(changedFormula.trusted).toBe(false);
    expect(pins.entries.size).toBe(0);
  });

  it('pins a private model’s new version on first use, and refuses it changed later', async () => {
    const pins = memoryPins();
    const v2 = { kind: 'private-linear', commitment: OTHER_COMMITMENT } as const;
    const first = await trustCatalogEntry(framingham, entryOf(2, v2), pins);
    expect(first).toMatchObject({ trusted: true, computation: { version: 2, evaluation: v2 } });
    expect(await trustCatalogEntry(framingham, entryOf(2, v2), pins)).toMatchObject({ trusted: true });
    const changed = await trustCatalogEntry(framingham, entryOf(2, framingham.evaluation), pins);
    expect(changed).toMatchObject({
      trusted: false,
      reason: expect.stringContaining('since this device first used it'),
    });
  });

  it('refuses a new version of a public computation (its form and meaning ship with the app) and a malformed entry', async () => {
    const pins = memoryPins();
    expect(
      (
        await trustCatalogEntry(
          cha2ds2Vasc,
          { id: cha2ds2Vasc.id, version: 2, evaluation: cha2ds2Vasc.evaluation },
          pins,
        )
      ).trusted,
    ).toBe(false);
    expect(
      (await trustCatalogEntry(framingham, entryOf(1, { kind: 'private-linear', commitment: 'AA' }), pins))
        .trusted,
    ).toBe(false);
    expect((await trustCatalogEntry(framingham, { id: 'other', version: 1 }, pins)).trusted).toBe(false);
  });
});

type Entry = Record<string, unknown> & { model: Record<string, unknown> };

/** The service's own v2 catalog entries for the built-in model files, as a device receives them. */
async function servedEntries(): Promise<Map<string, Entry>> {
  const app = await buildTestApp();
  try {
    const response = await app.inject({ method: 'GET', url: '/api/v2/computations' });
    const { computations } = response.json() as { computations: Entry[] };
    return new Map(computations.filter((c) => c.model !== undefined).map((c) => [c.id as string, c]));
  } finally {
    await app.close();
  }
}

const entries = await servedEntries();
const entry = (id: string): Entry => structuredClone(entries.get(id) as Entry);

describe('a model the app does not ship (trustModelEntry)', () => {
  it('is built from its catalog entry and pinned whole on first use per (id, version)', async () => {
    const pins = memoryPins();
    const first = await trustModelEntry(entry('mayo-lung-nodule'), pins);
    expect(first).toMatchObject({
      trusted: true,
      computation: { id: 'mayo-lung-nodule', version: 1, evaluation: entry('mayo-lung-nodule').evaluation },
    });
    expect([...pins.entries.keys()]).toEqual(['model:mayo-lung-nodule@1']);
    expect(await trustModelEntry(entry('mayo-lung-nodule'), pins)).toMatchObject({ trusted: true });
    // A private model's entry too: its commitment is pinned with it.
    const privateModel = await trustModelEntry(entry('framingham-2008'), pins);
    expect(privateModel).toMatchObject({ trusted: true, computation: { evaluation: framingham.evaluation } });
    expect(pins.entries.has('model:framingham-2008@1')).toBe(true);
  });

  it('refuses the same (id, version) changed in anything later, and takes it as a new version', async () => {
    const pins = memoryPins();
    await trustModelEntry(entry('ckd-epi-2021'), pins);
    const regraded = entry('ckd-epi-2021');
    const grades = regraded.model.grades as { category: string }[];
    regraded.model.grades = grades.map((g, i) => (i === 0 ? { ...g, category: 'Fine' } : g));
    expect(await trustModelEntry(regraded, pins)).toMatchObject({
      trusted: false,
      reason: expect.stringContaining('since this device first used it'),
    });
    const renamed = entry('framingham-2008');
    await trustModelEntry(entry('framingham-2008'), pins);
    expect(
      await trustModelEntry(
        { ...renamed, evaluation: { kind: 'private-linear', commitment: OTHER_COMMITMENT } },
        pins,
      ),
    ).toMatchObject({ trusted: false, reason: expect.stringContaining('since this device first used it') });
    const nextVersion = { ...regraded, version: 2, model: { ...regraded.model, version: 2 } };
    expect(await trustModelEntry(nextVersion, pins)).toMatchObject({ trusted: true });
  });

  it('refuses an entry that is not what its model describes, and pins nothing', async () => {
    const pins = memoryPins();
    const mayo = entry('mayo-lung-nodule');
    const evaluation = mayo.evaluation as { outputs: Record<string, { weights: Record<string, number> }> };
    const output = evaluation.outputs.linearPredictor as { weights: Record<string, number> };
    output.weights.smoker = 0; // the declaration no longer the model's own weights
    expect(await trustModelEntry(mayo, pins)).toMatchObject({
      trusted: false,
      reason: expect.stringContaining('its declaration is not its model’s'),
    });
    const widened = entry('mayo-lung-nodule');
    const [first, ...rest] = widened.inputs as { max: number }[];
    widened.inputs = [{ ...first, max: 1000 }, ...rest];
    expect(await trustModelEntry(widened, pins)).toMatchObject({
      trusted: false,
      reason: expect.stringContaining('its entry is not what its model describes'),
    });
    const weightless = entry('cha2ds2-vasc');
    const { coefficients: _, ...withoutWeights } = weightless.model;
    expect((await trustModelEntry({ ...weightless, model: withoutWeights }, pins)).trusted).toBe(false);
    expect(pins.entries.size).toBe(0);
  });
});
