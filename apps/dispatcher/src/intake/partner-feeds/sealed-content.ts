import { Injectable } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { openIncomingMessage, SignatureCheck, TeamKeyService, type IncomingKeys } from '@tlp-broker/crypto';
import { OrganisationRepository } from '@tlp-broker/persistence';
import { asOpenPgpInput } from './feed-readings';

/** What the OpenPGP messages of one object or event came to. */
export type OpenedSealed =
  | {
      readonly ok: true;
      /** The messages' content, one after the other. */
      readonly text: string;
      /** All of them were encrypted (to a team key); a message only signed is read too. */
      readonly encrypted: boolean;
      readonly signer: { readonly fingerprint: string; readonly contactId: string | null };
    }
  | { readonly ok: false; readonly reason: string; readonly detail: string };

/**
 * Opens what a partner's feed carries encrypted (a tlp-broker serves everything above TLP:CLEAR as
 * an OpenPGP message encrypted to the recipient and signed by the sending team): decrypted with
 * the team's keys, current or retired, and accepted only when signed by a key registered for the
 * feed's own organisation or one of its contacts. Anything else is a refusal with its reason; the
 * ciphertext is never taken as content.
 */
@Injectable()
export class SealedContentReader {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly teamKey: TeamKeyService,
    private readonly organisations: OrganisationRepository,
  ) {}

  async open(payloads: readonly Uint8Array[], organisationId: string): Promise<OpenedSealed> {
    const keys: IncomingKeys = {
      team: await this.teamKey.decryptionKeys(),
      registered: (await this.organisations.registeredKeyOwners()).filter(
        (owner) => owner.organisationId === organisationId,
      ),
    };
    const limits = {
      maxContentBytes: this.config.submissions.maxBytes,
      timeoutMs: this.config.intake.openPgpTimeoutMs,
    };
    const texts: string[] = [];
    let encrypted = true;
    let signer: { fingerprint: string; contactId: string | null } | null = null;
    for (const payload of payloads) {
      const opened = await openIncomingMessage(asOpenPgpInput(payload), keys, limits);
      if (!opened.ok) return { ok: false, reason: opened.reason, detail: opened.detail };
      if (opened.signature.state !== 'verified') return unproven(opened.signature);
      const text = utf8(opened.content);
      if (text === null) return { ok: false, reason: 'not-text', detail: 'the decrypted content is not UTF-8 text' };
      texts.push(text);
      encrypted &&= opened.encrypted;
      signer = { fingerprint: opened.signature.signer.fingerprint, contactId: opened.signature.signer.contactId };
    }
    if (!signer) return { ok: false, reason: 'unreadable', detail: 'no OpenPGP message to open' };
    return { ok: true, text: texts.join('\n\n'), encrypted, signer };
  }
}

/** A signature that proves nothing about the partner: none, a key it did not register, or one that does not verify. */
function unproven(signature: Exclude<SignatureCheck, { state: 'verified' }>): OpenedSealed {
  switch (signature.state) {
    case 'unsigned':
      return { ok: false, reason: 'unsigned', detail: 'the message is not signed: who made it cannot be proven' };
    case 'unknown-signer':
      return {
        ok: false,
        reason: 'unknown-signer',
        detail: `signed by key id ${signature.keyIds.join(', ')}, which is not registered for this partner`,
      };
    case 'invalid':
      return { ok: false, reason: signature.reason, detail: signature.detail };
  }
}

function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
