/**
 * The benchmark's partners, registered through the API as an administrator registers them: one
 * organisation per partner, each with a key of its own (a fresh v4 Curve25519 key, as partners'
 * software makes them) and one feed channel; and a duty officer who receives urgent alerts by
 * e-mail (figure 2).
 */
import * as openpgp from 'openpgp';
import { generateKeyPair } from '@tlp-broker/crypto';
import { call } from '@tlp-broker/harness';
import type { OrganisationKind } from '@tlp-broker/domain';
import type { BenchBroker } from './e2e-broker';
import { int, lanes, progress, endProgress } from './e2e-report';

/** Every benchmark partner: figure 1 publishes to it. */
export const ALL_PARTNERS = 'e2e-bench-all';
/** The first BENCH_BACKGROUND_RECIPIENTS partners: figure 2's background fan-outs go to them. */
export const BACKGROUND_PARTNERS = 'e2e-bench-background';
/** Registrations in flight at once. */
const REGISTRATION_CONCURRENCY = 16;
/** Partners whose private key is kept, to open what they were delivered. */
const KEPT_PRIVATE_KEYS = 4;
const KINDS: readonly OrganisationKind[] = ['cert', 'csirt', 'soc', 'lea', 'isac', 'government', 'private'];

export interface Partner {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly channelId: string;
  /** The feed channel's API key (scopes feed, taxii, misp: the broker's default). */
  readonly feedKey: string;
  readonly fingerprint: string;
  readonly publicArmored: string;
  readonly privateKey: openpgp.PrivateKey | null;
}

interface Registered {
  id: string;
  channels: { id: string; apiKey?: string }[];
}

export class Partners {
  readonly list: Partner[] = [];
  /** Time spent generating keys and registering, over every call. */
  registrationMs = 0;

  constructor(
    private readonly broker: BenchBroker,
    private readonly backgroundRecipients: number,
  ) {}

  /** Registers partners until there are `count`; returns how long the new ones took. */
  async registerUpTo(count: number): Promise<{ added: number; ms: number }> {
    const from = this.list.length;
    const started = performance.now();
    let done = 0;
    const added = await lanes(count - from, REGISTRATION_CONCURRENCY, async (k) => {
      const partner = await this.register(from + k);
      if (++done % 50 === 0) progress(`registered ${int(from + done)}/${int(count)} partners`);
      return partner;
    });
    endProgress();
    this.list.push(...added);
    const elapsed = performance.now() - started;
    this.registrationMs += elapsed;
    return { added: added.length, ms: elapsed };
  }

  private async register(index: number): Promise<Partner> {
    const number = String(index + 1).padStart(5, '0');
    const name = `Bench partner ${number}`;
    const pair = await generateKeyPair({ name, email: `soc@partner-${number}.bench.example` });
    const created = await call<Registered>(this.broker.base, 'POST', '/organisations', {
      key: this.broker.adminKey,
      json: {
        name,
        kind: KINDS[index % KINDS.length],
        relation: index % 3 === 0 ? 'constituent' : 'peer',
        communities: [ALL_PARTNERS, ...(index < this.backgroundRecipients ? [BACKGROUND_PARTNERS] : [])],
        accreditations: [],
        publicKey: pair.publicArmored,
        channels: [{ kind: 'feed' }],
      },
    });
    const [channel] = created.channels;
    if (!channel?.apiKey) throw new Error(`registering ${name}: no feed channel with an API key in the answer`);
    return {
      index,
      id: created.id,
      name,
      channelId: channel.id,
      feedKey: channel.apiKey,
      fingerprint: pair.fingerprint,
      publicArmored: pair.publicArmored,
      privateKey: index < KEPT_PRIVATE_KEYS ? await openpgp.readPrivateKey({ armoredKey: pair.privateArmored }) : null,
    };
  }
}

export interface DutyOfficer {
  readonly organisationId: string;
  readonly contactId: string;
  /** The contact's personal e-mail channel. */
  readonly emailChannelId: string;
  readonly email: string;
}

/**
 * A partner organisation outside the benchmark's communities with one named contact, a duty
 * officer, whose personal channel is e-mail. The API registers a contact with a personal pull
 * feed only (POST /organisations/:id/contacts), so the personal e-mail channel — which the policy
 * engine serves TLP:RED to — is added to the channels table directly, encrypted to the contact's
 * registered key, and the personal feed is suspended through the API: the alert has one recipient.
 */
export async function registerDutyOfficer(broker: BenchBroker): Promise<DutyOfficer> {
  const email = 'duty.officer@alert-desk.bench.example';
  const orgKey = await generateKeyPair({ name: 'Bench alert desk', email: 'soc@alert-desk.bench.example' });
  const organisation = await call<Registered>(broker.base, 'POST', '/organisations', {
    key: broker.adminKey,
    json: {
      name: 'Bench alert desk',
      kind: 'lea',
      relation: 'constituent',
      communities: [],
      publicKey: orgKey.publicArmored,
      channels: [{ kind: 'feed' }],
    },
  });
  const personKey = await generateKeyPair({ name: 'Duty Officer', email });
  const contact = await call<Registered>(broker.base, 'POST', `/organisations/${organisation.id}/contacts`, {
    key: broker.adminKey,
    json: { name: 'Duty Officer', email, publicKey: personKey.publicArmored },
  });
  const feedChannelId = contact.channels[0].id;
  const inserted = await broker.db.query<{ id: string }>(
    `INSERT INTO channels (organisation_id, contact_id, kind, redistributes, address, key_id, status)
     SELECT organisation_id, contact_id, 'email', false, $2, key_id, 'active' FROM channels WHERE id = $1
     RETURNING id`,
    [feedChannelId, email],
  );
  if (inserted.rowCount !== 1) throw new Error(`the duty officer's feed channel ${feedChannelId} was not found`);
  await call(broker.base, 'PATCH', `/organisations/${organisation.id}/channels/${feedChannelId}`, {
    key: broker.adminKey,
    json: { status: 'suspended' },
  });
  return { organisationId: organisation.id, contactId: contact.id, emailChannelId: inserted.rows[0].id, email };
}
