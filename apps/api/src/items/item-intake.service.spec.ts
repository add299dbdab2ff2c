import { BadRequestException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { OrganisationRepository } from '@tlp-broker/persistence';
import { rejection } from '../../../../test/support/errors';
import { staffPrincipal } from '../../../../test/support/mocks';
import type { CaveatsService } from '../caveats/caveats.service';
import { ItemIntakeService } from './item-intake.service';
import type { CreateItemDto } from './items.dto';

const actor = staffPrincipal(['analyst'], 'u-analyst');
const ORG = '00000000-0000-4000-8000-000000000001';
const OTHER_ORG = '00000000-0000-4000-8000-000000000002';
const CONTACT = '00000000-0000-4000-8000-000000000003';

/** What is registered: organisations, contacts, communities with members, caveats. */
interface Registry {
  organisations?: string[];
  contacts?: string[];
  communities?: string[];
  caveats?: string[];
}

function intake(registry: Registry = {}) {
  const known = (names: string[] | undefined) => async (ids: readonly string[]) =>
    new Set(ids.filter((id) => (names ?? []).includes(id)));
  const organisations = {
    knownOrganisations: vi.fn(known(registry.organisations)),
    knownContacts: vi.fn(known(registry.contacts)),
    communitiesWithMembers: vi.fn(known(registry.communities)),
  };
  const caveats = {
    unknown: vi.fn(async (names: readonly string[]) =>
      names.filter((name) => !(registry.caveats ?? []).includes(name)),
    ),
  };
  return {
    organisations,
    caveats,
    service: new ItemIntakeService(
      organisations as unknown as OrganisationRepository,
      caveats as unknown as CaveatsService,
    ),
  };
}

function dto(overrides: Partial<CreateItemDto> = {}): CreateItemDto {
  return {
    type: 'advisory',
    title: 'Phishing campaign',
    body: 'Details',
    tlp: 'TLP:AMBER',
    audience: { organisations: [ORG] },
    ...overrides,
  } as CreateItemDto;
}

/** The `details` of the 400 a draft is refused with. */
async function refusal(promise: Promise<unknown>): Promise<{ field: string; message: string }[]> {
  const error = await rejection(promise, BadRequestException);
  return (error.getResponse() as { details: { field: string; message: string }[] }).details;
}

describe('ItemIntakeService', () => {
  it('turns a request into a draft: labels normalised, provenance trimmed, consent recorded by the analyst', async () => {
    const { service } = intake({ organisations: [ORG, OTHER_ORG] });
    const draft = await service.draft(
      dto({
        tlp: ' tlp:white ',
        pap: 'PAP:WHITE',
        releaseAt: '2030-01-01T08:00:00Z',
        provenance: {
          originator: ' Europol EC3 ',
          label: 'WHITE',
          consent: { audience: { organisations: [OTHER_ORG] }, reference: ' mail of 2 May ' },
        },
      }),
      actor,
    );
    expect(draft).toMatchObject({
      kind: 'advisory',
      tlp: 'TLP:CLEAR',
      pap: 'PAP:CLEAR',
      summary: '',
      severity: null,
      caveats: [],
      audience: { communities: [], organisations: [ORG], contacts: [] },
      releaseAt: new Date('2030-01-01T08:00:00Z'),
      provenance: {
        originator: 'Europol EC3',
        label: 'TLP:CLEAR',
        consent: {
          audience: { communities: [], organisations: [OTHER_ORG], contacts: [] },
          reference: 'mail of 2 May',
          recordedBy: 'user:u-analyst',
        },
      },
    });
    expect(Date.parse(draft.provenance!.consent!.recordedAt)).not.toBeNaN();
  });

  it('writes indicators canonically and drops repeats', async () => {
    const { service } = intake({ organisations: [ORG] });
    const draft = await service.draft(
      dto({
        indicators: [
          { type: 'domain', value: ' Evil.Example ', description: ' C2 ' },
          { type: 'domain', value: 'evil.example' },
        ],
      }),
      actor,
    );
    expect(draft.indicators).toEqual([{ type: 'domain', value: 'evil.example', description: 'C2' }]);
  });
});

describe('ItemIntakeService refusals of the draft itself', () => {
  it('names every label that is not one, and looks nothing up', async () => {
    const { service, organisations, caveats } = intake();
    const details = await refusal(
      service.draft(dto({ tlp: 'TLP:PURPLE', pap: 'RED', provenance: { originator: 'x', label: 'pink' } }), actor),
    );
    expect(details.map((problem) => problem.field)).toEqual(['tlp', 'pap', 'provenance.label']);
    expect(details[0].message).toContain('"TLP:PURPLE" is not a TLP label');
    expect(organisations.knownOrganisations).not.toHaveBeenCalled();
    expect(caveats.unknown).not.toHaveBeenCalled();
  });

  it('refuses national defence secret marking alone, before anything else is checked', async () => {
    const { service, organisations } = intake();
    const details = await refusal(
      service.draft(
        dto({ title: 'SECRET DÉFENSE — plan', audience: { organisations: [OTHER_ORG] }, caveats: ['unknown-one'] }),
        actor,
      ),
    );
    expect(details).toEqual([{ field: 'title', message: expect.stringContaining('national defence secret') }]);
    expect(organisations.knownOrganisations).not.toHaveBeenCalled();
  });
});

describe('ItemIntakeService checks against what is registered', () => {
  it('names unknown partners, contacts, communities, consent audience, caveats and bad indicators at once', async () => {
    const { service } = intake({ organisations: [ORG], communities: ['eu-lea'] });
    const details = await refusal(
      service.draft(
        dto({
          tlp: 'TLP:GREEN',
          audience: { organisations: [ORG, OTHER_ORG], contacts: [CONTACT], communities: ['eu-lea', 'nowhere'] },
          caveats: ['made-up'],
          indicators: [{ type: 'ipv4', value: 'not an address' }],
          provenance: {
            originator: 'EC3',
            label: 'TLP:GREEN',
            consent: { audience: { organisations: [OTHER_ORG] }, reference: 'ref' },
          },
        }),
        actor,
      ),
    );
    expect(details).toEqual([
      { field: 'audience.organisations', message: `unknown organisation ${OTHER_ORG}` },
      { field: 'audience.contacts', message: `unknown contact ${CONTACT}` },
      { field: 'audience.communities', message: 'no partner belongs to "nowhere"' },
      { field: 'provenance.consent.audience.organisations', message: `unknown organisation ${OTHER_ORG}` },
      {
        field: 'caveats',
        message: 'unknown caveat "made-up" (an administrator registers caveats under /caveats)',
      },
      { field: 'indicators.0.value', message: expect.any(String) },
    ]);
  });

  it("answers the label rules' refusals with their fields (TLP:RED needs named people)", async () => {
    const { service } = intake({ organisations: [ORG] });
    const details = await refusal(service.draft(dto({ tlp: 'TLP:RED' }), actor));
    expect(details).toEqual([{ field: 'audience.contacts', message: expect.stringContaining('TLP:RED') }]);
  });

  it('accepts registered caveats', async () => {
    const { service, caveats } = intake({ organisations: [ORG], caveats: ['judicial-secret'] });
    const draft = await service.draft(dto({ caveats: ['judicial-secret'] }), actor);
    expect(draft.caveats).toEqual(['judicial-secret']);
    expect(caveats.unknown).toHaveBeenCalledWith(['judicial-secret']);
  });
});
