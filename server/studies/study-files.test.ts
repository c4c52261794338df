/**
 * Loading the studies to serve: every `*.study.json` of a directory, each checked once; a bad file
 * stops the start with an error naming the file and the member.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ristretto255Group as group } from '../../shared/groups/ristretto255.js';
import { loadStudies, loadStudy } from './study-files.js';

const exampleText = readFileSync(
  new URL('../../studies/home-blood-pressure.study.json', import.meta.url),
  'utf8',
);
const example = JSON.parse(exampleText) as Record<string, unknown>;
const dirs: string[] = [];

function directory(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sealed-vitals-study-files-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const withChanges = (changes: Record<string, unknown>) => JSON.stringify({ ...example, ...changes });

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('loadStudies', () => {
  it('loads every *.study.json by id, keeping the bytes as published, and ignores other files', async () => {
    const dir = directory({
      'home-blood-pressure.study.json': exampleText,
      'second.study.json': withChanges({ id: 'second-study' }),
      'notes.json': '{ "not": "a study" }',
      'home-blood-pressure.ceremony.json': '{}',
    });
    const studies = await loadStudies(group, dir);
    expect([...studies.keys()].sort()).toEqual(['home-blood-pressure', 'second-study']);
    const served = studies.get('home-blood-pressure');
    expect(new TextDecoder().decode(served?.published)).toBe(exampleText);
    expect(served?.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(served?.opensAt).toBe(Date.parse('2026-03-01T00:00:00Z'));
    expect(served?.statement.layout.slots.length).toBe(38);
    // One size per proof of the layout, each the exact base64url length of its bytes.
    expect(served?.sizes.proofChars.length).toBe(served?.statement.layout.proofs.length);
    expect(served?.sizes.bodyLimit).toBeGreaterThan(served?.sizes.canonicalBytes as number);
  });

  it('serves no study from a directory that does not exist', async () => {
    expect((await loadStudies(group, join(tmpdir(), 'sealed-vitals-no-such-dir'))).size).toBe(0);
  });

  it('refuses two files with one id, naming both', async () => {
    const dir = directory({ 'a.study.json': exampleText, 'b.study.json': exampleText });
    await expect(loadStudies(group, dir)).rejects.toThrow(
      'b.study.json: id: is also the id of a.study.json: each study needs its own',
    );
  });

  it('names the file and the member of whatever is wrong', async () => {
    const { jointKey: _, ceremony: __, ...draft } = example;
    const cases: [string, string | Uint8Array, string][] = [
      [JSON.stringify(draft), '', 'draft.study.json: jointKey: is missing: this is a draft'],
      [withChanges({ titel: 'x' }), '', 'bad.study.json: titel: unknown member'],
      ['{ "format": ', '', 'bad.study.json: (file): is not JSON'],
      ['', Uint8Array.of(0x7b, 0xff, 0x7d), 'bad.study.json: (file): is not UTF-8'],
      [
        withChanges({ tokenIssuer: { name: 'Tokens!', publicKey: 'AAAA' } }),
        '',
        'bad.study.json: tokenIssuer.name:',
      ],
    ];
    // A histogram's value is proved twice against its widest bin (two 16-digit ranges here): 24 such
    // measures make contributions of about 400 KB, more than the board stores.
    const wide = (i: number) => ({
      kind: 'number',
      name: `m${i}`,
      label: 'A measure',
      unit: 'u',
      min: 0,
      max: 65535,
      precision: 0,
      statistics: {
        mean: true,
        histogram: {
          bins: [
            { from: 0, to: 0 },
            { from: 1, to: 65535 },
          ],
        },
      },
    });
    const { stratifyBy: _s, ...unstratified } = example;
    cases.push([
      JSON.stringify({ ...unstratified, measures: Array.from({ length: 24 }, (_, i) => wide(i)) }),
      '',
      'huge.study.json: measures: make contributions of',
    ]);
    for (const [text, bytes, message] of cases) {
      const name = message.split(':')[0] as string;
      const published = typeof bytes === 'string' ? new TextEncoder().encode(text) : bytes;
      await expect(loadStudy(group, name, published)).rejects.toThrow(message);
    }
  });
});
