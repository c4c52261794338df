import { TokenChallenge } from '@cloudflare/privacypass-ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { type StudyTokenScope, studyRedemptionContext, studyTokenChallenge } from './challenge.js';
import { StudyTokenError } from './token-error.js';

const SCOPE: StudyTokenScope = {
  issuerName: 'tokens.sponsor.example',
  studyId: 'bp-control-2027',
  opens: '2027-01-10T00:00:00Z',
};

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

function reasonOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof StudyTokenError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('studyTokenChallenge', () => {
  it('lays out the RFC 9577 §2.1 struct byte by byte, with an empty origin_info', () => {
    const context = sha256(
      new Uint8Array([
        ...ascii('sealed-vitals/study-token/v1'),
        0x00,
        0x00,
        15,
        ...ascii('bp-control-2027'),
        0x00,
        20,
        ...ascii('2027-01-10T00:00:00Z'),
      ]),
    );
    const expected = new Uint8Array([
      0x00,
      0x02,
      0x00,
      22,
      ...ascii('tokens.sponsor.example'),
      32,
      ...context,
      0x00,
      0x00,
    ]);
    const challenge = studyTokenChallenge(SCOPE);
    expect(challenge.redemptionContext).toEqual(context);
    expect(challenge.bytes).toEqual(expected);
    expect(challenge.digest).toEqual(sha256(expected));
  });

  it('serializes as @cloudflare/privacypass-ts does, so the token the library makes answers it', () => {
    const challenge = studyTokenChallenge(SCOPE);
    const library = new TokenChallenge(
      0x0002,
      SCOPE.issuerName,
      challenge.redemptionContext.slice(),
      undefined,
    );
    expect(library.serialize()).toEqual(challenge.bytes);
  });

  it('differs for another study, another opening and another issuer', () => {
    const digests = [
      SCOPE,
      { ...SCOPE, studyId: 'bp-control-2028' },
      { ...SCOPE, opens: '2027-01-11T00:00:00Z' },
      { ...SCOPE, issuerName: 'tokens.other.example' },
      // Length prefixes keep the boundary between id and opening from moving.
      { ...SCOPE, studyId: 'bp-control-20272', opens: '027-01-10T00:00:00Z' },
    ].map((scope) => Buffer.from(studyTokenChallenge(scope).digest).toString('hex'));
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('takes a study id in any script, as UTF-8', () => {
    const context = studyRedemptionContext({ ...SCOPE, studyId: 'étude-tension' });
    expect(context).toHaveLength(32);
  });

  it('refuses an issuer that is not a server name, and empty or malformed study fields', () => {
    for (const issuerName of [
      '',
      'Tokens.Sponsor.Example',
      'https://tokens.example',
      'tokens.example/path',
      'tokens example',
      '-tokens.example',
      'tokens.example:0',
      'tokens.example:70000',
      'tökens.example',
      'a'.repeat(254),
    ])
      expect(
        reasonOf(() => studyTokenChallenge({ ...SCOPE, issuerName })),
        issuerName,
      ).toBe('invalid-challenge');
    expect(reasonOf(() => studyTokenChallenge({ ...SCOPE, issuerName: 'localhost:8443' }))).toBe('accepted');
    expect(reasonOf(() => studyTokenChallenge({ ...SCOPE, studyId: '' }))).toBe('invalid-challenge');
    expect(reasonOf(() => studyTokenChallenge({ ...SCOPE, opens: '\ud800' }))).toBe('invalid-challenge');
    expect(reasonOf(() => studyTokenChallenge({ ...SCOPE, studyId: 'x'.repeat(70_000) }))).toBe(
      'invalid-challenge',
    );
  });
});
