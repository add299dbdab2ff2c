import { describe, expect, it } from 'vitest';
import { thrown } from '../../../test/support/errors';
import { ConfigError, loadAuditKey, loadConfig, loadDatabaseRoleUrls } from './config';

const REQUIRED = {
  DATABASE_URL: 'postgres://tlpb_app@db.internal:5432/tlp_broker',
  REDIS_URL: 'redis://cache.internal:6379',
  TEAM_KEY_PASSPHRASE: 'correct horse battery staple',
};
const AUDIT_KEY = 'q7Zb0m1kO1d4h3y2Qk8N6yTtX0aLq9sVb3cR5uW8eJ0=';

const problems = (fn: () => unknown): string[] => thrown(fn, ConfigError).problems;

describe('the audit settings', () => {
  it('derive the audit key from TEAM_KEY_PASSPHRASE unless AUDIT_KEY is set, the same key every time', () => {
    const fromPassphrase = loadConfig(REQUIRED).audit;
    expect(fromPassphrase.source).toBe('TEAM_KEY_PASSPHRASE');
    expect(fromPassphrase.key).toHaveLength(32);
    expect(loadConfig(REQUIRED).audit.key.equals(fromPassphrase.key)).toBe(true);
    expect(
      loadConfig({ ...REQUIRED, TEAM_KEY_PASSPHRASE: 'another long passphrase' }).audit.key.equals(fromPassphrase.key),
    ).toBe(false);

    const explicit = loadConfig({ ...REQUIRED, AUDIT_KEY }).audit;
    expect(explicit.source).toBe('AUDIT_KEY');
    expect(explicit.key).toHaveLength(32);
    expect(explicit.key.equals(fromPassphrase.key)).toBe(false);
    // The passphrase does not enter a key given explicitly.
    expect(
      loadConfig({ ...REQUIRED, AUDIT_KEY, TEAM_KEY_PASSPHRASE: 'another long passphrase' }).audit.key.equals(
        explicit.key,
      ),
    ).toBe(true);
  });

  it('refuse a short AUDIT_KEY and a malformed checkpoint interval, naming them', () => {
    expect(problems(() => loadConfig({ ...REQUIRED, AUDIT_KEY: 'too short' }))).toEqual([
      expect.stringMatching(/^AUDIT_KEY must be at least 32 characters/),
    ]);
    expect(problems(() => loadConfig({ ...REQUIRED, AUDIT_CHECKPOINT_INTERVAL_MS: 'hourly' }))).toEqual([
      expect.stringMatching(/^AUDIT_CHECKPOINT_INTERVAL_MS /),
    ]);
    expect(problems(() => loadConfig({ ...REQUIRED, AUDIT_CHECKPOINT_INTERVAL_MS: '10' }))).toEqual([
      expect.stringMatching(/^AUDIT_CHECKPOINT_INTERVAL_MS /),
    ]);
  });

  it('sign the head every minute by default, and keep a copy in AUDIT_CHECKPOINT_FILE when set', () => {
    expect(loadConfig(REQUIRED).audit).toMatchObject({ checkpointIntervalMs: 60_000, checkpointFile: undefined });
    expect(
      loadConfig({
        ...REQUIRED,
        AUDIT_CHECKPOINT_INTERVAL_MS: '5000',
        AUDIT_CHECKPOINT_FILE: '/var/log/tlp-broker/checkpoints.asc',
      }).audit,
    ).toMatchObject({
      checkpointIntervalMs: 5_000,
      checkpointFile: '/var/log/tlp-broker/checkpoints.asc',
    });
  });

  it('give the command line the same key as the broker, or none', () => {
    expect(loadAuditKey({})).toBeNull();
    expect(
      loadAuditKey({ TEAM_KEY_PASSPHRASE: REQUIRED.TEAM_KEY_PASSPHRASE })!.key.equals(loadConfig(REQUIRED).audit.key),
    ).toBe(true);
    expect(loadAuditKey({ AUDIT_KEY })!.key.equals(loadConfig({ ...REQUIRED, AUDIT_KEY }).audit.key)).toBe(true);
    expect(problems(() => loadAuditKey({ AUDIT_KEY: 'short' }))).toEqual([
      expect.stringMatching(/^AUDIT_KEY must be at least 32 characters/),
    ]);
  });
});

describe('the database role settings', () => {
  it('migrate as DATABASE_URL unless MIGRATION_DATABASE_URL names the owner role', () => {
    expect(loadDatabaseRoleUrls({ DATABASE_URL: REQUIRED.DATABASE_URL })).toEqual({
      appUrl: REQUIRED.DATABASE_URL,
      migrationUrl: REQUIRED.DATABASE_URL,
      superuserUrl: undefined,
    });
    const owner = 'postgres://tlpb_owner@db.internal:5432/tlp_broker';
    expect(
      loadDatabaseRoleUrls({ DATABASE_URL: REQUIRED.DATABASE_URL, MIGRATION_DATABASE_URL: owner }).migrationUrl,
    ).toBe(owner);
    expect(
      problems(() =>
        loadDatabaseRoleUrls({ DATABASE_URL: REQUIRED.DATABASE_URL, MIGRATION_DATABASE_URL: 'mysql://x@y/z' }),
      ),
    ).toEqual([expect.stringMatching(/^MIGRATION_DATABASE_URL must be a URL starting with postgres:/)]);
    expect(problems(() => loadDatabaseRoleUrls({}))).toEqual(['DATABASE_URL is required']);
  });
});
