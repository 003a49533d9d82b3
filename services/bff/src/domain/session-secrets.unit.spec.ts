import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csrfTokens, hashRefreshToken, newRefreshToken } from './session-secrets.js';

describe('refresh tokens', () => {
  it('are 256 random bits, URL-safe, never the same twice', () => {
    const tokens = [newRefreshToken(), newRefreshToken()];
    for (const token of tokens) expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(tokens[0]).toMatch(/^[\w-]{43}$/);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it('are stored as their hex sha256', () => {
    expect(hashRefreshToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashRefreshToken('abc')).toBe(createHash('sha256').update('abc').digest('hex'));
  });
});

describe('CSRF tokens', () => {
  const csrf = csrfTokens('a secret');

  it('are the HMAC of the session id under the secret', () => {
    expect(csrf.tokenFor('session-1')).toBe(createHmac('sha256', 'a secret').update('csrf:session-1').digest('base64url'));
    expect(csrf.tokenFor('session-1')).not.toBe(csrf.tokenFor('session-2'));
    expect(csrfTokens('another secret').tokenFor('session-1')).not.toBe(csrf.tokenFor('session-1'));
  });

  it("accept the session's own token only", () => {
    const token = csrf.tokenFor('session-1');
    expect(csrf.valid('session-1', token)).toBe(true);
    expect(csrf.valid('session-2', token)).toBe(false);
    // Same length, one character off.
    expect(csrf.valid('session-1', (token[0] === 'A' ? 'B' : 'A') + token.slice(1))).toBe(false);
  });

  it('refuse, without throwing, what is missing, not a string or of another length', () => {
    const token = csrf.tokenFor('session-1');
    expect(csrf.valid(undefined, token)).toBe(false);
    expect(csrf.valid('', csrfTokens('a secret').tokenFor(''))).toBe(false);
    expect(csrf.valid('session-1', undefined)).toBe(false);
    expect(csrf.valid('session-1', [token])).toBe(false);
    expect(csrf.valid('session-1', token.slice(1))).toBe(false);
    expect(csrf.valid('session-1', `${token}x`)).toBe(false);
  });
});
