import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { checkpointSignatureChecker, signCheckpoint } from './audit-checkpoint';
import { generateKeyPair } from './seal';

const HASH = 'cd'.repeat(32);

async function teamKey(name: string) {
  const pair = await generateKeyPair({ name, email: 'csirt@example.org' });
  return {
    known: { fingerprint: pair.fingerprint, armored: pair.publicArmored },
    key: await openpgp.readPrivateKey({ armoredKey: pair.privateArmored }),
  };
}

describe('checkpoint signatures', () => {
  it('verify against any team key, active or retired, and name the signer', async () => {
    const [retired, active] = [await teamKey('Old team key'), await teamKey('Team key')];
    const at = new Date();
    const checkpoint = await signCheckpoint({ seq: 12, hash: HASH }, retired.key, at);
    expect(checkpoint.signed).toContain('-----BEGIN PGP SIGNED MESSAGE-----');
    const check = await checkpointSignatureChecker([active.known, retired.known]);
    expect(await check(checkpoint.signed)).toEqual({
      ok: true,
      text: `tlp-broker audit checkpoint\nseq: 12\nhash: ${HASH}\nat: ${at.toISOString()}\n`,
      signer: retired.known.fingerprint,
    });
    expect(checkpoint).toMatchObject({ at, signer: retired.known.fingerprint });
  });

  it('refuse a checkpoint altered after signing, signed by another key, or not signed', async () => {
    const team = await teamKey('Team key');
    const stranger = await teamKey('Someone else');
    const check = await checkpointSignatureChecker([team.known]);
    const signed = (await signCheckpoint({ seq: 12, hash: HASH }, team.key)).signed;

    const altered = await check(signed.replace('seq: 12', 'seq: 11'));
    expect(altered).toMatchObject({ ok: false, detail: expect.stringMatching(/does not verify/) });
    const foreign = await check((await signCheckpoint({ seq: 12, hash: HASH }, stranger.key)).signed);
    expect(foreign).toMatchObject({ ok: false, detail: expect.stringMatching(/not a team key/) });
    expect(await check('seq: 12')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/not a readable cleartext-signed document/),
    });
  });

  it('ignore a recorded key whose armor is not that of its fingerprint', async () => {
    const team = await teamKey('Team key');
    const impostor = await teamKey('Impostor');
    const check = await checkpointSignatureChecker([
      { fingerprint: team.known.fingerprint, armored: impostor.known.armored },
    ]);
    expect(await check((await signCheckpoint({ seq: 1, hash: HASH }, impostor.key)).signed)).toMatchObject({
      ok: false,
    });
  });
});
