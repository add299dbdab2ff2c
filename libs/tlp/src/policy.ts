import { TlpLabel } from './labels';

export type Relation = 'constituent' | 'peer';
export type PartnerStatus = 'active' | 'suspended';
export type ChannelKind = 'feed' | 'email' | 'webhook' | 'public';

/** What the engine needs to know about an item version. */
export interface PolicyItem {
  readonly kind: string;
  readonly tlp: TlpLabel;
  readonly audience: {
    readonly communities: readonly string[];
    readonly organisations: readonly string[];
    readonly contacts: readonly string[];
  };
}

export interface PolicyOrganisation {
  readonly id: string;
  readonly name: string;
  readonly relation: Relation;
  readonly communities: readonly string[];
  readonly status: PartnerStatus;
}

export interface PolicyContact {
  readonly id: string;
  readonly name: string;
  readonly status: PartnerStatus;
}

/** The recipient's OpenPGP key as seen at decision time. */
export interface PolicyKey {
  readonly fingerprint: string;
  readonly expiresAt: Date | null;
  readonly revoked: boolean;
  readonly canEncrypt: boolean;
}

export interface PolicyChannel {
  readonly id: string;
  readonly kind: ChannelKind;
  /** Relays to third parties (mailing list, ISAC re-distribution feed). */
  readonly redistributes: boolean;
  readonly status: PartnerStatus;
  /** Set for a contact's own channel (personal e-mail or personal pull token). */
  readonly contact: PolicyContact | null;
  readonly key: PolicyKey | null;
}

export interface DecisionInput {
  readonly item: PolicyItem;
  readonly organisation: PolicyOrganisation;
  readonly channel: PolicyChannel;
  /** The decision time; the engine never reads a clock. */
  readonly now: Date;
}

export type ReasonCode =
  | 'partner.suspended'
  | 'contact.suspended'
  | 'channel.suspended'
  | 'channel.public.above-clear'
  | 'channel.personal.not-named'
  | 'tlp.clear.allowed'
  | 'tlp.green.in-community'
  | 'tlp.green.named'
  | 'tlp.green.default-community'
  | 'tlp.green.not-in-community'
  | 'tlp.amber.named'
  | 'tlp.amber.not-named'
  | 'tlp.amber-strict.named'
  | 'tlp.amber-strict.not-named'
  | 'tlp.amber-strict.redistributes'
  | 'tlp.red.named-contact'
  | 'tlp.red.not-personal-channel'
  | 'key.missing'
  | 'key.revoked'
  | 'key.expired'
  | 'key.cannot-encrypt';

export interface Decision {
  readonly allow: boolean;
  readonly code: ReasonCode;
  /** A sentence an analyst can read. */
  readonly reason: string;
  /** Handling instruction delivered with the item, when the label calls for one. */
  readonly handling: string | null;
}

/** TLP:RED leaves only to a person's own mailbox or own pull credential: never a webhook. */
const RED_PERSONAL_KINDS: readonly ChannelKind[] = ['email', 'feed'];

export const AMBER_CLIENTS_HANDLING = 'may share with its clients on a need-to-know basis';

const LABEL_WORD: Readonly<Record<TlpLabel, string>> = {
  'TLP:CLEAR': 'TLP:CLEAR',
  'TLP:GREEN': 'TLP:GREEN',
  'TLP:AMBER': 'TLP:AMBER',
  'TLP:AMBER+STRICT': 'TLP:AMBER+STRICT',
  'TLP:RED': 'TLP:RED',
};

function allow(code: ReasonCode, reason: string, handling: string | null = null): Decision {
  return { allow: true, code, reason, handling };
}

function deny(code: ReasonCode, reason: string): Decision {
  return { allow: false, code, reason, handling: null };
}

function describeRecipient(input: DecisionInput): string {
  const { organisation, channel } = input;
  return channel.contact ? `${channel.contact.name} (${organisation.name})` : organisation.name;
}

