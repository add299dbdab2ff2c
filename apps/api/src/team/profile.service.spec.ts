import { OFFICE_WEEK } from '@tlp-broker/hours';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig, TeamProfile } from '@tlp-broker/config';
import { signCleartext, signDetached, TeamKeyService } from '@tlp-broker/crypto';
import { ProfileService } from './profile.service';

vi.mock('@tlp-broker/crypto', () => ({
  signCleartext: vi.fn(async (text: string, key: { id: string }) => `cleartext signed by ${key.id}:\n${text}`),
  signDetached: vi.fn(async (text: string, key: { id: string }) => `signature by ${key.id} of ${text.length} bytes`),
  TeamKeyService: class {},
}));

const profile: TeamProfile = {
  name: 'CSIRT Police nationale',
  email: 'csirt@police.example',
  phone: '+33 1 00 00 00 00',
  address: null,
  timeZone: 'Europe/Paris',
  businessHours: { timeZone: 'Europe/Paris', week: OFFICE_WEEK, holidays: { country: 'FR' } },
  hours: 'Mon-Fri 08:00-18:00',
  languages: ['fr', 'en'],
  mission: 'Protect',
  constituency: 'Police units',
  affiliation: null,
  authority: null,
  services: ['Alerts', 'Advisories'],
  incidentReporting: 'Encrypted e-mail',
  disclosure: 'TLP 2.0',
  securityTxtDays: 180,
  lastUpdated: null,
};
const config = { profile, http: { publicUrl: 'https://broker.police.example' } } as unknown as AppConfig;

function service() {
  const team = { fingerprint: 'A'.repeat(40), id: 'key-A' };
  const teamKey = {
    current: vi.fn(async () => ({
      key: { id: team.id },
      info: { fingerprint: team.fingerprint, createdAt: new Date('2026-10-01T12:00:00Z') },
    })),
  };
  const rotate = () => Object.assign(team, { fingerprint: 'B'.repeat(40), id: 'key-B' });
  return { rotate, profiles: new ProfileService(config, teamKey as unknown as TeamKeyService) };
}

describe('ProfileService', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-12-01T10:00:00.750Z'), toFake: ['Date'] });
    vi.mocked(signCleartext).mockClear();
    vi.mocked(signDetached).mockClear();
  });
  afterEach(() => vi.useRealTimers());

  it('describes the team with every link under PUBLIC_URL and the current key', async () => {
    const document = await service().profiles.document();
    expect(document.documentInformation).toEqual({
      lastUpdated: '2026-10-01',
      location: 'https://broker.police.example/team/profile.txt',
      authentication: `Signed with the team's OpenPGP key ${'A'.repeat(40)} (https://broker.police.example/team/key.asc).`,
    });
    expect(document.contact.publicKey).toEqual({
      fingerprint: 'A'.repeat(40),
      url: 'https://broker.police.example/team/key.asc',
    });
    expect(document.services).toEqual(['Alerts', 'Advisories']);
  });

  it('serves RFC 2350 text cleartext-signed, and JSON with a detached signature over exactly its bytes', async () => {
    const { profiles } = service();
    const text = await profiles.text();
    expect(text).toMatch(/^cleartext signed by key-A:\nDescription of CSIRT Police nationale according to RFC 2350\n/);
    expect(text).toContain('2.4 Telephone number: +33 1 00 00 00 00');
    expect(text).toContain('5.2 Advisories');
    const json = await profiles.json();
    expect(JSON.parse(json).format).toBe('tlp-broker/team-profile@1');
    expect(await profiles.jsonSignature()).toBe(`signature by key-A of ${json.length} bytes`);
  });

  it('writes security.txt with contacts, links under PUBLIC_URL and an expiry securityTxtDays ahead, at a whole second', async () => {
    const body = await service().profiles.securityTxt();
    expect(body).toBe(
      [
        'cleartext signed by key-A:',
        'Contact: mailto:csirt@police.example',
        'Contact: tel:+33100000000',
        'Expires: 2027-05-30T10:00:00Z',
        'Encryption: https://broker.police.example/team/key.asc',
        'Preferred-Languages: fr, en',
        'Canonical: https://broker.police.example/.well-known/security.txt',
        'Policy: https://broker.police.example/team/profile.txt',
        '',
      ].join('\n'),
    );
  });

  it('signs each document once an hour, and again at once after a key rotation', async () => {
    const { profiles, rotate } = service();
    const first = await profiles.securityTxt();
    expect(await profiles.securityTxt()).toBe(first);
    expect(signCleartext).toHaveBeenCalledTimes(1);
    vi.setSystemTime(new Date('2026-12-01T11:00:01Z'));
    expect(await profiles.securityTxt()).toContain('Expires: 2027-05-30T11:00:01Z');
    expect(signCleartext).toHaveBeenCalledTimes(2);
    rotate();
    expect(await profiles.securityTxt()).toMatch(/^cleartext signed by key-B:/);
    expect(signCleartext).toHaveBeenCalledTimes(3);
  });
});
