import { HttpStatus } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import type { SubmissionRecorder } from '@tlp-broker/intake';
import type { OrganisationRepository, TaxiiInboxStatusRepository } from '@tlp-broker/persistence';
import { pageOfRecords, parseTaxiiQuery, selectRecords } from '@tlp-broker/stix';
import type { Publisher, StixObject, TaxiiQuery } from '@tlp-broker/stix';
import { partnerPrincipal } from '../../../../test/support/mocks';
import { inboxCollectionId } from './inbox-collection';
import { InboxService } from './inbox.service';
import type { TaxiiCollectionService } from './taxii-collection.service';
import { BASE, RECORDS } from './taxii.test-fixtures';
import { TaxiiService } from './taxii.service';
import { ObjectRecord, TaxiiError } from './taxii.types';

const partner = partnerPrincipal(['taxii']);

const publisher = { name: 'Test CSIRT' } as Publisher;

function service(records = RECORDS, holder: { organisation: string; contact: string | null } | null = null) {
  // The collection's pages as TaxiiCollectionService makes them (tested on its own), of `records`.
  const page = (query: TaxiiQuery) => {
    const after = query.next === undefined ? query.addedAfter : Number(query.next);
    return pageOfRecords(selectRecords(records, query, after), query.limit, String);
  };
  const contents = {
    page: vi.fn(async (_channel: string, query: TaxiiQuery) => ({ page: page(query), publisher })),
    holds: vi.fn(async (_channel: string, id: string) => records.some((record) => record.id === id)),
    materialise: vi.fn(async (_channel: string, page: ObjectRecord[]) =>
      page.map((r) => ({ id: r.id, type: r.type, modified: r.version.toISOString() }) as StixObject),
    ),
  };
  const organisations = {
    channelHolder: vi.fn(async () => holder ?? { organisation: 'Test CERT', contact: null }),
  };
  return {
    contents,
    taxii: new TaxiiService(
      contents as unknown as TaxiiCollectionService,
      organisations as unknown as OrganisationRepository,
      new InboxService(
        {} as AppConfig,
        {} as SubmissionRecorder,
        {} as TaxiiInboxStatusRepository,
        organisations as unknown as OrganisationRepository,
      ),
    ),
  };
}

const query = (raw: Record<string, unknown> = {}) => parseTaxiiQuery(raw);
const taxiiStatus = (error: unknown) => (error instanceof TaxiiError ? error.getStatus() : error);

