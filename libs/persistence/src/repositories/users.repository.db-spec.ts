import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { AuditLog } from '../audit-log';
import { TestRows } from './test-rows.db-fixtures';
import { setUserPassword, UserRepository } from './users.repository';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('UserRepository on PostgreSQL', () => {
  const db = useTestDatabase();
  const rows = new TestRows(db);
  let users: UserRepository;

  beforeAll(() => {
    users = new UserRepository(db.dataSource);
  });

  const nameOf = async (id: string) => (await users.findById(id))!.name;

  it('finds a member by name in any case, and lists members by name', async () => {
    const id = await rows.user('Zoé');
    const name = await nameOf(id);
    expect((await users.findByName(name.toUpperCase()))?.id).toBe(id);
    expect(await users.findByName('nobody')).toBeNull();
    const other = await rows.user('adam');
    const listed = (await users.list()).map((user) => user.id);
    expect(listed.indexOf(other)).toBeLessThan(listed.indexOf(id));
  });

  it('sets a password hash, reading it back as stored', async () => {
    const id = await rows.user();
    expect(await users.setPasswordHash(id, 'scrypt$32768$8$1$salt$hash')).toBe(true);
    expect((await users.findById(id))?.passwordHash).toBe('scrypt$32768$8$1$salt$hash');
    expect(await users.setPasswordHash('00000000-0000-4000-8000-000000000000', 'x')).toBe(false);
  });

  it('enrols an authenticator once, with the step of its first code', async () => {
    const id = await rows.user();
    const at = new Date('2026-05-04T10:00:00Z');
    expect(await users.acceptTotpStep(id, 100)).toBe(false);
    expect(await users.enrolTotp(id, SECRET, 100, at)).toBe(true);
    expect(await users.enrolTotp(id, 'ANOTHERSECRETAAA', 101, at)).toBe(false);
    expect(await users.findById(id)).toMatchObject({ totpSecret: SECRET, totpEnrolledAt: at, totpLastStep: '100' });
  });

  it('accepts each time step once, and none before the last accepted, even when two requests race', async () => {
    const id = await rows.user();
    await users.enrolTotp(id, SECRET, 100, new Date());
    expect(await users.acceptTotpStep(id, 100)).toBe(false);
    const raced = await Promise.all([users.acceptTotpStep(id, 101), users.acceptTotpStep(id, 101)]);
    expect(raced.sort()).toEqual([false, true]);
    expect(await users.acceptTotpStep(id, 99)).toBe(false);
    expect(await users.acceptTotpStep(id, 102)).toBe(true);
    expect((await users.findById(id))?.totpLastStep).toBe('102');
  });

  it('forgets an authenticator on reset, so that the member enrols again', async () => {
    const id = await rows.user();
    await users.enrolTotp(id, SECRET, 100, new Date());
    expect(await users.resetTotp(id)).toBe(true);
    expect(await users.findById(id)).toMatchObject({ totpSecret: null, totpEnrolledAt: null, totpLastStep: null });
    expect(await users.enrolTotp(id, SECRET, 50, new Date())).toBe(true);
  });

  it('refuses a secret without an enrolment time, and the reverse', async () => {
    const id = await rows.user();
    await expect(db.superuser.query(`UPDATE users SET totp_secret = 'X' WHERE id = $1`, [id])).rejects.toThrow(
      /users_totp_enrolled/,
    );
  });

  it("sets a password in the caller's transaction, ending the member's sessions, audited", async () => {
    const id = await rows.user();
    const session = await rows.session(id, createHash('sha256').update(randomBytes(8)).digest('hex'));
    const audit = new AuditLog({ key: Buffer.alloc(32, 7) });
    expect(await db.dataSource.transaction((tx) => setUserPassword(tx, audit, id, 'scrypt$new', 'cli'))).toBe(true);
    const [{ revoked_at }]: { revoked_at: Date | null }[] = await db.superuser.query(
      'SELECT revoked_at FROM sessions WHERE id = $1',
      [session],
    );
    expect(revoked_at).toBeInstanceOf(Date);
    const events: { action: string; actor: string; details: unknown }[] = await db.superuser.query(
      `SELECT action, actor, details FROM audit_events WHERE subject_id = $1`,
      [id],
    );
    expect(events).toEqual([{ action: 'user.password-set', actor: 'cli', details: { sessionsEnded: 1 } }]);
    expect((await users.findById(id))?.passwordHash).toBe('scrypt$new');
  });

  it("gives a contact one portal account, the reporter's role alone, listed apart from team members", async () => {
    const organisation = await rows.organisation('Reporting unit');
    const contact = await rows.contact(organisation, 'Camille Martin');
    const account = await users.insertPortalAccount('camille', contact);
    expect(account).toMatchObject({ name: 'camille', roles: ['reporter'], status: 'active', contactId: contact });
    expect((await users.findByContact(contact))?.id).toBe(account.id);
    expect(await users.portalAccountOwner(account.id)).toEqual({
      contactId: contact,
      contactName: 'Camille Martin',
      contactStatus: 'active',
      organisationId: organisation,
      organisationName: 'Reporting unit',
      organisationStatus: 'active',
    });
    expect(await users.portalAccountOwner(await rows.user())).toBeNull();
    expect((await users.list()).map((user) => user.id)).not.toContain(account.id);
    await expect(users.insertPortalAccount('camille-again', contact)).rejects.toThrow(/users_contact_unique/);
    await expect(users.insertPortalAccount('CAMILLE', await rows.contact(organisation, 'Other'))).rejects.toThrow(
      /users_name_key/,
    );
  });

  it('keeps reporters and team members apart: no reporter without a contact, no team role with one', async () => {
    const contact = await rows.contact(await rows.organisation(), 'Dominique');
    await expect(rows.user('lone reporter', ['reporter'])).rejects.toThrow(/users_reporter_contact/);
    await expect(
      db.superuser.query(`INSERT INTO users (name, roles, contact_id) VALUES ('mixed', '{reporter,analyst}', $1)`, [
        contact,
      ]),
    ).rejects.toThrow(/users_reporter_contact/);
    await expect(
      db.superuser.query(`INSERT INTO users (name, roles, contact_id) VALUES ('staff', '{analyst}', $1)`, [contact]),
    ).rejects.toThrow(/users_reporter_contact/);
    await expect(rows.user('someone', ['guest' as never])).rejects.toThrow(/users_roles/);
  });
});
