import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyFilePartnerKey, RefusedMessage } from './opener';

const pair = async (name: string) => {
  const { privateKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name, email: `${name}@example.org` }],
    format: 'object',
  });
  return privateKey;
};

describe('the partner key opening what the team sent', () => {
  let team: openpgp.PrivateKey;
  let rogue: openpgp.PrivateKey;
  let partner: openpgp.PrivateKey;
  let key: KeyFilePartnerKey;

  beforeAll(async () => {
    [team, rogue, partner] = await Promise.all([pair('team'), pair('rogue'), pair('partner')]);
    key = await KeyFilePartnerKey.load(
      (await openpgp.encryptKey({ privateKey: partner, passphrase: 'secret words' })).armor(),
      'secret words',
    );
  });

  it('decrypts and names the pinned team key that signed', async () => {
    const message = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: '{"a":1}' }),
      encryptionKeys: partner.toPublic(),
      signingKeys: team,
    });
    const opened = await key.open(message, [team.toPublic()]);
    expect(opened).toEqual({ text: '{"a":1}', signer: team.getFingerprint().toUpperCase() });
  });

  it('refuses a message signed by any other key, naming it', async () => {
    const message = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: 'x' }),
      encryptionKeys: partner.toPublic(),
      signingKeys: rogue,
    });
    const keyId = rogue.getKeyID().toHex().toUpperCase();
    await expect(key.open(message, [team.toPublic()])).rejects.toThrow(
      new RefusedMessage(`signed by key ${keyId}, which is not the team's pinned key`),
    );
  });

  it('refuses an unsigned message and one it cannot decrypt', async () => {
    const unsigned = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: 'x' }),
      encryptionKeys: partner.toPublic(),
    });
    await expect(key.open(unsigned, [team.toPublic()])).rejects.toThrow('the message is not signed');
    const elsewhere = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: 'x' }),
      encryptionKeys: rogue.toPublic(),
      signingKeys: team,
    });
    await expect(key.open(elsewhere, [team.toPublic()])).rejects.toThrow(/cannot be decrypted with the partner key/);
    await expect(key.open('not a message', [team.toPublic()])).rejects.toThrow(/not a readable OpenPGP message/);
  });

  it('verifies a signed-only message (TLP:CLEAR to a partner without an encryption key)', async () => {
    const signed = await openpgp.sign({ message: await openpgp.createMessage({ text: 'clear' }), signingKeys: team });
    expect((await key.open(signed, [team.toPublic()])).text).toBe('clear');
    const forged = await openpgp.sign({ message: await openpgp.createMessage({ text: 'clear' }), signingKeys: rogue });
    await expect(key.open(forged, [team.toPublic()])).rejects.toBeInstanceOf(RefusedMessage);
  });

  it('seals for the team: signed by the partner, readable only with the team key', async () => {
    const message = await key.seal('report', team.toPublic());
    const opened = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: message }),
      decryptionKeys: team,
      verificationKeys: partner.toPublic(),
      expectSigned: true,
    });
    expect(opened.data).toBe('report');
    await expect(
      openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: message }), decryptionKeys: rogue }),
    ).rejects.toThrow();
  });

  it('refuses a wrong passphrase with a sentence a person reads', async () => {
    const locked = (await openpgp.encryptKey({ privateKey: partner, passphrase: 'right' })).armor();
    await expect(KeyFilePartnerKey.load(locked, 'wrong')).rejects.toThrow(
      'the passphrase does not unlock the partner key',
    );
    await expect(KeyFilePartnerKey.load(locked, null)).rejects.toThrow(
      'the partner key is protected: give its passphrase',
    );
  });
});
