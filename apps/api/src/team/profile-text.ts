import { TeamProfile } from '@tlp-broker/config';
import type { HolidayCalendar, WeeklySchedule } from '@tlp-broker/hours';

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
    /** The office hours in `timeZone`; outside them, urgent matters go to the duty officer. */
    readonly businessHours: {
      readonly description: string;
      readonly week: WeeklySchedule;
      /** The public-holiday calendar the team keeps (null: none). */
      readonly publicHolidays: HolidayCalendar | null;
    };
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

/** The links security.txt gives, all under PUBLIC_URL. */
export interface SecurityTxtLinks {
  readonly key: string;
  readonly canonical: string;
  readonly policy: string;
}

/** security.txt (RFC 9116) before it is signed: it expires `securityTxtDays` after `now`, at a whole second. */
export function securityTxtBody(profile: TeamProfile, now: Date, links: SecurityTxtLinks): string {
  const expires = new Date(now.getTime() + profile.securityTxtDays * 24 * 60 * 60 * 1000);
  expires.setUTCMilliseconds(0);
  return [
    `Contact: mailto:${profile.email}`,
    ...(profile.phone ? [`Contact: tel:${profile.phone.replace(/[^+\d]/g, '')}`] : []),
    `Expires: ${expires.toISOString().replace('.000Z', 'Z')}`,
    `Encryption: ${links.key}`,
    `Preferred-Languages: ${profile.languages.join(', ')}`,
    `Canonical: ${links.canonical}`,
    `Policy: ${links.policy}`,
    '',
  ].join('\n');
}

/** The RFC 2350 section layout. */
export function rfc2350(d: ProfileDocument): string {
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
    `    Business hours: ${c.businessHours.description}. Outside them, urgent alerts are acknowledged by the team's duty officer.`,
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
