/**
 * The study file's parser (docs/STUDIES.md, "The study file"): the example parses, and every mistake
 * is refused with the member's JSON path and what is wrong.
 */

import { readFileSync } from 'node:fs';
import { ristretto255 } from '@noble/curves/ed25519.js';
import { base64urlnopad } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { parseStudy } from './layout.js';
import { parseStudyFile, rsaSpkiProblem, STUDY_FORMAT, StudyError, scaled } from './study-file.js';

type Json = Record<string, unknown>;
const EXAMPLE = JSON.parse(
  readFileSync(new URL('../../studies/home-blood-pressure.study.json', import.meta.url), 'utf8'),
) as Json;

/** A deep copy of the example with `change` applied to it. */
function variant(change: (file: Json) => void): Json {
  const file = structuredClone(EXAMPLE);
  change(file);
  return file;
}

/** The refusal's member and message (fails the test if the file is accepted). */
function refusal(file: unknown): { member: string; message: string } {
  try {
    parseStudy(file);
  } catch (error) {
    if (error instanceof StudyError) return { member: error.member, message: error.message };
    throw error;
  }
  throw new Error('The study was accepted.');
}

function expectRefused(change: (file: Json) => void, member: string, why: RegExp) {
  const { member: got, message } = refusal(variant(change));
  expect(got).toBe(member);
  expect(message.startsWith(`${member}: `)).toBe(true);
  expect(message).toMatch(why);
}

const measure = (file: Json, name: string) =>
  (file.measures as Json[]).find((m) => m.name === name) as Json & { statistics: Json };
const members = (file: Json) => (file.trustees as { members: Json[] }).members;
const element = (k: bigint) => base64urlnopad.encode(ristretto255.Point.BASE.multiply(k).toBytes());

