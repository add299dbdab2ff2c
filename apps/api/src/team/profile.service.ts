import { describeBusinessHours } from '@tlp-broker/hours';
import { Injectable } from '@nestjs/common';
import { AppConfig, InjectConfig, TeamProfile } from '@tlp-broker/config';
import { signCleartext, signDetached, TeamKeyService } from '@tlp-broker/crypto';
import { publicLink } from '../common/public-url';
import { ProfileDocument, rfc2350, securityTxtBody } from './profile-text';

export type { ProfileDocument } from './profile-text';

/** How long a signed document is served before it is signed again (security.txt's Expires moves on). */
const RESIGN_AFTER_MS = 60 * 60 * 1000;

type SignedDocument = 'profile.txt' | 'profile.json' | 'profile.json.asc' | 'security.txt';

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
        businessHours: {
          description: describeBusinessHours(p.businessHours),
          week: p.businessHours.week,
          publicHolidays: p.businessHours.holidays,
        },
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

  /** security.txt (RFC 9116), cleartext-signed; it expires `securityTxtDays` after it is signed. */
  async securityTxt(): Promise<string> {
    return this.signed(
      'security.txt',
      async () =>
        securityTxtBody(this.config.profile, new Date(), {
          key: publicLink(this.config, '/team/key.asc'),
          canonical: publicLink(this.config, '/.well-known/security.txt'),
          policy: publicLink(this.config, '/team/profile.txt'),
        }),
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
