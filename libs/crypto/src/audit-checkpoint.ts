import * as openpgp from 'openpgp';
import { DataSource } from 'typeorm';
import type { AuditHead, AuditVerification, CheckpointSignatureCheck } from '@tlp-broker/persistence';
import { checkpointText, TeamKeyRepository, verifyAuditTrail } from '@tlp-broker/persistence';
import { errorMessage } from './keys';
import { signCleartext } from './seal';
import type { KnownKey } from './verify';

/** A checkpoint: the chain head and the time, as a cleartext-signed document (`gpg --verify` reads it). */
export async function signCheckpoint(
  head: AuditHead,
  signingKey: openpgp.PrivateKey,
  at: Date = new Date(),
): Promise<{ at: Date; signer: string; signed: string }> {
  // Whole milliseconds: what the document states and PostgreSQL keeps are the same instant.
  const when = new Date(at.getTime());
  const signed = await signCleartext(checkpointText({ ...head, at: when }), signingKey, when);
  return { at: when, signer: signingKey.getFingerprint().toUpperCase(), signed };
}

/**
 * Checks checkpoints against the team's keys, active and retired alike (a retired key still
 * vouches for what it signed). The keys are read once: a verification may check many thousands.
 */
export async function checkpointSignatureChecker(teamKeys: readonly KnownKey[]): Promise<CheckpointSignatureCheck> {
  const keys: openpgp.PublicKey[] = [];
  for (const known of teamKeys) {
    const key = await openpgp.readKey({ armoredKey: known.armored });
    const publicKey = key.isPrivate() ? key.toPublic() : key;
    // A key whose armor is not that of its recorded fingerprint is not the team's key.
    if (publicKey.getFingerprint().toUpperCase() === known.fingerprint.toUpperCase()) keys.push(publicKey);
  }
  return async (signed) => {
    let message: openpgp.CleartextMessage;
    try {
      message = await openpgp.readCleartextMessage({ cleartextMessage: signed });
    } catch (error) {
      return { ok: false, detail: `not a readable cleartext-signed document (${errorMessage(error)})` };
    }
    const signers = keys.filter((key) => message.getSigningKeyIDs().some((id) => key.getKeys(id).length > 0));
    if (signers.length === 0) {
      const ids = message.getSigningKeyIDs().map((id) => id.toHex().toUpperCase());
      return {
        ok: false,
        detail: ids.length === 0 ? 'it carries no signature' : `signed by key id ${ids.join(', ')}, not a team key`,
      };
    }
    let failure = 'no signature by a team key was found';
    try {
      const { data, signatures } = await openpgp.verify({ message, verificationKeys: signers });
      for (const signature of signatures) {
        const signer = signers.find((key) => key.getKeys(signature.keyID).length > 0);
        if (!signer) continue;
        try {
          await signature.verified;
          return { ok: true, text: data, signer: signer.getFingerprint().toUpperCase() };
        } catch (error) {
          failure = `the signature by ${signer.getFingerprint().toUpperCase()} does not verify (${errorMessage(error)})`;
        }
      }
    } catch (error) {
      failure = `the signature cannot be checked (${errorMessage(error)})`;
    }
    return { ok: false, detail: failure };
  };
}

/**
 * Verifies the audit trail (libs/persistence verifyAuditTrail) with the checkpoints checked
 * against every team key the broker has recorded. `macKey` null leaves the MACs unchecked.
 */
export async function verifyAudit(
  dataSource: DataSource,
  options: { macKey: Uint8Array | null; checkpointFile?: string },
): Promise<AuditVerification> {
  const teamKeys = await new TeamKeyRepository(dataSource).all();
  const checkSignature = await checkpointSignatureChecker(
    teamKeys.map((key) => ({ fingerprint: key.fingerprint, armored: key.publicArmored })),
  );
  return verifyAuditTrail(dataSource, { ...options, checkSignature });
}
