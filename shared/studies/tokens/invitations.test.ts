import { describe, expect, it } from 'vitest';
import {
  createInvitations,
  decideInvitation,
  INVITATION_CODE_LENGTH,
  invitationCodeFromFragment,
  invitationCodeHash,
  invitationLink,
  parseInvitationCode,
  type StoredInvitation,
  tokenRequestDigest,
} from './invitations.js';
import { refusal, toHex } from './test-support.js';

const STUDY = 'bp-control-2027';

/**
 * The issuer's store as the contract asks: one conditional write per code hash (what a SQL
 * `UPDATE … WHERE request_digest IS NULL OR request_digest = $digest` does).
 */
class InvitationTable {
  private readonly rows = new Map<string, StoredInvitation>();

  constructor(hashes: readonly Uint8Array[]) {
    for (const hash of hashes) this.rows.set(toHex(hash), { requestDigest: null });
  }

  spend(studyId: string, code: string, request: Uint8Array): 'first-use' | 'retry' {
    const key = toHex(invitationCodeHash(studyId, code));
    const digest = tokenRequestDigest(request);
    const decision = decideInvitation(this.rows.get(key), digest);
    if (decision === 'first-use') this.rows.set(key, { requestDigest: digest });
    return decision;
  }
}

const request = (byte: number) => new Uint8Array(259).fill(byte);

describe('study invitations', () => {
  it('makes N distinct 128-bit codes, each with its hash', () => {
    const invitations = createInvitations(STUDY, 50);
    expect(new Set(invitations.map((invitation) => invitation.code)).size).toBe(50);
    for (const { code, codeHash } of invitations) {
      expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(parseInvitationCode(code)).toHaveLength(16);
      expect(codeHash).toEqual(invitationCodeHash(STUDY, code));
      expect(toHex(codeHash)).not.toContain(toHex(parseInvitationCode(code)));
    }
  });

  it('binds a code’s hash to its study', () => {
    const [invitation] = createInvitations(STUDY, 1);
    if (invitation === undefined) throw new Error('no invitation');
    expect(invitationCodeHash('hba1c-programme-2027', invitation.code)).not.toEqual(invitation.codeHash);
  });

  it('admits a code once; the same request again is a retry; another request or an unknown code is refused', async () => {
    const invitations = createInvitations(STUDY, 3);
    const table = new InvitationTable(invitations.map((invitation) => invitation.codeHash));
    const [first, second] = invitations.map((invitation) => invitation.code);
    if (first === undefined || second === undefined) throw new Error('no invitations');
    expect(table.spend(STUDY, first, request(1))).toBe('first-use');
    expect(table.spend(STUDY, first, request(1))).toBe('retry');
    expect(await refusal(() => table.spend(STUDY, first, request(2)))).toBe('invitation-used');
    expect(table.spend(STUDY, second, request(2))).toBe('first-use');
    const [stranger] = createInvitations(STUDY, 1);
    expect(await refusal(() => table.spend(STUDY, stranger?.code ?? '', request(3)))).toBe(
      'unknown-invitation',
    );
    expect(await refusal(() => table.spend('hba1c-programme-2027', first, request(1)))).toBe(
      'unknown-invitation',
    );
  });

  it('refuses a malformed code before any lookup', async () => {
    const [invitation] = createInvitations(STUDY, 1);
    const code = invitation?.code ?? '';
    for (const bad of [
      '',
      code.slice(1),
      `${code}A`,
      `${code.slice(0, 21)}+`,
      `${code.slice(0, 21)}=`,
      42,
      null,
    ])
      expect(await refusal(() => parseInvitationCode(bad)), String(bad)).toBe('invalid-invitation');
    // 16 bytes take 22 characters with 4 spare bits, which must be zero: 'B' sets one.
    expect(await refusal(() => parseInvitationCode(`${code.slice(0, 21)}B`))).toBe('invalid-invitation');
  });

  it('refuses a batch size that is not a positive integer within bounds', () => {
    for (const count of [0, -1, 1.5, Number.NaN, 1_000_001])
      expect(() => createInvitations(STUDY, count)).toThrow(RangeError);
  });

  it('carries the code in the link’s fragment only, and reads it back from there', () => {
    const [invitation] = createInvitations(STUDY, 1);
    const code = invitation?.code ?? '';
    const link = new URL(invitationLink('https://vitals.example/studies/bp-control-2027/join', code));
    expect(link.pathname).toBe('/studies/bp-control-2027/join');
    expect(link.search).toBe('');
    expect(link.hash).toBe(`#invitation=${code}`);
    expect(invitationCodeFromFragment(link.hash)).toBe(code);
    expect(() => invitationLink('https://vitals.example/join#x', code)).toThrow(RangeError);
    expect(code).toHaveLength(INVITATION_CODE_LENGTH);
  });

  it('refuses a fragment that is not exactly one invitation', async () => {
    const [invitation] = createInvitations(STUDY, 1);
    const code = invitation?.code ?? '';
    for (const fragment of ['', `#${code}`, `invitation=${code}`, `#invitation=${code}&x=1`, '#invitation='])
      expect(await refusal(() => invitationCodeFromFragment(fragment)), fragment).toBe('invalid-invitation');
  });
});
