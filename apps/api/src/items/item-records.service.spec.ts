import { NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type {
  AuditEventRecord,
  AuditEventRepository,
  ItemEntity,
  ItemRepository,
  ItemSummary,
  ItemVersionRecord,
} from '@tlp-broker/persistence';
import { rejection } from '../../../../test/support/errors';
import { ItemRecordsService } from './item-records.service';

const ITEM = '6f1c2a40-0000-4000-8000-000000000001';
const analyst = { id: 'u-analyst', name: 'Ana Lyst' };
const approver = { id: 'u-approver', name: 'Pat Rover' };

function summary(overrides: Partial<ItemSummary> = {}): ItemSummary {
  return {
    id: ITEM,
    kind: 'advisory',
    state: 'published',
    version: 2,
    title: 'Phishing wave',
    tlp: 'TLP:AMBER',
    pap: 'PAP:GREEN',
    severity: 'high',
    author: analyst,
    createdAt: new Date('2026-01-01T08:00:00Z'),
    updatedAt: new Date('2026-01-02T08:00:00Z'),
    releaseAt: null,
    lastReleasedVersion: null,
    ...overrides,
  };
}

const version: ItemVersionRecord = {
  id: 'version-2',
  itemId: ITEM,
  version: 2,
  title: 'Phishing wave',
  summary: 'Summary',
  body: 'The full text',
  tlp: 'TLP:RED',
  pap: null,
  severity: 'high',
  audience: { communities: [], organisations: [], contacts: ['c-1'] },
  caveats: [],
  indicators: [{ type: 'domain', value: 'evil.example' }],
  provenance: null,
  releaseAt: null,
  author: analyst,
  approvedBy: approver,
  approvedAt: new Date('2026-01-02T09:00:00Z'),
  createdAt: new Date('2026-01-02T08:00:00Z'),
  released: true,
};

function event(seq: number, overrides: Partial<AuditEventRecord> = {}): AuditEventRecord {
  return {
    seq,
    at: new Date('2026-01-02T08:00:00Z'),
    actor: `user:${analyst.id}`,
    actorName: analyst.name,
    action: 'item.published',
    subjectType: 'item',
    subjectId: ITEM,
    details: { version: 1 },
    ...overrides,
  };
}

interface Setup {
  summaries?: ItemSummary[];
  versions?: ItemVersionRecord[];
  item?: ItemEntity | null;
  events?: AuditEventRecord[];
}

function records(setup: Setup = {}) {
  const items = {
    summaries: vi.fn(async () => setup.summaries ?? []),
    versionRecords: vi.fn(async () => setup.versions ?? []),
    findById: vi.fn(async () => (setup.item === undefined ? ({ id: ITEM } as ItemEntity) : setup.item)),
  };
  const auditEvents = { aboutItem: vi.fn(async () => setup.events ?? []) };
  const service = new ItemRecordsService(
    items as unknown as ItemRepository,
    auditEvents as unknown as AuditEventRepository,
  );
  return { service, items, auditEvents };
}

describe('ItemRecordsService', () => {
  describe('list', () => {
    it('asks for the state and title text given, 50 items unless told, and names the type', async () => {
      const { service, items } = records({ summaries: [summary()] });
      const listed = await service.list({ state: 'published', q: 'phish' });
      expect(items.summaries).toHaveBeenCalledWith({ state: 'published', title: 'phish' }, 50);
      expect(listed).toEqual([
        {
          id: ITEM,
          version: 2,
          type: 'advisory',
          state: 'published',
          title: 'Phishing wave',
          tlp: 'TLP:AMBER',
          pap: 'PAP:GREEN',
          severity: 'high',
          author: analyst,
          createdAt: new Date('2026-01-01T08:00:00Z'),
          updatedAt: new Date('2026-01-02T08:00:00Z'),
          releaseAt: null,
        },
      ]);
      await service.list({ limit: 500 });
      expect(items.summaries).toHaveBeenLastCalledWith({ state: undefined, title: undefined }, 500);
    });

    it('gives items pending approval the version last released, null when none was, and no other item', async () => {
      const { service } = records({
        summaries: [
          summary({ state: 'pending-approval', version: 3, lastReleasedVersion: 2 }),
          summary({ id: 'item-new', state: 'pending-approval', version: 1, lastReleasedVersion: null }),
          summary({ id: 'item-out', state: 'published' }),
        ],
      });
      const [update, first, published] = await service.list({});
      expect(update).toMatchObject({ state: 'pending-approval', version: 3, lastReleasedVersion: 2 });
      expect(first).toHaveProperty('lastReleasedVersion', null);
      expect(published).not.toHaveProperty('lastReleasedVersion');
    });
  });

  describe('versions', () => {
    it('gives every version with its body, authors and release flag', async () => {
      const { service, items } = records({ versions: [version] });
      expect(await service.versions(ITEM)).toEqual([
        expect.objectContaining({
          version: 2,
          body: 'The full text',
          author: analyst,
          approvedBy: approver,
          released: true,
        }),
      ]);
      expect(items.versionRecords).toHaveBeenCalledWith(ITEM);
    });

    it('answers 404 for an item that does not exist', async () => {
      const { service } = records({ versions: [] });
      const error = await rejection(service.versions(ITEM), NotFoundException);
      expect(error.message).toContain(ITEM);
    });
  });

  describe('audit', () => {
    it('names the acting user, keeps other actors as recorded, and pages 200 events unless told', async () => {
      const { service, auditEvents } = records({
        events: [event(4), event(9, { actor: 'dispatcher', actorName: null, action: 'item.routed' })],
      });
      const trail = await service.audit(ITEM, {});
      expect(auditEvents.aboutItem).toHaveBeenCalledWith(ITEM, { after: undefined, limit: 200 });
      expect(trail).toEqual([
        {
          seq: 4,
          at: new Date('2026-01-02T08:00:00Z'),
          actor: 'Ana Lyst',
          action: 'item.published',
          subjectType: 'item',
          subjectId: ITEM,
          details: { version: 1 },
        },
        expect.objectContaining({ seq: 9, actor: 'dispatcher', action: 'item.routed' }),
      ]);
      await service.audit(ITEM, { after: 9, limit: 1000 });
      expect(auditEvents.aboutItem).toHaveBeenLastCalledWith(ITEM, { after: 9, limit: 1000 });
    });

    it('answers 404 for an item that does not exist, without reading the trail', async () => {
      const { service, auditEvents } = records({ item: null });
      await rejection(service.audit(ITEM, {}), NotFoundException);
      expect(auditEvents.aboutItem).not.toHaveBeenCalled();
    });
  });
});
