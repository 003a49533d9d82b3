import type { RefreshTokenRecord, SessionStore } from '../domain/sessions.js';

interface Family {
  accountId: string;
  email: string;
  revokedAt: Date | null;
}

/** Refresh tokens in the process: for tests and tools that build the BFF without its database. */
export function memorySessionStore(): SessionStore {
  const families = new Map<string, Family>();
  const tokens = new Map<string, { familyId: string; expiresAt: Date; usedAt: Date | null }>();
  return {
    async createFamily(family, first) {
      families.set(family.id, { accountId: family.accountId, email: family.email, revokedAt: null });
      tokens.set(first.hash, { familyId: family.id, expiresAt: first.expiresAt, usedAt: null });
    },
    async find(hash): Promise<RefreshTokenRecord | undefined> {
      const token = tokens.get(hash);
      const family = token && families.get(token.familyId);
      if (!token || !family) return undefined;
      return { ...token, accountId: family.accountId, email: family.email, familyRevokedAt: family.revokedAt };
    },
    async rotate(usedHash, next, at) {
      const token = tokens.get(usedHash);
      if (!token || token.usedAt || families.get(token.familyId)?.revokedAt) return false;
      token.usedAt = at;
      tokens.set(next.hash, { familyId: token.familyId, expiresAt: next.expiresAt, usedAt: null });
      return true;
    },
    async revokeFamily(familyId, at) {
      const family = families.get(familyId);
      if (family && !family.revokedAt) family.revokedAt = at;
    },
    async deleteExpired(before) {
      for (const [hash, token] of tokens) if (token.expiresAt < before) tokens.delete(hash);
      const alive = new Set([...tokens.values()].map((token) => token.familyId));
      for (const id of families.keys()) if (!alive.has(id)) families.delete(id);
    },
  };
}