/** "the feed channel of CERT-X", "the personal e-mail channel of Jane Doe (EC3)", with ", which relays to third parties," where it does. */
function describeChannel(channel: PolicyChannel, owner: string): string {
  const personal = channel.contact ? 'personal ' : '';
  const relay = channel.redistributes ? ', which relays to third parties,' : '';
  return `the ${personal}${channel.kind} channel of ${owner}${relay}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function quoteList(values: readonly string[]): string {
  const quoted = values.map((value) => `"${value}"`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/**
 * Decides whether one item version may go to one recipient over one channel.
 *
 * The label rules, from least to most restrictive, each reach a subset of the previous one
 * for the same audience (monotone):
 *  - a personal channel receives an item only when its contact is named, at any label;
 *  - TLP:CLEAR: every active recipient;
 *  - TLP:GREEN: organisations in a target community or named in the audience (all partners when
 *    no community is named: TLP 2.0 then means the broker's own community); never a public channel;
 *  - TLP:AMBER: organisations named in the audience;
 *  - TLP:AMBER+STRICT: named organisations, never over a redistributing channel;
 *  - TLP:RED: named contacts, on their own channel only.
 * Above TLP:CLEAR, the recipient must hold a valid encryption key.
 */
export function decide(input: DecisionInput): Decision {
  const { item, organisation, channel, now } = input;
  const label = LABEL_WORD[item.tlp];
  const who = describeRecipient(input);
  const contact = channel.contact;

  if (organisation.status !== 'active') {
    return deny('partner.suspended', `${organisation.name} is suspended and receives nothing.`);
  }
  if (contact && contact.status !== 'active') {
    return deny('contact.suspended', `${who} is suspended and receives nothing.`);
  }

  if (channel.status !== 'active') {
    return deny('channel.suspended', `${capitalise(describeChannel(channel, who))} is suspended.`);
  }

  const labelDecision = contact ? decidePersonal(input, contact, who, label) : decideOrganisation(input, who, label);
  if (!labelDecision.allow || item.tlp === 'TLP:CLEAR') {
    return labelDecision;
  }
  const keyProblem = checkKey(channel.key, now, who, label);
  return keyProblem ?? labelDecision;
}

function decidePersonal(input: DecisionInput, contact: PolicyContact, who: string, label: string): Decision {
  const { item, channel } = input;
  if (channel.kind === 'public') {
    return deny('channel.public.above-clear', `The public channel registered for ${who} cannot be a personal channel; nothing is sent on it.`);
  }
  if (!item.audience.contacts.includes(contact.id)) {
    return deny(
      'channel.personal.not-named',
      `${who} is not named in the audience of this ${label} ${item.kind}, and a personal ${channel.kind} channel only carries items addressed to its owner.`,
    );
  }
  if (item.tlp === 'TLP:RED') {
    if (channel.redistributes || !RED_PERSONAL_KINDS.includes(channel.kind)) {
      return deny(
        'tlp.red.not-personal-channel',
        `${label} goes only to a named person's own e-mail or pull feed; ${describeChannel(channel, who)} is not one.`,
      );
    }
    return allow('tlp.red.named-contact', `${who} is named in the audience of this ${label} ${item.kind} and this is their own ${channel.kind} channel.`);
  }
  if (item.tlp === 'TLP:AMBER+STRICT') {
    if (channel.redistributes) return denyRedistributes(input, who, label);
    return allow('tlp.amber-strict.named', `${who} is named in the audience of this ${label} ${item.kind}; share only within ${input.organisation.name}, need to know.`);
  }
  if (item.tlp === 'TLP:AMBER') {
    return allow('tlp.amber.named', `${who} is named in the audience of this ${label} ${item.kind}.`, amberHandling(input));
  }
  if (item.tlp === 'TLP:GREEN') {
    return allow('tlp.green.named', `${who} is named in the audience of this ${label} ${item.kind}.`);
  }
  return allow('tlp.clear.allowed', `${label} may go to anyone; ${who} is named in the audience.`);
}

