import { describe, expect, it } from 'vitest';
import { cha2ds2Vasc } from './computations/cha2ds2-vasc.js';
import { framingham } from './computations/framingham.js';
import type { Declaration } from './declaration.js';
import { type PinStore, trustCatalogEntry } from './trusted-declarations.js';

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
