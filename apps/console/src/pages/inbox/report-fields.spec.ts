import { describe, expect, it } from 'vitest';
import { reportValues } from './report-fields';

describe("a form's fields", () => {
  it('are listed in the form order, values of our vocabulary as words to translate, the time as a time', () => {
    const values = reportValues({
      kind: 'investigation-incident',
      title: 'Phishing kit',
      tlp: 'TLP:AMBER',
      description: 'shown with the content',
      urgency: 'high',
      caseReference: 'PJ-CYBER-2026-0042',
      investigatingUnit: 'Section de recherches de Lyon',
      incidentAt: '2026-11-30T22:15:00+01:00',
      victimType: 'public-body',
      observables: ['hxxp://login-police[.]example/form', 'a phone number'],
      unrecognisedObservables: ['a phone number'],
    });
    expect(values).toEqual([
      { field: 'kind', kind: 'word', word: 'reportKind.investigation-incident' },
      { field: 'urgency', kind: 'word', word: 'urgency.high' },
      { field: 'caseReference', kind: 'text', text: 'PJ-CYBER-2026-0042' },
      { field: 'investigatingUnit', kind: 'text', text: 'Section de recherches de Lyon' },
      { field: 'incidentAt', kind: 'time', iso: '2026-11-30T22:15:00+01:00' },
      { field: 'victimType', kind: 'word', word: 'victim.public-body' },
      { field: 'observables', kind: 'list', items: ['hxxp://login-police[.]example/form', 'a phone number'] },
      { field: 'unrecognisedObservables', kind: 'list', items: ['a phone number'] },
    ]);
  });

  it('leave out what is missing, empty or of the wrong shape', () => {
    expect(reportValues(null)).toEqual([]);
    expect(
      reportValues({ kind: 'support-request', topic: 'Mobile forensics', urgency: '', observables: 'not a list' }),
    ).toEqual([
      { field: 'kind', kind: 'word', word: 'reportKind.support-request' },
      { field: 'topic', kind: 'text', text: 'Mobile forensics' },
    ]);
    expect(reportValues({ caseReference: 42, observables: [1, 2] })).toEqual([]);
  });
});
