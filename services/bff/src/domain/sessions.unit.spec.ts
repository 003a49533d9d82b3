import { describe, expect, it } from 'vitest';
import { memorySessionStore } from '../adapters/session-store-memory.js';
import { decideRefresh, sessions, type RefreshTokenRecord } from './sessions.js';

const at = (iso: string) => new Date(iso);
const record = (overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord => ({
  familyId: 'f',
  accountId: 'a',
  email: 'a@example.com',
  expiresAt: at('2030-01-02T00:00:00Z'),
  usedAt: null,
  familyRevokedAt: null,
  ...overrides,
});

describe('decideRefresh', () => {
  const now = at('2030-01-01T00:00:00Z');
  it.each([
    ['an unknown token', undefined, { kind: 'refuse', reason: 'unknown' }],
    ['the current token', record(), { kind: 'rotate' }],
    ['an expired token', record({ expiresAt: now }), { kind: 'refuse', reason: 'expired' }],
    ['a spent token', record({ usedAt: at('2029-12-31T00:00:00Z') }), { kind: 'reuse' }],
    ['a spent token, expired since', record({ usedAt: at('2029-12-01T00:00:00Z'), expiresAt: at('2029-12-02T00:00:00Z') }), { kind: 'reuse' }],
    ['a token of a revoked session', record({ familyRevokedAt: at('2029-12-31T00:00:00Z') }), { kind: 'refuse', reason: 'revoked' }],
    ['a spent token of a revoked session', record({ usedAt: now, familyRevokedAt: now }), { kind: 'refuse', reason: 'revoked' }],
  ])('%s', (_name, input, expected) => {
    expect(decideRefresh(input, now)).toEqual(expected);
  });
});

describe('sessions', () => {
  function setup() {
    let clock = at('2030-01-01T00:00:00Z').getTime();
    let n = 0;
    const service = sessions({
      store: memorySessionStore(),
      now: () => new Date(clock),
      newId: () => `session-${++n}`,
      newToken: () => `token-${++n}`,
      hash: (token) => `hash(${token})`,
      refreshTtlMs: 60_000,
      csrfValid: (sessionId, presented) => presented === `csrf(${sessionId})`,
    });
    return { service, advance: (ms: number) => (clock += ms) };
  }
  const account = { id: 'acc-1', email: 'ada@example.com' };

  it('rotates within the family and names the account', async () => {
    const { service } = setup();
    const { sessionId, refreshToken } = await service.start(account);
    const outcome = await service.refresh(refreshToken, `csrf(${sessionId})`);
    expect(outcome).toEqual({ kind: 'rotated', sessionId, refreshToken: expect.not.stringMatching(refreshToken), user: account });
  });

  it('an idle session expires (each rotation starts the period again)', async () => {
    const { service, advance } = setup();
    const { sessionId, refreshToken } = await service.start(account);
    advance(50_000);
    const next = await service.refresh(refreshToken, `csrf(${sessionId})`);
    advance(50_000);
    const again = next.kind === 'rotated' ? await service.refresh(next.refreshToken, `csrf(${sessionId})`) : next;
    expect(again.kind).toBe('rotated');
    advance(60_000);
    expect(again.kind === 'rotated' && (await service.refresh(again.refreshToken, `csrf(${sessionId})`))).toEqual({ kind: 'refused', reason: 'expired' });
  });

  it('checks the CSRF token before anything else changes', async () => {
    const { service } = setup();
    const { sessionId, refreshToken } = await service.start(account);
    expect(await service.refresh(refreshToken, 'csrf(another-session)')).toEqual({ kind: 'csrf-failed' });
    expect(await service.end(refreshToken, undefined)).toBe('csrf-failed');
    expect((await service.refresh(refreshToken, `csrf(${sessionId})`)).kind).toBe('rotated');
  });

  it('a spent token revokes the family; logout revokes it too', async () => {
    const { service } = setup();
    const first = await service.start(account);
    const csrf = `csrf(${first.sessionId})`;
    const next = await service.refresh(first.refreshToken, csrf);
    expect(await service.refresh(first.refreshToken, csrf)).toEqual({ kind: 'refused', reason: 'reused' });
    expect(next.kind === 'rotated' && (await service.refresh(next.refreshToken, csrf))).toEqual({ kind: 'refused', reason: 'revoked' });

    const other = await service.start(account);
    expect(await service.end(other.refreshToken, `csrf(${other.sessionId})`)).toBe('ended');
    expect(await service.refresh(other.refreshToken, `csrf(${other.sessionId})`)).toEqual({ kind: 'refused', reason: 'revoked' });
    expect(await service.end(undefined, undefined)).toBe('no-session');
  });

  it('refuses a missing token, and a logout with a token nobody issued ends nothing', async () => {
    const { service } = setup();
    const { sessionId, refreshToken } = await service.start(account);
    expect(await service.refresh(undefined, `csrf(${sessionId})`)).toEqual({ kind: 'refused', reason: 'missing' });
    expect(await service.refresh('', `csrf(${sessionId})`)).toEqual({ kind: 'refused', reason: 'missing' });
    expect(await service.refresh('forged', `csrf(${sessionId})`)).toEqual({ kind: 'refused', reason: 'unknown' });
    expect(await service.end('forged', `csrf(${sessionId})`)).toBe('no-session');
    expect(await service.end('', `csrf(${sessionId})`)).toBe('no-session');
    expect((await service.refresh(refreshToken, `csrf(${sessionId})`)).kind).toBe('rotated');
  });

  it('never stores a successor for a spent token, and revokes when a concurrent refresh spent it first', async () => {
    const store = memorySessionStore();
    const rotations: string[] = [];
    let raceLost = false;
    const service = sessions({
      store: {
        ...store,
        rotate: async (usedHash, next, at) => {
          rotations.push(usedHash);
          return raceLost ? false : store.rotate(usedHash, next, at);
        },
      },
      now: () => new Date('2030-01-01T00:00:00Z'),
      newId: () => `session-${rotations.length}-${raceLost}`,
      newToken: (() => {
        let n = 0;
        return () => `token-${++n}`;
      })(),
      hash: (token) => `hash(${token})`,
      refreshTtlMs: 60_000,
      csrfValid: () => true,
    });
    const first = await service.start(account);
    await service.refresh(first.refreshToken, 'csrf');
    expect(await service.refresh(first.refreshToken, 'csrf')).toEqual({ kind: 'refused', reason: 'reused' });
    expect(rotations).toEqual(['hash(token-1)']);

    const second = await service.start(account);
    raceLost = true;
    expect(await service.refresh(second.refreshToken, 'csrf')).toEqual({ kind: 'refused', reason: 'reused' });
    expect((await store.find(`hash(${second.refreshToken})`))?.familyRevokedAt).toEqual(new Date('2030-01-01T00:00:00Z'));
  });
});