describe('the example study', () => {
  it('parses to what its file says', () => {
    const study = parseStudy(EXAMPLE);
    expect(study.format).toBe(STUDY_FORMAT);
    expect(study.id).toBe('home-blood-pressure');
    expect(study.measures.map((m) => `${m.kind}:${m.name}`)).toEqual([
      'number:systolic',
      'number:diastolic',
      'boolean:controlled',
      'choice:ageBand',
      'choice:missedDoses',
    ]);
    expect(study.stratifyBy).toBe('ageBand');
    expect(study.trustees.threshold).toBe(2);
    expect(study.trustees.members).toHaveLength(3);
    expect(study.measures[0]).toMatchObject({ min: 70, max: 250, precision: 0, unit: 'mmHg' });
    expect(study.measures[0]?.statistics).toMatchObject({ count: true, mean: true, sd: { level: 0.95 } });
  });

  it('is the same object parsed twice (no defaults that change on a round trip)', () => {
    const once = parseStudy(EXAMPLE);
    expect(parseStudy(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });
});

describe('top-level members', () => {
  const required = [
    'format',
    'id',
    'title',
    'sponsor',
    'purpose',
    'measures',
    'minimumCohort',
    'opens',
    'closes',
    'trustees',
    'tokenIssuer',
  ];
  it.each(required)('refuses a file without %s', (key) => {
    expectRefused((f) => delete f[key], key, /is missing/);
  });

  it('refuses what is not an object, and unknown members', () => {
    expect(refusal([]).member).toBe('(file)');
    expect(refusal(null).member).toBe('(file)');
    expectRefused((f) => (f.titel = 'x'), 'titel', /unknown member/);
  });

  it.each([
    ['format', 'sealed-vitals-study/2', /must be "sealed-vitals-study\/1"/],
    ['id', 'Home_BP', /lowercase letters and digits/],
    ['id', 'a'.repeat(65), /at most 64/],
    ['id', 'double--dash', /lowercase/],
    ['title', '', /non-empty string/],
    ['sponsor', 42, /non-empty string/],
    ['purpose', '  ', /non-empty string/],
    ['purpose', 'x'.repeat(2001), /longer than 2000/],
    ['measures', [], /non-empty array/],
    ['minimumCohort', 1, /from 2 to/],
    ['minimumCohort', 10.5, /whole number/],
    ['minimumCohort', '20', /whole number/],
    ['stratifyBy', 'controlled', /choice measure/],
    ['stratifyBy', 'nothing', /choice measure/],
  ])('refuses %s = %j', (key, value, why) => {
    expectRefused((f) => (f[key] = value), key, why);
  });
});

describe('measures', () => {
  it('refuses a measure of an unknown kind, a bad or repeated name, unknown members', () => {
    expectRefused(
      (f) => (measure(f, 'systolic').kind = 'integer'),
      'measures.systolic.kind',
      /number, boolean or choice/,
    );
    expectRefused((f) => (measure(f, 'systolic').name = 'Systolic'), 'measures[0].name', /must be a name/);
    expectRefused((f) => (measure(f, 'diastolic').name = 'systolic'), 'measures[1].name', /used twice/);
    expectRefused(
      (f) => (measure(f, 'systolic').units = 'mmHg'),
      'measures.systolic.units',
      /unknown member/,
    );
    expectRefused((f) => delete measure(f, 'systolic').unit, 'measures.systolic.unit', /is missing/);
    expectRefused((f) => delete measure(f, 'controlled').label, 'measures.controlled.label', /is missing/);
    expectRefused((f) => (measure(f, 'controlled').unit = 'x'), 'measures.controlled.unit', /unknown member/);
  });

  it('refuses number bounds that are not numbers, out of order, or finer than the precision', () => {
    expectRefused((f) => (measure(f, 'systolic').min = '70'), 'measures.systolic.min', /finite number/);
    expectRefused((f) => (measure(f, 'systolic').max = 70), 'measures.systolic.max', /above min/);
    expectRefused(
      (f) => (measure(f, 'systolic').min = 70.5),
      'measures.systolic.min',
      /more decimals than .* \(0\)/,
    );
    expectRefused((f) => (measure(f, 'systolic').precision = 5), 'measures.systolic.precision', /0 to 4/);
    expectRefused(
      (f) => (measure(f, 'systolic').precision = 1.5),
      'measures.systolic.precision',
      /whole number/,
    );
  });

  it('names the measure and the limit when the range makes integers too large', () => {
    const { member, message } = refusal(
      variant((f) => {
        const m = measure(f, 'diastolic');
        m.precision = 3;
      }),
    );
    expect(member).toBe('measures.diastolic.max');
    expect(message).toMatch(/110000 steps .* diastolic, more than the limit 65535 \(16 bits\)/);
    expectRefused(
      (f) => {
        const m = measure(f, 'diastolic');
        m.min = 2e9;
        m.max = 2e9 + 1;
      },
      'measures.diastolic.min',
      /beyond ±1,000,000,000/,
    );
  });

  it('refuses choices with too few, repeated or badly named options', () => {
    const options = (f: Json) => measure(f, 'missedDoses').options as Json[];
    expectRefused(
      (f) => (measure(f, 'missedDoses').options = [{ value: 'a', label: 'A' }]),
      'measures.missedDoses.options',
      /at least two/,
    );
    expectRefused(
      (f) => ((options(f)[1] as Json).value = 'none'),
      'measures.missedDoses.options[1].value',
      /used twice/,
    );
    expectRefused(
      (f) => ((options(f)[1] as Json).value = 'two-days'),
      'measures.missedDoses.options[1].value',
      /must be a name/,
    );
    expectRefused(
      (f) => delete (options(f)[0] as Json).label,
      'measures.missedDoses.options[0].label',
      /is missing/,
    );
    expectRefused(
      (f) =>
        (measure(f, 'missedDoses').options = Array.from({ length: 17 }, (_, i) => ({
          value: `o${i}`,
          label: 'o',
        }))),
      'measures.missedDoses.options',
      /17 options, more than the limit 16/,
    );
  });
});

describe('statistics', () => {
  it('refuses empty, unknown or misplaced statistics', () => {
    expectRefused(
      (f) => (measure(f, 'systolic').statistics = {}),
      'measures.systolic.statistics',
      /at least one/,
    );
    expectRefused(
      (f) => (measure(f, 'systolic').statistics.median = true),
      'measures.systolic.statistics.median',
      /not a statistic/,
    );
    expectRefused(
      (f) => (measure(f, 'controlled').statistics.mean = true),
      'measures.controlled.statistics.mean',
      /not a statistic/,
    );
    expectRefused(
      (f) => (measure(f, 'systolic').statistics.proportion = { level: 0.95 }),
      'measures.systolic.statistics.proportion',
      /not a statistic/,
    );
    expectRefused(
      (f) => (measure(f, 'systolic').statistics.count = false),
      'measures.systolic.statistics.count',
      /must be true/,
    );
    expectRefused(
      (f) => delete measure(f, 'systolic').statistics.mean,
      'measures.systolic.statistics.sd',
      /needs mean/,
    );
  });

  it.each([0.4, 1, 0.95001, '0.95', null])('refuses the confidence level %j', (level) => {
    expectRefused(
      (f) => (measure(f, 'systolic').statistics.sd = { level }),
      'measures.systolic.statistics.sd.level',
      /0.5 to 0.9999/,
    );
  });

  it('refuses an interval without level or with more', () => {
    expectRefused(
      (f) => (measure(f, 'controlled').statistics.proportion = {}),
      'measures.controlled.statistics.proportion.level',
      /is missing/,
    );
    expectRefused(
      (f) => (measure(f, 'controlled').statistics.proportion = { level: 0.9, method: 'exact' }),
      'measures.controlled.statistics.proportion.method',
      /unknown member/,
    );
  });

  const bins = (f: Json) => (measure(f, 'systolic').statistics.histogram as { bins: Json[] }).bins;
  const at = 'measures.systolic.statistics.histogram.bins';

  it('refuses bins that are not contiguous: a gap or an overlap', () => {
    expectRefused((f) => ((bins(f)[1] as Json).from = 121), `${at}[1].from`, /contiguous/);
    expectRefused((f) => ((bins(f)[1] as Json).from = 119), `${at}[1].from`, /contiguous/);
  });

  it('refuses bins that do not cover [min, max]', () => {
    expectRefused((f) => ((bins(f)[0] as Json).from = 71), `${at}[0].from`, /cover \[min, max\]/);
    expectRefused((f) => ((bins(f)[3] as Json).to = 249), `${at}[3].to`, /cover \[min, max\]/);
    expectRefused((f) => ((bins(f)[3] as Json).to = 260), `${at}[3].to`, /cover \[min, max\]/);
  });

  it('refuses empty, reversed, too fine, too few or too many bins', () => {
    expectRefused((f) => ((bins(f)[1] as Json).to = 110), `${at}[1].to`, /not be below from/);
    expectRefused((f) => ((bins(f)[1] as Json).to = 134.5), `${at}[1].to`, /more decimals/);
    expectRefused(
      (f) => (measure(f, 'systolic').statistics.histogram = { bins: [{ from: 70, to: 250 }] }),
      at,
      /at least two/,
    );
    expectRefused(
      (f) => (measure(f, 'systolic').statistics.histogram = { edges: [] }),
      'measures.systolic.statistics.histogram.bins',
      /is missing/,
    );
    expectRefused(
      (f) => {
        const m = measure(f, 'systolic');
        m.statistics.histogram = {
          bins: Array.from({ length: 33 }, (_, i) => ({ from: 70 + i, to: i === 32 ? 250 : 70 + i })),
        };
      },
      at,
      /33 bins, more than the limit 32/,
    );
  });

  it('accepts one-value bins and bins at a finer precision', () => {
    const study = parseStudy(
      variant((f) => {
        const m = measure(f, 'diastolic');
        m.precision = 1;
        m.statistics.histogram = {
          bins: [
            { from: 40, to: 40 },
            { from: 40.1, to: 84.9 },
            { from: 85, to: 150 },
          ],
        };
      }),
    );
    expect(study.measures[1]?.kind === 'number' && study.measures[1].statistics.histogram?.bins).toHaveLength(
      3,
    );
  });
});

describe('times', () => {
  it.each([
    '2026-03-01',
    '2026-03-01T00:00Z',
    '2026-03-01T00:00:00',
    '2026-03-01t00:00:00z',
    '2026-03-01 00:00:00Z',
    '1 March 2026',
    20260301,
  ])('refuses %j', (opens) => {
    expectRefused((f) => (f.opens = opens), 'opens', /RFC 3339/);
  });

  it.each([
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-03-01T24:00:00Z',
    '2026-03-01T23:59:60Z',
    '2026-03-01T00:00:00+24:00',
  ])('refuses the time that does not exist %s', (opens) => {
    expectRefused((f) => (f.opens = opens), 'opens', /not a real time/);
  });

  it('accepts offsets and fractions, and compares instants, not strings', () => {
    expect(parseStudy(variant((f) => (f.opens = '2026-03-01T09:30:00.250+01:00'))).opens).toBe(
      '2026-03-01T09:30:00.250+01:00',
    );
    // 2026-04-30T23:00:00−02:00 is 1 May 01:00 UTC: after an opening at 2026-05-01T00:30Z.
    expect(() =>
      parseStudy(
        variant((f) => {
          f.opens = '2026-05-01T00:30:00Z';
          f.closes = '2026-04-30T23:00:00-02:00';
        }),
      ),
    ).not.toThrow();
  });

  it('refuses a study that closes when or before it opens', () => {
    expectRefused((f) => (f.closes = f.opens), 'closes', /after opens/);
    expectRefused((f) => (f.closes = '2026-02-28T00:00:00Z'), 'closes', /after opens/);
  });
});

describe('trustees and keys', () => {
  it('refuses a threshold above the number of trustees, or below 1', () => {
    expectRefused(
      (f) => ((f.trustees as Json).threshold = 4),
      'trustees.threshold',
      /1 to the number of trustees \(3\)/,
    );
    expectRefused((f) => ((f.trustees as Json).threshold = 0), 'trustees.threshold', /1 to the number/);
    expectRefused((f) => ((f.trustees as Json).threshold = 1.5), 'trustees.threshold', /whole number/);
  });

  it('refuses missing, repeated or unknown trustee members', () => {
    expectRefused((f) => ((f.trustees as Json).members = []), 'trustees.members', /at least one/);
    expectRefused(
      (f) => ((members(f)[1] as Json).name = (members(f)[0] as Json).name),
      'trustees.members[1].name',
      /listed twice/,
    );
    expectRefused(
      (f) => ((members(f)[2] as Json).publicKey = (members(f)[0] as Json).publicKey),
      'trustees.members[2].publicKey',
      /another trustee/,
    );
    expectRefused(
      (f) => ((members(f)[0] as Json).email = 'x@example.org'),
      'trustees.members[0].email',
      /unknown member/,
    );
    expectRefused((f) => delete (f.trustees as Json).threshold, 'trustees.threshold', /is missing/);
  });

  it.each([
    ['padded', `${element(5n)}=`, /unpadded base64url/],
    [
      'standard base64',
      Buffer.from(ristretto255.Point.BASE.multiply(7n).toBytes())
        .toString('base64')
        .replace(/=+$/, '')
        .replace(/[-_]/g, '+'),
      /.+/,
    ],
    ['not a string', 42, /string of unpadded base64url/],
    ['31 bytes', base64urlnopad.encode(new Uint8Array(31)), /32 bytes .* not 31/],
    ['no point', base64urlnopad.encode(new Uint8Array(32).fill(0xff)), /not a valid ristretto255 element/],
    ['the identity', base64urlnopad.encode(new Uint8Array(32)), /identity/],
  ])('refuses a trustee key that is %s', (_, key, why) => {
    const file = variant((f) => ((members(f)[0] as Json).publicKey = key));
    // Standard base64 of a key with no + or / in it would still be base64url: only judge one that differs.
    if (typeof key === 'string' && /^[A-Za-z0-9_-]*$/.test(key) && key.length === 43) return;
    const { member, message } = refusal(file);
    expect(member).toBe('trustees.members[0].publicKey');
    expect(message).toMatch(why);
  });

  it('takes jointKey and ceremony together or not at all, and checks both', () => {
    const draft = parseStudy(
      variant((f) => {
        delete f.jointKey;
        delete f.ceremony;
      }),
    );
    expect(draft.jointKey).toBeUndefined();
    expectRefused((f) => delete f.ceremony, 'ceremony', /together/);
    expectRefused((f) => delete f.jointKey, 'jointKey', /together/);
    expectRefused((f) => (f.jointKey = 'AAAA'), 'jointKey', /32 bytes/);
    expectRefused((f) => (f.jointKey = (members(f)[1] as Json).publicKey), 'jointKey', /trustee’s own key/);
    for (const name of ['../ceremony.json', 'records/ceremony.json', 'ceremony.txt', '.json', 'a..json'])
      expectRefused((f) => (f.ceremony = name), 'ceremony', /file name ending in .json/);
    expect(parseStudy(variant((f) => (f.ceremony = 'hbp-2026_v1.ceremony.json'))).ceremony).toBe(
      'hbp-2026_v1.ceremony.json',
    );
  });

  it('refuses a token issuer key that is not an RSA-2048 SPKI, and a name that is not a server name', async () => {
    const spki = async (params: RsaHashedKeyGenParams | EcKeyGenParams) => {
      const pair = (await crypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair;
      return new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    };
    const ec = await spki({ name: 'ECDSA', namedCurve: 'P-256' });
    const small = await spki({
      name: 'RSA-PSS',
      modulusLength: 1024,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-384',
    });
    const good = base64urlnopad.decode((EXAMPLE.tokenIssuer as Json).publicKey as string);
    const at = 'tokenIssuer.publicKey';
    const withKey = (bytes: Uint8Array) => (f: Json) =>
      ((f.tokenIssuer as Json).publicKey = base64urlnopad.encode(bytes));
    expectRefused(withKey(ec), at, /not an RSA key/);
    expectRefused(withKey(small), at, /1024-bit modulus; token type 2 \(RFC 9578\) needs 2048 bits/);
    for (const name of ['Example Clinic', 'issuer.example.org.', '-issuer.example', 'ISSUER.example', ''])
      expectRefused((f) => ((f.tokenIssuer as Json).name = name), 'tokenIssuer.name', /server name|empty/);
    expectRefused(withKey(good.subarray(0, good.length - 1)), at, /not a DER SubjectPublicKeyInfo/);
    expectRefused(withKey(new Uint8Array([...good, 0])), at, /bytes after/);
    expectRefused((f) => ((f.tokenIssuer as Json).publicKey = 'MIIB+IjAN'), at, /unpadded base64url/);
    expectRefused((f) => delete (f.tokenIssuer as Json).name, 'tokenIssuer.name', /is missing/);
    expect(rsaSpkiProblem(good)).toBeUndefined();
  });
});

describe('the layout’s limit', () => {
  it('refuses a study whose contribution would carry more than 256 ciphertexts, naming the limit', () => {
    const file = variant((f) => {
      const age = measure(f, 'ageBand');
      age.options = Array.from({ length: 16 }, (_, i) => ({ value: `band${i}`, label: `Band ${i}` }));
      // 20 bins of systolic: one copy of each but the last per stratum but the last.
      measure(f, 'systolic').statistics.histogram = {
        bins: Array.from({ length: 20 }, (_, i) => ({ from: 70 + 9 * i, to: i === 19 ? 250 : 78 + 9 * i })),
      };
    });
    const { member, message } = refusal(file);
    expect(member).toBe('stratifyBy');
    expect(message).toMatch(/make \d+ ciphertexts per contribution, more than the limit 256/);
    // The same file without strata fits.
    expect(() => parseStudy({ ...file, stratifyBy: undefined })).not.toThrow();
    expect(() => parseStudyFile(file)).not.toThrow();
  });
});

describe('scaled', () => {
  it('is the exact integer of a decimal at the precision, and undefined for a finer one', () => {
    expect(scaled(120, 0)).toBe(120n);
    expect(scaled(-3.25, 2)).toBe(-325n);
    expect(scaled(0.1, 1)).toBe(1n);
    expect(scaled(1.005, 3)).toBe(1005n);
    expect(scaled(0.1 + 0.2, 1)).toBeUndefined();
    expect(scaled(37.25, 1)).toBeUndefined();
    expect(scaled(Number.NaN, 0)).toBeUndefined();
    expect(scaled(1e20, 0)).toBeUndefined();
  });
});
