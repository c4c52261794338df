import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODELS_DIR } from '../server/served-catalog.js';
import { buildTestApp } from '../server/test-support.js';
import { describedComputation, isShipped } from './catalog-entry.js';
import { cha2ds2Vasc } from './computations/cha2ds2-vasc.js';
import { framingham } from './computations/framingham.js';

/** Another valid element: 7·G, standing for the commitment to some other model. */
const OTHER_COMMITMENT = 'RPU1IJJuyB-9Wjh4Rb6334WpaiTs4Yc4vc-mp4IqF20';

type Entry = Record<string, unknown> & { model: Record<string, unknown> };

/** The service's own v2 catalog entries, as a device receives them. */
async function servedEntries(): Promise<Map<string, Entry>> {
  const app = await buildTestApp();
  try {
    const response = await app.inject({ method: 'GET', url: '/api/v2/computations' });
    const { computations } = response.json() as { computations: Entry[] };
    return new Map(computations.map((c) => [c.id as string, c]));
  } finally {
    await app.close();
  }
}

const entries = await servedEntries();
const entry = (id: string): Entry => structuredClone(entries.get(id) as Entry);

describe('what a catalog entry describes', () => {
  it('a shipped computation at its version: the shipped one, exactly', () => {
    expect(describedComputation(entry(framingham.id))).toBe(framingham);
    expect(describedComputation(entry(cha2ds2Vasc.id))).toBe(cha2ds2Vasc);
    expect(isShipped(framingham)).toBe(true);
  });

  it('refuses another declaration under a shipped version, public or private', () => {
    const changedModel = {
      ...entry(framingham.id),
      evaluation: { kind: 'private-linear', commitment: OTHER_COMMITMENT },
    };
    expect(() => describedComputation(changedModel)).toThrow(/differently from what this app ships/);
    const weights = {
      ...(cha2ds2Vasc.evaluation.kind === 'public-linear'
        ? cha2ds2Vasc.evaluation.outputs.score?.weights
        : {}),
      stroke: 0,
    };
    const changedFormula = {
      ...entry(cha2ds2Vasc.id),
      evaluation: { kind: 'public-linear', outputs: { score: { weights, constant: 0 } } },
    };
    expect(() => describedComputation(changedFormula)).toThrow(/differently/);
  });

  it('a shipped private model’s new version: its new commitment, not shipped', () => {
    const v2 = { kind: 'private-linear', commitment: OTHER_COMMITMENT } as const;
    const computation = describedComputation({ ...entry(framingham.id), version: 2, evaluation: v2 });
    expect(computation).toMatchObject({ id: framingham.id, version: 2, evaluation: v2 });
    expect(isShipped(computation)).toBe(false);
  });

  it('refuses a new version of a public computation and a malformed entry', () => {
    expect(() => describedComputation({ ...entry(cha2ds2Vasc.id), version: 2 })).toThrow(/Update the app/);
    expect(() =>
      describedComputation({
        ...entry(framingham.id),
        evaluation: { kind: 'private-linear', commitment: 'AA' },
      }),
    ).toThrow();
    expect(() => describedComputation({ id: 7 })).toThrow(/malformed/);
  });

  it('a model file the app does not ship: built from its entry, which must be its model’s', () => {
    expect(describedComputation(entry('mayo-lung-nodule'))).toMatchObject({
      id: 'mayo-lung-nodule',
      version: 1,
    });
    const mayo = entry('mayo-lung-nodule');
    const evaluation = mayo.evaluation as { outputs: Record<string, { weights: Record<string, number> }> };
    (evaluation.outputs.linearPredictor as { weights: Record<string, number> }).weights.smoker = 0;
    expect(() => describedComputation(mayo)).toThrow(/its declaration is not its model’s/);
    const widened = entry('mayo-lung-nodule');
    const [first, ...rest] = widened.inputs as { max: number }[];
    widened.inputs = [{ ...first, max: 1000 }, ...rest];
    expect(() => describedComputation(widened)).toThrow(/its entry is not what its model describes/);
    // The entry's place in the log is not part of what it describes.
    expect(describedComputation({ ...entry('mayo-lung-nodule'), log: { index: 3 } })).toMatchObject({
      id: 'mayo-lung-nodule',
    });
  });

  it('refuses a look-alike: a model under another id with a shipped calculator’s title (finding 4)', async () => {
    // What an operator would serve: CHA₂DS₂-VASc's own model file under a new id, its title unchanged.
    const dir = mkdtempSync(join(tmpdir(), 'lookalike-'));
    const file = JSON.parse(readFileSync(join(DEFAULT_MODELS_DIR, 'cha2ds2-vasc.model.json'), 'utf8'));
    const id = 'cha2ds2-vasc-update';
    writeFileSync(
      join(dir, `${id}.model.json`),
      JSON.stringify({ ...file, id, title: ` ${file.title.toUpperCase()} ` }),
    );
    const app = await buildTestApp({ modelsDir: dir });
    try {
      const { computations } = (await app.inject({ method: 'GET', url: '/api/v2/computations' })).json() as {
        computations: Entry[];
      };
      const lookalike = computations.find((c) => c.id === id);
      expect(lookalike).toBeDefined();
      expect(() => describedComputation(lookalike)).toThrow(
        /may not take the name of a calculator the app ships/,
      );
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
