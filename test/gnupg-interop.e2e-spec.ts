import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { GnuPG } from './support/gnupg';
import { eventually, http } from './support/http';
import { postOrganisation } from './support/partners';

/**
 * A partner that runs GnuPG (2.2 on Debian 12, as many CSIRTs do): its key, made by gpg, is
 * registered; what the broker delivers to it opens with gpg, and gpg verifies the team signature.
 */
describe('GnuPG partner', () => {
  let broker: TestBroker;
  let gnupg: GnuPG;
  let partnerId: string;
  let feedKey: string;
  let teamFingerprint: string;

  beforeAll(async () => {
    broker = await startBroker();
    gnupg = await GnuPG.create();
    const key = await gnupg.generateKey('GPG CERT <soc@gpg-cert.example>');
    const registered = await postOrganisation(broker.url, broker.adminKey, 'GPG CERT', key.publicArmored);
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    expect(registered.body.key.fingerprint).toBe(key.fingerprint);
    partnerId = registered.body.id;
    feedKey = registered.body.channels[0].apiKey;
    const team = await http(broker.url, 'GET', '/team/key.asc');
    await gnupg.importKey(team.body as string);
    teamFingerprint = (await http(broker.url, 'GET', '/team/key')).body.fingerprint;
  });

  afterAll(async () => {
    await gnupg?.destroy();
    await broker?.close();
  });

  it('decrypts a TLP:AMBER delivery with gpg and verifies the team signature', async () => {
    const published = await http(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: {
        type: 'intel-report',
        title: 'C2 servers of a botnet',
        body: '203.0.113.7\n198.51.100.23',
        tlp: 'TLP:AMBER',
        audience: { organisations: [partnerId] },
      },
    });
    expect(published.status).toBe(201);
    const entry = await eventually(async () => {
      const feed = await http(broker.url, 'GET', '/feed', { key: feedKey });
      return (feed.body.entries as { itemId: string; message: string }[]).find((e) => e.itemId === published.body.id);
    });

    const { plaintext, status } = await gnupg.decrypt(entry.message);
    const document = JSON.parse(plaintext) as { title: string; body: string; tlp: string };
    expect(document).toMatchObject({
      title: 'C2 servers of a botnet',
      tlp: 'TLP:AMBER',
      body: '203.0.113.7\n198.51.100.23',
    });
    expect(status.some((line) => line.startsWith('[GNUPG:] DECRYPTION_OKAY'))).toBe(true);
    expect(status.some((line) => line.startsWith('[GNUPG:] GOODSIG'))).toBe(true);
    const validsig = status.find((line) => line.startsWith('[GNUPG:] VALIDSIG'));
    expect(validsig?.split(' ')[2]).toBe(teamFingerprint);
  });
});
