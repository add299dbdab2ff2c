import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GnuPG } from '../../../test/support/gnupg';
import { isEncryptedMessage } from './encrypted-message';
import { generateKeyPair } from './seal';

const TEXT = 'Incident at the ministry: 198.51.100.23\n';

let gpg: GnuPG;
let team: openpgp.PrivateKey;
let partnerFingerprint: string;

beforeAll(async () => {
  gpg = await GnuPG.create();
  const pair = await generateKeyPair({ name: 'Team', email: 'csirt@team.example' });
  team = await openpgp.readPrivateKey({ armoredKey: pair.privateArmored });
  await gpg.importKey(pair.publicArmored);
  partnerFingerprint = (await gpg.generateKey('Partner SOC <soc@partner.example>')).fingerprint;
}, 30_000);

afterAll(async () => {
  await gpg?.destroy();
});

async function gnupg(args: string[]): Promise<string> {
  const { stdout } = await gpg.gpg(['--trust-model', 'always', '--armor', '--output', '-', ...args], TEXT);
  return stdout;
}

describe('isEncryptedMessage', () => {
  it('recognises what gpg encrypts (old-format session key packets), signed or not, to a hidden recipient too', async () => {
    const encrypt = ['--encrypt', '--recipient', team.getFingerprint()];
    for (const args of [encrypt, [...encrypt, '--sign', '-u', partnerFingerprint], ['--throw-keyids', ...encrypt]]) {
      expect(await isEncryptedMessage(await gnupg(args))).toBe(true);
    }
  });

  it('recognises what openpgp.js encrypts, to a key or with a passphrase only', async () => {
    const message = await openpgp.createMessage({ text: TEXT });
    expect(await isEncryptedMessage(await openpgp.encrypt({ message, encryptionKeys: team.toPublic() }))).toBe(true);
    expect(await isEncryptedMessage(await openpgp.encrypt({ message, passwords: ['secret'] }))).toBe(true);
  });

  it('looks past a marker packet in front of the encrypted message', async () => {
    const binary = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: TEXT }),
      encryptionKeys: team.toPublic(),
      format: 'binary',
    });
    for (const marker of [Buffer.from([0xca, 0x03, 0x50, 0x47, 0x50]), Buffer.from([0xa8, 0x03, 0x50, 0x47, 0x50])]) {
      const armored = openpgp.armor(openpgp.enums.armor.message, Buffer.concat([marker, binary]));
      expect(await isEncryptedMessage(armored)).toBe(true);
    }
  });

  it('does not take a message signed only (compressed or not, the same armor) for an encrypted one', async () => {
    expect(await isEncryptedMessage(await gnupg(['--sign', '-u', partnerFingerprint]))).toBe(false);
    expect(await isEncryptedMessage(await gnupg(['--compress-algo', 'none', '--sign', '-u', partnerFingerprint]))).toBe(
      false,
    );
    expect(await isEncryptedMessage(await gnupg(['--clearsign', '-u', partnerFingerprint]))).toBe(false);
    const signed = await openpgp.sign({ message: await openpgp.createMessage({ text: TEXT }), signingKeys: team });
    expect(await isEncryptedMessage(signed)).toBe(false);
  });

  it('answers false for anything that is not an armored OpenPGP message, without throwing', async () => {
    const inputs = [
      '',
      'just text',
      '-----BEGIN PGP MESSAGE-----\n\nbm90IGEgbWVzc2FnZQ==\n-----END PGP MESSAGE-----\n',
      '-----BEGIN PGP MESSAGE-----\n\n!!!\n-----END PGP MESSAGE-----\n',
      openpgp.armor(openpgp.enums.armor.message, new Uint8Array([0xca, 0xff, 0xff])),
      team.toPublic().armor(),
      42 as unknown as string,
    ];
    for (const input of inputs) expect(await isEncryptedMessage(input)).toBe(false);
  });
});