describe('TaxiiService', () => {
  it("describes the credential's own collection, named after its holder, read-only", async () => {
    expect(
      await service(RECORDS, { organisation: 'Europol EC3', contact: 'Ana' }).taxii.collection(partner, 'channel-1'),
    ).toEqual({
      id: 'channel-1',
      title: 'Deliveries to Ana (Europol EC3)',
      description:
        'What tlp-broker delivered to this channel. Above TLP:CLEAR, each item is an artifact encrypted to your OpenPGP key.',
      can_read: true,
      can_write: false,
      media_types: ['application/stix+json;version=2.1'],
    });
  });

  it("lists the organisation's write-only inbox to a credential with `submit` only, and never reads it", async () => {
    const { contents, taxii } = service();
    const submitter = partnerPrincipal(['taxii', 'submit']);
    const inboxId = inboxCollectionId('org-1');
    expect((await taxii.collections(partner)).map((collection) => collection.id)).toEqual(['channel-1']);
    const collections = await taxii.collections(submitter);
    expect(collections.map((collection) => collection.id)).toEqual(['channel-1', inboxId]);
    expect(collections[1]).toMatchObject({ title: 'Inbox for Test CERT', can_read: false, can_write: true });
    expect(await taxii.collection(submitter, inboxId)).toEqual(collections[1]);
    const notShown = await taxii.collection(partner, inboxId).catch((caught: unknown) => caught);
    expect(taxiiStatus(notShown)).toBe(HttpStatus.NOT_FOUND);
    const read = await taxii.objects(submitter, inboxId, query()).catch((caught: unknown) => caught);
    expect(taxiiStatus(read)).toBe(HttpStatus.FORBIDDEN);
    expect((read as TaxiiError).getResponse()).toMatchObject({ title: 'Write-only collection' });
    expect(contents.page).not.toHaveBeenCalled();
  });

  it('answers 404 for any other collection, and reads nothing of it', async () => {
    const { contents, taxii } = service();
    for (const read of [
      () => taxii.objects(partner, 'channel-2', query()),
      () => taxii.manifest(partner, 'channel-2', query()),
      () => taxii.object(partner, 'channel-2', 'report--a', query()),
      () => taxii.versions(partner, 'channel-2', 'report--a', query()),
    ]) {
      const error = await read().catch((caught: unknown) => caught);
      expect(taxiiStatus(error)).toBe(HttpStatus.NOT_FOUND);
      expect((error as TaxiiError).getResponse()).toMatchObject({ title: 'Collection not found', http_status: '404' });
    }
    expect(() => taxii.readable(partnerPrincipal(['feed']), 'channel-1')).toThrow(TaxiiError);
    expect(contents.page).not.toHaveBeenCalled();
  });

  it("serves a page of the credential's own channel's collection, materialised", async () => {
    const { contents, taxii } = service();
    const page = await taxii.objects(partner, 'channel-1', query({ limit: '2', added_after: '2026-12-01T10:00:00Z' }));
    expect(contents.page).toHaveBeenCalledWith('channel-1', query({ limit: '2', added_after: '2026-12-01T10:00:00Z' }));
    expect(page.items.map((object) => `${object.id}@${object.modified}`)).toEqual([
      'identity--team@2026-12-01T09:00:00.000Z',
      'indicator--a@2026-12-01T09:00:00.000Z',
    ]);
    expect(page).toMatchObject({ more: true, next: String(BASE + 11), first: '2026-12-01T10:00:00.000001Z' });
    expect(contents.materialise).toHaveBeenCalledWith('channel-1', expect.any(Array), publisher);
  });

  it('lists manifest records with date_added to the microsecond, without reading content', async () => {
    const { contents, taxii } = service();
    const page = await taxii.manifest(partner, 'channel-1', query({ 'match[type]': 'artifact' }));
    expect(page.items).toEqual([
      {
        id: 'artifact--b',
        date_added: '2026-12-01T10:00:00.000021Z',
        version: '2026-12-01T09:00:00.000Z',
        media_type: 'application/stix+json;version=2.1',
      },
    ]);
    expect(contents.materialise).not.toHaveBeenCalled();
  });

  it('serves one object by id (ignoring match[id]) and lists its versions; an unknown object is a 404', async () => {
    const { contents, taxii } = service();
    const object = await taxii.object(partner, 'channel-1', 'report--a', query({ 'match[id]': 'indicator--a' }));
    expect(object.items.map((item) => item.modified)).toEqual(['2026-12-01T09:30:00.000Z']);
    expect(contents.page).toHaveBeenCalledWith('channel-1', { ...query(), ids: ['report--a'] });
    // Held, though no version was added after the time asked: an empty page, not a 404.
    const later = await taxii.object(partner, 'channel-1', 'report--a', query({ added_after: '2027-01-01T00:00:00Z' }));
    expect(later).toMatchObject({ items: [], more: false });
    const versions = await taxii.versions(partner, 'channel-1', 'report--a', query({ 'match[version]': 'last' }));
    expect(versions.items).toEqual(['2026-12-01T09:00:00.000Z', '2026-12-01T09:30:00.000Z']);
    for (const call of [
      () => taxii.object(partner, 'channel-1', 'report--missing', query()),
      () => taxii.versions(partner, 'channel-1', 'report--missing', query()),
    ]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(taxiiStatus(error)).toBe(HttpStatus.NOT_FOUND);
      expect((error as TaxiiError).getResponse()).toMatchObject({ title: 'Object not found' });
    }
  });
});
