import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { rejection } from '../../../../test/support/errors';
import { strictValidationPipe } from '../common/errors';
import { PortalAccountDto, ReportDto } from './reports.dto';

const INCIDENT = {
  kind: 'investigation-incident',
  title: 'Ransomware at a town hall',
  tlp: 'TLP:AMBER',
  caseReference: 'PJ-2026-17',
  investigatingUnit: 'Brigade numérique',
  incidentAt: '2026-11-30T22:15:00+01:00',
  victimType: 'public-body',
  observables: ['hxxp://evil[.]example/x'],
  description: 'Files encrypted overnight.',
  urgency: 'critical',
};
const SUPPORT = {
  kind: 'support-request',
  title: 'Help',
  tlp: 'green',
  topic: 'Forensics',
  description: 'How?',
  urgency: 'low',
};

/** The fields the validation pipe names for a body, as a request to the API would be answered. */
async function refusedFields(metatype: new () => object, body: object): Promise<string[]> {
  const error = await rejection(
    Promise.resolve().then(() => strictValidationPipe().transform(body, { type: 'body', metatype })),
    BadRequestException,
  );
  return ((error.getResponse() as { details: { field: string }[] }).details ?? []).map((detail) => detail.field);
}

const accepts = (metatype: new () => object, body: object) =>
  strictValidationPipe().transform(body, { type: 'body', metatype });

describe('ReportDto', () => {
  it('accepts both forms as they are documented', async () => {
    await expect(accepts(ReportDto, INCIDENT)).resolves.toBeInstanceOf(ReportDto);
    await expect(accepts(ReportDto, SUPPORT)).resolves.toMatchObject({ kind: 'support-request', topic: 'Forensics' });
    await expect(accepts(ReportDto, { ...INCIDENT, observables: undefined })).resolves.toBeInstanceOf(ReportDto);
  });

  it("requires each of an incident's fields, naming the ones missing or wrong", async () => {
    const partial = { ...INCIDENT, caseReference: undefined, investigatingUnit: undefined };
    expect((await refusedFields(ReportDto, partial)).sort()).toEqual(['caseReference', 'investigatingUnit']);
    expect(
      (
        await refusedFields(ReportDto, {
          ...INCIDENT,
          incidentAt: '2026-11-30T22:15:00',
          victimType: 'bank',
          urgency: 'asap',
          observables: ['ok', 'two\nlines'],
        })
      ).sort(),
    ).toEqual(['incidentAt', 'observables', 'urgency', 'victimType']);
  });

  it('requires a support request’s topic, and not an incident’s fields', async () => {
    expect(await refusedFields(ReportDto, { ...SUPPORT, topic: undefined })).toEqual(['topic']);
    // Fields of the other form are whitelisted (both forms are one DTO): the service refuses them by name.
    await expect(accepts(ReportDto, { ...SUPPORT, caseReference: 'x' })).resolves.toMatchObject({ caseReference: 'x' });
  });

  it('refuses a missing or unreadable label, a multi-line title, an unknown kind and unknown fields', async () => {
    expect(await refusedFields(ReportDto, { ...SUPPORT, tlp: undefined })).toEqual(['tlp']);
    expect(await refusedFields(ReportDto, { ...SUPPORT, tlp: 'TLP:PURPLE', pap: 'amber' })).toEqual(['tlp', 'pap']);
    expect(await refusedFields(ReportDto, { ...SUPPORT, title: 'a\nb' })).toEqual(['title']);
    expect(await refusedFields(ReportDto, { ...SUPPORT, kind: 'complaint' })).toEqual(['kind']);
    expect(await refusedFields(ReportDto, { ...SUPPORT, severity: 'high' })).toEqual(['severity']);
  });

  it('checks the consent like an item’s: an audience and where the consent is written', async () => {
    expect(
      await refusedFields(ReportDto, { ...SUPPORT, consent: { audience: { organisations: ['x'] }, reference: '' } }),
    ).toEqual(['consent.audience.organisations', 'consent.reference']);
    await expect(
      accepts(ReportDto, { ...SUPPORT, consent: { audience: { communities: ['eu-lea'] }, reference: 'letter 12' } }),
    ).resolves.toBeInstanceOf(ReportDto);
  });

  it('takes an organisation and a contact as UUIDs only', async () => {
    expect(await refusedFields(ReportDto, { ...SUPPORT, organisationId: 'gendarmerie', contactId: 7 })).toEqual([
      'organisationId',
      'contactId',
    ]);
  });
});

describe('PortalAccountDto', () => {
  it('takes a one-line name and a password long enough', async () => {
    await expect(accepts(PortalAccountDto, { name: 'camille', password: 'twelve chars!' })).resolves.toBeInstanceOf(
      PortalAccountDto,
    );
    expect(await refusedFields(PortalAccountDto, { name: 'a\tb', password: 'short' })).toEqual(['name', 'password']);
  });
});
