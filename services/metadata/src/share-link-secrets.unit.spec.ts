import { describe, expect, it } from 'vitest';
import { hashLinkPassword, hashLinkToken, LINK_TOKEN_PATTERN, linkUnlockProofs, newLinkToken, verifyLinkPassword } from './share-link-secrets.js';

const SECRET = 'unit-test-secret-0123456789-0123456789';
const now = new Date('2026-12-01T12:00:00Z');
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe('share link secrets', () => {
  it('tokens are 256 random bits in base64url, stored as their sha256', () => {
    const tokens = new Set(Array.from({ length: 100 }, newLinkToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(new RegExp(LINK_TOKEN_PATTERN));
    const [token] = tokens;
    expect(Buffer.from(token!, 'base64url')).toHaveLength(32);
    expect(hashLinkToken(token!)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashLinkToken(token!)).not.toBe(hashLinkToken(`${token}x`));
  });

  it('passwords are salted scrypt hashes that verify only the right password', async () => {
    const hash = await hashLinkPassword('sea and sand', 10);
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await hashLinkPassword('sea and sand', 10)).not.toBe(hash);
    expect(await verifyLinkPassword('sea and sand', hash)).toBe(true);
    expect(await verifyLinkPassword('sea and sun', hash)).toBe(false);
    expect(await verifyLinkPassword('sea and sand', 'bcrypt$whatever')).toBe(false);
  });

  it('a proof opens its own link until it expires, and cannot be forged or moved', () => {
    const proofs = linkUnlockProofs(SECRET, 3600);
    const { proof, expiresAt } = proofs.issue('link-1', now);
    expect(expiresAt).toEqual(later(3600));
    expect(proofs.valid(proof, 'link-1', later(3599))).toBe(true);
    expect(proofs.valid(proof, 'link-1', later(3600))).toBe(false);
    expect(proofs.valid(proof, 'link-2', now)).toBe(false);
    const [, expires, mac] = proof.split('.');
    expect(proofs.valid(`link-2.${expires}.${mac}`, 'link-2', now)).toBe(false);
    expect(proofs.valid(`link-1.${Number(expires) + 60}.${mac}`, 'link-1', now)).toBe(false);
    expect(proofs.valid(`${proof}.extra`, 'link-1', now)).toBe(false);
    expect(proofs.valid(undefined, 'link-1', now)).toBe(false);
    expect(linkUnlockProofs('another-secret-0123456789-0123456789', 3600).valid(proof, 'link-1', now)).toBe(false);
  });
});
