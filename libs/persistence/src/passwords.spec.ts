import { describe, expect, it } from 'vitest';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './passwords';

const PASSWORD = 'correct horse battery staple';

describe('password hashes', () => {
  it('are scrypt hashes that say how they were made: N = 2^15, r = 8, p = 1, a 16-byte salt, 32 bytes', async () => {
    const hash = await hashPassword(PASSWORD);
    const [scheme, N, r, p, salt, key, ...rest] = hash.split('$');
    expect([scheme, N, r, p, rest]).toEqual(['scrypt', '32768', '8', '1', []]);
    expect(Buffer.from(salt, 'base64url')).toHaveLength(16);
    expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    expect(hash).not.toContain('horse');
  });

  it('match the password they were made from, and no other', async () => {
    const hash = await hashPassword(PASSWORD);
    await expect(verifyPassword(PASSWORD, hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapler', hash)).resolves.toBe(false);
    await expect(verifyPassword('Correct horse battery staple', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('differ for the same password (a salt of their own each)', async () => {
    const [first, second] = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD)]);
    expect(first).not.toBe(second);
    await expect(verifyPassword(PASSWORD, second)).resolves.toBe(true);
  });

  it('read a password typed with composed or decomposed accents as the same password', async () => {
    const hash = await hashPassword('mot de passe très sûr');
    await expect(verifyPassword('mot de passe tre\u0300s su\u0302r', hash)).resolves.toBe(true);
  });

  it('keep working when made at another cost: the cost is read from the stored hash', async () => {
    const hash = await hashPassword(PASSWORD);
    const [, , , , salt] = hash.split('$');
    const { scryptSync } = await import('node:crypto');
    const cheaper = `scrypt$16384$8$1$${salt}$${scryptSync(PASSWORD, Buffer.from(salt, 'base64url'), 32, { N: 16384 }).toString('base64url')}`;
    await expect(verifyPassword(PASSWORD, cheaper)).resolves.toBe(true);
  });

  it('match nothing when malformed or asking for an unreasonable cost', async () => {
    const hash = await hashPassword(PASSWORD);
    const [, , , , salt, key] = hash.split('$');
    for (const stored of [
      '',
      PASSWORD,
      `bcrypt$32768$8$1$${salt}$${key}`,
      `scrypt$30000$8$1$${salt}$${key}`,
      `scrypt$1073741824$8$1$${salt}$${key}`,
      `scrypt$32768$0$1$${salt}$${key}`,
      `scrypt$32768$8$1$${salt}`,
      `${hash}$extra`,
    ])
      await expect(verifyPassword(PASSWORD, stored)).resolves.toBe(false);
  });

  it('has a dummy that matches no password, checked at the same cost as a real hash', async () => {
    await expect(verifyPassword('', DUMMY_PASSWORD_HASH)).resolves.toBe(false);
    await expect(verifyPassword(PASSWORD, DUMMY_PASSWORD_HASH)).resolves.toBe(false);
    expect(DUMMY_PASSWORD_HASH.split('$').slice(0, 4)).toEqual((await hashPassword(PASSWORD)).split('$').slice(0, 4));
  });
});
