import { Injectable } from '@nestjs/common';
import { AppConfig, InjectConfig, TeamProfile } from '@tlp-broker/config';
import { signCleartext, signDetached, TeamKeyService } from '@tlp-broker/crypto';
import { publicLink } from '../common/public-url';

/** How long a signed document is served before it is signed again (security.txt's Expires moves on). */
const RESIGN_AFTER_MS = 60 * 60 * 1000;

type SignedDocument = 'profile.txt' | 'profile.json' | 'profile.json.asc' | 'security.txt';

export interface ProfileDocument {
  readonly format: 'tlp-broker/team-profile@1';
  readonly documentInformation: {
    readonly lastUpdated: string;
    readonly location: string;
    readonly authentication: string;
  };
  readonly contact: {
    readonly name: string;
    readonly email: string;
    readonly phone: string | null;
    readonly address: string | null;
    readonly timeZone: string;
    readonly hours: string;
    readonly languages: readonly string[];
    readonly publicKey: { readonly fingerprint: string; readonly url: string };
  };
  readonly charter: {
    readonly mission: string;
    readonly constituency: string;
    readonly affiliation: string | null;
    readonly authority: string | null;
  };
  readonly policies: {
    readonly informationSharing: string;
    readonly incidentReporting: string;
    readonly tlp: readonly string[];
  };
  readonly services: readonly string[];
}

/**
 * The team's RFC 2350 profile (text and JSON) and its security.txt (RFC 9116), each signed with the
 * team's current key, re-signed hourly and after a key rotation. Their links come from PUBLIC_URL
 * alone: nothing a request says can change what the team key signs.
 */
@Injectable()
export class ProfileService {
  private readonly cache = new Map<SignedDocument, { fingerprint: string; at: number; body: string }>();

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly teamKey: TeamKeyService,
  ) {}

  async document(): Promise<ProfileDocument> {
    const { info } = await this.teamKey.current();
    const p: TeamProfile = this.config.profile;
    return {
      format: 'tlp-broker/team-profile@1',
      documentInformation: {
        lastUpdated: p.lastUpdated ?? info.createdAt.toISOString().slice(0, 10),
        location: publicLink(this.config, '/team/profile.txt'),
        authentication: `Signed with the team's OpenPGP key ${info.fingerprint} (${publicLink(this.config, '/team/key.asc')}).`,
      },
      contact: {
        name: p.name,
        email: p.email,
        phone: p.phone,
        address: p.address,
        timeZone: p.timeZone,
        hours: p.hours,
        languages: p.languages,
        publicKey: { fingerprint: info.fingerprint, url: publicLink(this.config, '/team/key.asc') },
      },
      charter: { mission: p.mission, constituency: p.constituency, affiliation: p.affiliation, authority: p.authority },
      policies: {
        informationSharing: p.disclosure,
        incidentReporting: p.incidentReporting,
        tlp: [
          'TLP:CLEAR — public: the public feed and every partner.',
          'TLP:GREEN — partners of the named communities.',
          'TLP:AMBER — named organisations (need to know); constituents may pass it to their clients on a need-to-know basis.',
          'TLP:AMBER+STRICT — named organisations only, never through a channel that redistributes.',
          'TLP:RED — named people only, on their own channel.',
        ],
      },
      services: p.services,
    };
  }

  /** The profile as RFC 2350 text, cleartext-signed. */
  async text(): Promise<string> {
    return this.signed('profile.txt', async () => rfc2350(await this.document()), 'cleartext');
  }

  /** The profile as JSON (exactly the bytes its detached signature covers). */
  async json(): Promise<string> {
    return this.signed('profile.json', async () => `${JSON.stringify(await this.document(), null, 2)}\n`, 'none');
  }

  async jsonSignature(): Promise<string> {
    const json = await this.json();
    return this.signed('profile.json.asc', async () => json, 'detached');
  }

  /** security.txt (RFC 9116), cleartext-signed. */
  async securityTxt(): Promise<string> {
    return this.signed(
      'security.txt',
      async () => {
        const p = this.config.profile;
        const expires = new Date(Date.now() + p.securityTxtDays * 24 * 60 * 60 * 1000);
        expires.setUTCMilliseconds(0);
        return [
          `Contact: mailto:${p.email}`,
          ...(p.phone ? [`Contact: tel:${p.phone.replace(/[^+\d]/g, '')}`] : []),
          `Expires: ${expires.toISOString().replace('.000Z', 'Z')}`,
          `Encryption: ${publicLink(this.config, '/team/key.asc')}`,
          `Preferred-Languages: ${p.languages.join(', ')}`,
          `Canonical: ${publicLink(this.config, '/.well-known/security.txt')}`,
          `Policy: ${publicLink(this.config, '/team/profile.txt')}`,
          '',
        ].join('\n');
      },
      'cleartext',
    );
  }

  private async signed(
    key: SignedDocument,
    build: () => Promise<string>,
    mode: 'cleartext' | 'detached' | 'none',
  ): Promise<string> {
    const team = await this.teamKey.current();
    const cached = this.cache.get(key);
    if (cached && cached.fingerprint === team.info.fingerprint && Date.now() - cached.at < RESIGN_AFTER_MS)
      return cached.body;
    const content = await build();
    const body =
      mode === 'cleartext'
        ? await signCleartext(content, team.key)
        : mode === 'detached'
          ? await signDetached(content, team.key)
          : content;
    this.cache.set(key, { fingerprint: team.info.fingerprint, at: Date.now(), body });
    return body;
  }
}

