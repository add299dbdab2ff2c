import { NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type {
  ChannelEntity,
  ContactEntity,
  OrganisationEntity,
  OrganisationRepository,
  RecipientKeyEntity,
} from '@tlp-broker/persistence';
import { OrganisationViewsService } from './organisation-views.service';

const organisation = (id: string, name: string) =>
  ({
    id,
    name,
    kind: 'cert',
    country: 'FR',
    relation: 'peer',
    communities: [],
    accreditations: [],
    status: 'active',
  }) as unknown as OrganisationEntity;
const key = (id: string, fingerprint: string) =>
  ({
    id,
    fingerprint,
    version: 6,
    algorithm: 'ed25519',
    keyCreatedAt: new Date(0),
    expiresAt: null,
    revokedAt: null,
    userIds: [],
  }) as unknown as RecipientKeyEntity;
const channel = (id: string, organisationId: string, contactId: string | null, keyId: string | null) =>
  ({
    id,
    organisationId,
    contactId,
    keyId,
    kind: 'feed',
    redistributes: false,
    status: 'active',
    address: null,
  }) as unknown as ChannelEntity;

function views(organisations: OrganisationEntity[]) {
  const repository = {
    listByName: vi.fn(async () => organisations),
    findById: vi.fn(async (id: string) => organisations.find((o) => o.id === id) ?? null),
    channelsOf: vi.fn(async () => [
      channel('ch-1', 'org-1', null, null),
      channel('ch-2', 'org-1', null, 'key-org'),
      channel('ch-3', 'org-1', 'c-1', 'key-c'),
      channel('ch-4', 'org-2', null, 'key-2'),
    ]),
    contactsOf: vi.fn(
      async () =>
        [
          { id: 'c-1', organisationId: 'org-1', name: 'Jane', email: 'jane@a.example', status: 'active' },
        ] as ContactEntity[],
    ),
    keysOf: vi.fn(async () => [key('key-org', 'F1'), key('key-c', 'F2'), key('key-2', 'F3')]),
  };
  return { repository, service: new OrganisationViewsService(repository as unknown as OrganisationRepository) };
}

describe('OrganisationViewsService', () => {
  it("shows each organisation's team channels and key, and its contacts with their personal channels and key", async () => {
    const { service } = views([organisation('org-1', 'Alpha'), organisation('org-2', 'Beta')]);
    const [alpha, beta] = await service.list();
    expect(alpha.channels.map((c) => [c.id, c.personal, c.keyFingerprint])).toEqual([
      ['ch-1', false, null],
      ['ch-2', false, 'F1'],
    ]);
    expect(alpha.key).toMatchObject({ fingerprint: 'F1', modernOnly: true });
    expect(alpha.contacts).toEqual([
      {
        id: 'c-1',
        name: 'Jane',
        email: 'jane@a.example',
        status: 'active',
        key: expect.objectContaining({ fingerprint: 'F2' }),
        channels: [expect.objectContaining({ id: 'ch-3', personal: true, keyFingerprint: 'F2' })],
      },
    ]);
    expect(beta).toMatchObject({ name: 'Beta', key: { fingerprint: 'F3' }, contacts: [] });
  });

  it('asks for the records of the organisations shown only', async () => {
    const { service, repository } = views([organisation('org-1', 'Alpha'), organisation('org-2', 'Beta')]);
    await service.get('org-2');
    expect(repository.channelsOf).toHaveBeenCalledWith(['org-2']);
    expect(repository.contactsOf).toHaveBeenCalledWith(['org-2']);
    expect(repository.keysOf).toHaveBeenCalledWith(['org-2']);
  });

  it('answers 404 for an unknown organisation, and an empty list without further queries', async () => {
    const { service, repository } = views([]);
    const error = await service.get('org-9').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundException);
    expect((error as NotFoundException).message).toBe('organisation org-9 not found');
    expect(await service.list()).toEqual([]);
    expect(repository.channelsOf).not.toHaveBeenCalled();
  });
});
