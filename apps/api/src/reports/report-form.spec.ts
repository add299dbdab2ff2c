import { describe, expect, it } from 'vitest';
import { foreignFields, readReport, renderReport } from './report-form';
import type { ReportDto } from './reports.dto';

const incident = (fields: Partial<ReportDto> = {}): ReportDto =>
  ({
    kind: 'investigation-incident',
    title: '  Ransomware at a town hall ',
    tlp: 'amber',
    caseReference: ' PJ-2026-17 ',
    investigatingUnit: 'Brigade numérique',
    incidentAt: '2026-11-30T22:15:00+01:00',
    victimType: 'public-body',
    observables: ['hxxps://evil[.]example/pay', ' 198.51.100[.]7 ', 'EVIL.Example', 'the caller’s phone number'],
    description: 'The note names bob[@]evil.example and 198.51.100.7 again.',
    urgency: 'critical',
    ...fields,
  }) as ReportDto;

const labels = { tlp: 'TLP:AMBER', pap: null } as const;

describe('reporting forms', () => {
  it('reads each observable as an indicator, refanged and in canonical spelling, keeping the lines it cannot read', () => {
    const { fields, indicators } = readReport(incident(), labels);
    expect(indicators).toEqual([
      { type: 'url', value: 'https://evil.example/pay' },
      { type: 'ipv4', value: '198.51.100.7' },
      { type: 'domain', value: 'evil.example' },
      { type: 'email', value: 'bob@evil.example' },
    ]);
    expect(fields).toEqual({
      kind: 'investigation-incident',
      title: 'Ransomware at a town hall',
      tlp: 'TLP:AMBER',
      pap: null,
      description: 'The note names bob[@]evil.example and 198.51.100.7 again.',
      urgency: 'critical',
      caseReference: 'PJ-2026-17',
      investigatingUnit: 'Brigade numérique',
      incidentAt: '2026-11-30T22:15:00+01:00',
      victimType: 'public-body',
      observables: ['hxxps://evil[.]example/pay', '198.51.100[.]7', 'EVIL.Example', 'the caller’s phone number'],
      unrecognisedObservables: ['the caller’s phone number'],
    });
  });

  it('reads a support request’s indicators from its description', () => {
    const { fields, indicators } = readReport(
      {
        kind: 'support-request',
        title: 'Help',
        tlp: 'TLP:GREEN',
        topic: ' Forensics ',
        description: 'Seen at hxxp://x[.]example',
        urgency: 'low',
      } as ReportDto,
      { tlp: 'TLP:GREEN', pap: 'PAP:CLEAR' },
    );
    expect(fields).toEqual({
      kind: 'support-request',
      title: 'Help',
      tlp: 'TLP:GREEN',
      pap: 'PAP:CLEAR',
      description: 'Seen at hxxp://x[.]example',
      urgency: 'low',
      topic: 'Forensics',
    });
    expect(indicators).toEqual([{ type: 'url', value: 'http://x.example' }]);
  });

  it('names every field of the other form that came with one', () => {
    expect(foreignFields(incident({ topic: 'x' }))).toEqual([
      { field: 'topic', message: 'topic is not a field of the investigation-incident form' },
    ]);
    expect(
      foreignFields({
        kind: 'support-request',
        caseReference: 'x',
        observables: [],
        topic: 't',
      } as unknown as ReportDto),
    ).toEqual([
      { field: 'caseReference', message: 'caseReference is not a field of the support-request form' },
      { field: 'observables', message: 'observables is not a field of the support-request form' },
    ]);
    expect(foreignFields(incident())).toEqual([]);
  });

  it('renders the form as text a person reads, saying which observables were not recognised', () => {
    const text = renderReport(readReport(incident({ pap: 'PAP:RED' }), { tlp: 'TLP:AMBER', pap: 'PAP:RED' }).fields);
    expect(text).toBe(
      [
        'Incident related to an on-going investigation: Ransomware at a town hall',
        'Label: TLP:AMBER PAP:RED',
        'Urgency: critical',
        'Case reference: PJ-2026-17',
        'Investigating unit: Brigade numérique',
        'Incident date and time: 2026-11-30T22:15:00+01:00',
        'Victim type: public-body',
        '',
        'Description:',
        'The note names bob[@]evil.example and 198.51.100.7 again.',
        '',
        'Observables:',
        '- hxxps://evil[.]example/pay',
        '- 198.51.100[.]7',
        '- EVIL.Example',
        '- the caller’s phone number (not recognised as an indicator)',
        '',
      ].join('\n'),
    );
  });
});
