import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password-hash.js';

// Cheap parameters keep the test fast; verification reads them from the stored hash.
const cheap = { N: 1024, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple', cheap);
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
  });

  it('salts every hash and refuses tampered or foreign hashes', async () => {
    const [a, b] = [await hashPassword('same', cheap), await hashPassword('same', cheap)];
    expect(a).not.toBe(b);
    // Flip the first character of the hash segment (the last one may hold only padding bits).
    const parts = a.split('$');
    parts[5] = (parts[5]![0] === 'A' ? 'B' : 'A') + parts[5]!.slice(1);
    expect(await verifyPassword('same', parts.join('$'))).toBe(false);
    expect(await verifyPassword('same', 'bcrypt$whatever')).toBe(false);
  });

  it('refuses, without throwing, a hash of another scheme, without salt or hash, or of another length', async () => {
    const stored = await hashPassword('same', cheap);
    const [, n, r, p, salt, hash] = stored.split('$');
    const variant = (parts: string[]) => verifyPassword('same', parts.join('$'));
    // Right parameters, salt and key: only the scheme name is wrong.
    expect(await variant(['bcrypt', n!, r!, p!, salt!, hash!])).toBe(false);
    expect(await variant(['scrypt', n!, r!, p!, '', hash!])).toBe(false);
    expect(await variant(['scrypt', n!, r!, p!, salt!, ''])).toBe(false);
    expect(await variant(['scrypt', n!, r!, p!, salt!])).toBe(false);
    expect(await variant(['scrypt', n!, r!, p!, salt!, hash!.slice(0, 20)])).toBe(false);
    expect(await variant(['scrypt', n!, r!, p!, salt!, hash!])).toBe(true);
  });

  it('uses the OWASP scrypt parameters by default', async () => {
    expect(await hashPassword('x')).toMatch(/^scrypt\$131072\$8\$1\$/);
  });
});
