import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeSettings, newServeToken, readSettings, Settings, settingsPath, writeSettings } from './settings';

const settings = (): Settings => ({
  format: 'tlp-broker-partner/settings@1',
  broker: 'https://broker.example.org',
  apiKey: 'tlpb_secretsecretsecret',
  key: {
    kind: 'file',
    path: '/home/partner/.tlp-broker-partner/partner-key.asc',
    passphrase: 'words of the passphrase',
  },
  teamFingerprints: ['ABCD ef01 2345 6789 ABCD EF01 2345 6789 ABCD EF01'],
  out: '/srv/cti',
  includeRed: false,
  serve: {
    host: '127.0.0.1',
    port: 8470,
    token: newServeToken(),
    collectionId: '5d1f3a2b-8c4e-4f6a-9b0c-1d2e3f4a5b6c',
  },
});

describe('the kit settings', () => {
  let home: string;
  beforeEach(async () => (home = await mkdtemp(join(tmpdir(), 'tlpb-kit-settings-'))));
  afterEach(() => rm(home, { recursive: true, force: true }));

  it('are written readable by their owner only, fingerprints normalised', async () => {
    await writeSettings(home, settings());
    expect((await stat(settingsPath(home))).mode & 0o777).toBe(0o600);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect((await readSettings(home)).teamFingerprints).toEqual(['ABCDEF0123456789ABCDEF0123456789ABCDEF01']);
  });

  it('are refused when others can read them, or when they say something impossible', async () => {
    await writeSettings(home, settings());
    await chmod(settingsPath(home), 0o644);
    await expect(readSettings(home)).rejects.toThrow('can be read by others (mode 644): chmod 600 it');
    await expect(writeSettings(home, { ...settings(), teamFingerprints: ['not hex'] })).rejects.toThrow(/fingerprint/);
    await expect(readSettings(join(home, 'nowhere'))).rejects.toThrow('run `tlp-broker-partner init` first');
  });

  it('are shown without the API key, the passphrase or the local token', async () => {
    const shown = JSON.stringify(describeSettings(settings()));
    const written = settings();
    for (const secret of [written.apiKey, 'words of the passphrase', written.serve.token])
      expect(shown).not.toContain(secret);
    await writeSettings(home, written);
    expect(await readFile(settingsPath(home), 'utf8')).toContain(written.apiKey);
  });
});
