import { Injectable } from '@nestjs/common';
import type { KeyOwner } from '@tlp-broker/crypto';
import { OrganisationRepository } from '@tlp-broker/persistence';

/**
 * The e-mail addresses a signing key's owner writes from: the contact's own address and e-mail
 * channels, the organisation's e-mail channels, and the addresses in the key's user ids. A From:
 * header naming any other address is flagged (the sender is the key's owner all the same).
 */
@Injectable()
export class SignerAddresses {
  constructor(private readonly organisations: OrganisationRepository) {}

  async of(signer: KeyOwner): Promise<Set<string>> {
    const organisation = [signer.organisationId];
    const [contacts, channels, keys] = await Promise.all([
      this.organisations.contactsOf(organisation),
      this.organisations.channelsOf(organisation),
      this.organisations.keysOf(organisation),
    ]);
    const addresses = [
      ...contacts.filter((contact) => contact.id === signer.contactId).map((contact) => contact.email),
      ...channels
        .filter(
          (channel) =>
            channel.kind === 'email' && (channel.contactId === null || channel.contactId === signer.contactId),
        )
        .flatMap((channel) => channel.address ?? []),
      ...keys.filter((key) => key.fingerprint === signer.fingerprint).flatMap((key) => key.userIds),
    ];
    return new Set(addresses.flatMap(emailIn).map((address) => address.toLowerCase()));
  }
}

/** `Name <a@b.example>` or `a@b.example` → the address; nothing for a user id without one. */
function emailIn(text: string): string[] {
  const angled = /<([^<>\s]+@[^<>\s]+)>/.exec(text);
  if (angled) return [angled[1]];
  const bare = text.trim();
  return /^[^\s@]+@[^\s@]+$/.test(bare) ? [bare] : [];
}