function decideOrganisation(input: DecisionInput, who: string, label: string): Decision {
  const { item, organisation, channel } = input;
  const named = item.audience.organisations.includes(organisation.id);

  if (item.tlp === 'TLP:CLEAR') {
    return allow('tlp.clear.allowed', `${label} may go to any active partner; ${who} is active.`);
  }
  if (channel.kind === 'public') {
    return deny('channel.public.above-clear', `Only TLP:CLEAR may go to a public channel, such as this one of ${who}; this ${item.kind} is ${label}.`);
  }
  if (item.tlp === 'TLP:RED') {
    return deny(
      'tlp.red.not-personal-channel',
      `${label} goes only to named people on their own channel; ${describeChannel(channel, organisation.name)} is shared.`,
    );
  }
  if (item.tlp === 'TLP:GREEN') {
    const communities = item.audience.communities;
    if (isEmptyAudience(item)) {
      return allow('tlp.green.default-community', `No community is named, so this ${label} ${item.kind} goes to the broker's own community, which ${who} belongs to as a partner.`);
    }
    const shared = communities.find((community) => organisation.communities.includes(community));
    if (shared !== undefined) {
      return allow('tlp.green.in-community', `${who} is a member of "${shared}", a community this ${label} ${item.kind} is shared with.`);
    }
    if (named) {
      return allow('tlp.green.named', `${who} is named in the audience of this ${label} ${item.kind}.`);
    }
    const only = communities.length === 1 ? 'the only community' : 'the communities';
    return deny(
      'tlp.green.not-in-community',
      communities.length === 0
        ? `${who} is not named in the audience of this ${label} ${item.kind}.`
        : `${who} is not a member of ${quoteList(communities)}, ${only} this ${label} ${item.kind} is shared with.`,
    );
  }
  if (item.tlp === 'TLP:AMBER') {
    if (!named) {
      return deny('tlp.amber.not-named', `${who} is not named in the audience of this ${label} ${item.kind} (need to know).`);
    }
    return allow('tlp.amber.named', `${who} is named in the audience of this ${label} ${item.kind}.`, amberHandling(input));
  }
  // TLP:AMBER+STRICT
  if (!named) {
    return deny('tlp.amber-strict.not-named', `${who} is not named in the audience of this ${label} ${item.kind} (need to know).`);
  }
  if (channel.redistributes) return denyRedistributes(input, who, label);
  return allow('tlp.amber-strict.named', `${who} is named in the audience of this ${label} ${item.kind}; share only within ${organisation.name}, need to know.`);
}

/** With no audience at all, TLP:GREEN means the broker's own community (TLP 2.0: the default community). */
export function isEmptyAudience(item: PolicyItem): boolean {
  const { communities, organisations, contacts } = item.audience;
  return communities.length === 0 && organisations.length === 0 && contacts.length === 0;
}

function denyRedistributes(input: DecisionInput, who: string, label: string): Decision {
  return deny(
    'tlp.amber-strict.redistributes',
    `${label} must stay within the recipient organisation, and the ${input.channel.kind} channel of ${who} relays to third parties.`,
  );
}

function amberHandling(input: DecisionInput): string | null {
  return input.organisation.relation === 'constituent' || input.channel.redistributes ? AMBER_CLIENTS_HANDLING : null;
}

function checkKey(key: PolicyKey | null, now: Date, who: string, label: string): Decision | null {
  if (key === null) {
    return deny('key.missing', `${label} leaves the broker only encrypted, and ${who} has no OpenPGP key for this channel.`);
  }
  if (key.revoked) {
    return deny('key.revoked', `The OpenPGP key ${key.fingerprint} of ${who} is revoked; ${label} cannot be encrypted to it.`);
  }
  if (key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime()) {
    return deny('key.expired', `The OpenPGP key ${key.fingerprint} of ${who} expired on ${key.expiresAt.toISOString()}; ${label} cannot be encrypted to it.`);
  }
  if (!key.canEncrypt) {
    return deny('key.cannot-encrypt', `The OpenPGP key ${key.fingerprint} of ${who} has no usable encryption subkey.`);
  }
  return null;
}
