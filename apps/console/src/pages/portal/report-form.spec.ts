import { describe, expect, it } from 'vitest';
import type { Schemas } from '../../api/client';
import {
  buildReportRequest,
  callingContacts,
  emptyReportForm,
  fieldsOf,
  formProblems,
  placeReportProblems,
  readObservables,
  ReportForm,
  reportingOrganisations,
  withZoneOffset,
} from './report-form';

const PARIS = 'Europe/Paris';

function incident(fields: Partial<ReportForm> = {}): ReportForm {
  return {
    ...emptyReportForm('investigation-incident'),
    title: '  Ransomware at a town hall ',
    tlp: 'TLP:AMBER',
    caseReference: ' PJ-2026-17 ',
    investigatingUnit: 'Brigade numérique',
    incidentAt: '2026-11-30T22:15',
    victimType: 'public-body',
    observables: 'hxxps://evil[.]example/pay\n\n  198.51.100[.]7  \r\nthe caller’s phone number\n',
    description: 'Files encrypted overnight.',
    urgency: 'critical',
    ...fields,
  };
}

describe('the incident date and time', () => {
  it('is written with the offset of the zone it was typed in, at that date', () => {
    expect(withZoneOffset('2026-11-30T22:15', PARIS)).toBe('2026-11-30T22:15:00+01:00');
    expect(withZoneOffset('2026-07-01T09:05', PARIS)).toBe('2026-07-01T09:05:00+02:00');
    expect(withZoneOffset('2026-11-30T22:15', 'America/New_York')).toBe('2026-11-30T22:15:00-05:00');
    expect(withZoneOffset('2026-11-30T22:15', 'Asia/Kolkata')).toBe('2026-11-30T22:15:00+05:30');
    expect(withZoneOffset('2026-11-30T22:15', 'UTC')).toBe('2026-11-30T22:15:00+00:00');
  });

  it('is the same instant as the one typed', () => {
    const written = withZoneOffset('2026-03-29T03:30', PARIS)!;
    expect(new Date(written).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('is null when the text is not a date and time', () => {
    expect(withZoneOffset('', PARIS)).toBeNull();
    expect(withZoneOffset('30/11/2026 22:15', PARIS)).toBeNull();
  });
});

describe('observables', () => {
  it('are read line by line as the broker reads them: refanged, canonical, or not recognised', () => {
    expect(readObservables(incident().observables)).toEqual([
      { line: 'hxxps://evil[.]example/pay', indicator: { type: 'url', value: 'https://evil.example/pay' } },
      { line: '198.51.100[.]7', indicator: { type: 'ipv4', value: '198.51.100.7' } },
      { line: 'the caller’s phone number', indicator: null },
    ]);
    expect(readObservables('EVIL.Example')).toEqual([
      { line: 'EVIL.Example', indicator: { type: 'domain', value: 'evil.example' } },
    ]);
    expect(readObservables(' \n\n')).toEqual([]);
  });
});

describe('the report request', () => {
  it('holds the incident form’s fields, the observables one a line and the time with its offset', () => {
    expect(buildReportRequest(incident({ pap: 'PAP:RED' }), false, PARIS)).toEqual({
      kind: 'investigation-incident',
      title: 'Ransomware at a town hall',
      tlp: 'TLP:AMBER',
      pap: 'PAP:RED',
      description: 'Files encrypted overnight.',
      urgency: 'critical',
      caseReference: 'PJ-2026-17',
      investigatingUnit: 'Brigade numérique',
      incidentAt: '2026-11-30T22:15:00+01:00',
      victimType: 'public-body',
      observables: ['hxxps://evil[.]example/pay', '198.51.100[.]7', 'the caller’s phone number'],
    });
  });

  it('leaves out what is not chosen, and the other form’s fields', () => {
    const support: ReportForm = {
      ...incident({ observables: '', topic: ' Forensics ' }),
      kind: 'support-request',
    };
    expect(buildReportRequest(support, false, PARIS)).toEqual({
      kind: 'support-request',
      title: 'Ransomware at a town hall',
      tlp: 'TLP:AMBER',
      description: 'Files encrypted overnight.',
      urgency: 'critical',
      topic: 'Forensics',
    });
    expect(buildReportRequest(incident({ observables: '\n ' }), false, PARIS)).not.toHaveProperty('observables');
  });

  it('names the organisation (and the contact, when chosen) only for a report taken by phone', () => {
    const form = incident({ organisationId: 'org-1', contactId: '' });
    expect(buildReportRequest(form, false, PARIS)).not.toHaveProperty('organisationId');
    expect(buildReportRequest(form, true, PARIS)).toMatchObject({ organisationId: 'org-1' });
    expect(buildReportRequest(form, true, PARIS)).not.toHaveProperty('contactId');
    expect(buildReportRequest({ ...form, contactId: 'c-1' }, true, PARIS)).toMatchObject({ contactId: 'c-1' });
  });

  it('sends a date it cannot read as typed, for the API to name', () => {
    expect(buildReportRequest(incident({ incidentAt: 'yesterday' }), false, PARIS).incidentAt).toBe('yesterday');
  });
});

describe('what the form checks before sending', () => {
  it('finds each required field of its kind left empty, in the form’s order', () => {
    expect(formProblems(emptyReportForm('investigation-incident'), false, PARIS)).toEqual(
      ['title', 'tlp', 'caseReference', 'investigatingUnit', 'incidentAt', 'victimType', 'description'].map(
        (field) => ({ field, problem: 'required' }),
      ),
    );
    expect(formProblems(emptyReportForm('support-request'), true, PARIS).map((p) => p.field)).toEqual([
      'organisationId',
      'title',
      'tlp',
      'topic',
      'description',
    ]);
  });

  it('finds an unreadable incident date, and nothing in a complete form', () => {
    expect(formProblems(incident({ incidentAt: '2026-11-30' }), false, PARIS)).toEqual([
      { field: 'incidentAt', problem: 'unreadableDate' },
    ]);
    expect(formProblems(incident(), false, PARIS)).toEqual([]);
    expect(formProblems(incident({ organisationId: 'org-1' }), true, PARIS)).toEqual([]);
  });

  it('shows the sender’s fields only to a team member, and each kind’s own fields', () => {
    expect(fieldsOf('support-request', false)).toEqual(['title', 'tlp', 'pap', 'topic', 'description', 'urgency']);
    expect(fieldsOf('investigation-incident', true).slice(0, 2)).toEqual(['organisationId', 'contactId']);
  });
});

describe("the API's problems", () => {
  it('are shown on their controls, indexed paths on the whole control, others at the top', () => {
    const placed = placeReportProblems(
      [
        { field: 'observables.1', message: 'each observable must be 1 to 2048 characters long' },
        { field: 'observables[2]', message: 'second' },
        { field: 'tlp', message: 'unknown label' },
        { field: 'topic', message: 'topic is not a field of the investigation-incident form' },
        { field: 'organisationId', message: 'only by a team member' },
        { field: '', message: 'refused' },
      ],
      incident(),
      false,
    );
    expect(placed.fields).toEqual({
      observables: ['each observable must be 1 to 2048 characters long', 'second'],
      tlp: ['unknown label'],
    });
    expect(placed.other.map((problem) => problem.field)).toEqual(['topic', 'organisationId', '']);
  });
});

describe('who a report taken by phone comes from', () => {
  const contact = (name: string, status = 'active') =>
    ({ id: name, name, email: `${name}@x.example`, status, key: null, channels: [] }) as Schemas['ContactView'];
  const organisation = (name: string, status = 'active', contacts: Schemas['ContactView'][] = []) =>
    ({ id: name, name, status, contacts }) as unknown as Schemas['OrganisationView'];

  it('is an active organisation, listed by name, and one of its active contacts', () => {
    const listed = reportingOrganisations([
      organisation('Zeta unit'),
      organisation('Dormant', 'suspended'),
      organisation('Alpha brigade', 'active', [contact('Zoé'), contact('Gone', 'suspended'), contact('Ana')]),
    ]);
    expect(listed.map((o) => o.name)).toEqual(['Alpha brigade', 'Zeta unit']);
    expect(callingContacts(listed[0]).map((c) => c.name)).toEqual(['Ana', 'Zoé']);
    expect(callingContacts(undefined)).toEqual([]);
  });
});