/** The RFC 2350 section layout. */
function rfc2350(d: ProfileDocument): string {
  const c = d.contact;
  const lines = [
    `Description of ${c.name} according to RFC 2350`,
    '',
    '1. Document information',
    `1.1 Date of last update: ${d.documentInformation.lastUpdated}`,
    '1.2 Distribution list for notifications: none; the current version is always at the location below.',
    `1.3 Locations where this document may be found: ${d.documentInformation.location}`,
    `1.4 Authenticating this document: ${d.documentInformation.authentication}`,
    '',
    '2. Contact information',
    `2.1 Name of the team: ${c.name}`,
    `2.2 Address: ${c.address ?? 'not published'}`,
    `2.3 Time zone: ${c.timeZone}`,
    `2.4 Telephone number: ${c.phone ?? 'not published'}`,
    `2.5 Facsimile number: none`,
    `2.6 Other telecommunication: partners' feeds (JSON, TAXII 2.1, MISP) and webhooks`,
    `2.7 Electronic mail address: ${c.email}`,
    `2.8 Public keys and encryption information: OpenPGP ${c.publicKey.fingerprint}, ${c.publicKey.url}`,
    '2.9 Team members: not published',
    `2.10 Other information: languages ${c.languages.join(', ')}`,
    `2.11 Points of customer contact: ${c.email}; ${c.hours}`,
    '',
    '3. Charter',
    `3.1 Mission statement: ${d.charter.mission}`,
    `3.2 Constituency: ${d.charter.constituency}`,
    `3.3 Sponsorship and/or affiliation: ${d.charter.affiliation ?? 'not published'}`,
    `3.4 Authority: ${d.charter.authority ?? 'not published'}`,
    '',
    '4. Policies',
    `4.1 Types of incidents and level of support: ${d.policies.incidentReporting}`,
    `4.2 Co-operation, interaction and disclosure of information: ${d.policies.informationSharing}`,
    ...d.policies.tlp.map((line) => `    ${line}`),
    "4.3 Communication and authentication: everything the team sends is signed with its OpenPGP key; anything above TLP:CLEAR is encrypted to the recipient's key.",
    '',
    '5. Services',
    ...d.services.map((service, index) => `5.${index + 1} ${service}`),
    '',
    '6. Incident reporting forms',
    d.policies.incidentReporting,
    '',
    '7. Disclaimers',
    'While every precaution is taken in preparing information, the team assumes no responsibility for errors or omissions, or for damages resulting from its use.',
    '',
  ];
  return lines.join('\n');
}
