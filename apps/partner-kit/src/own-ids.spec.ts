import { describe, expect, it } from 'vitest';
import { clearEvent, itemObjects, mispEventUuid, TLP_MARKINGS } from '@tlp-broker/stix';
import { ownEvent, ownId, ownObjects } from './own-ids';

const publisher = { name: 'Test CSIRT', since: new Date('2026-01-01T00:00:00Z') };
const content = {
  itemId: '3f2a9c1e-0b4d-4c8e-9a1f-5d6e7f8a9b0c',
  version: 1,
  kind: 'advisory' as const,
  tlp: 'TLP:AMBER' as const,
  pap: null,
  title: 'Phishing kit',
  summary: '',
  body: 'Body',
  indicators: [{ type: 'domain' as const, value: 'kit.example' }],
  createdAt: new Date('2026-11-30T08:00:00Z'),
  modifiedAt: new Date('2026-11-30T08:00:00Z'),
};

describe("the kit's own ids", () => {
  it("differ from the broker's for what it opened, keep references whole, and leave the identity and markings shared", () => {
    const broker = itemObjects(content, publisher);
    const own = ownObjects(broker);
    expect(own.map((object) => object.id)).not.toContain(broker[0].id);
    expect(own.map((object) => object.type)).toEqual(broker.map((object) => object.type));
    expect(own[0].object_refs).toEqual([own[1].id]);
    expect(own[0].created_by_ref).toBe(broker[0].created_by_ref);
    expect(own[0].object_marking_refs).toEqual([TLP_MARKINGS['TLP:AMBER'].id]);
    expect(ownId(TLP_MARKINGS['TLP:AMBER'].id)).toBe(TLP_MARKINGS['TLP:AMBER'].id);
    // The same input always gives the same id: versions and revocations find their object.
    expect(ownObjects(broker)[1].id).toBe(own[1].id);
    expect(own[1].id).toMatch(/^indicator--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('give the MISP event and its attributes uuids of their own, always the same', () => {
    const event = clearEvent({ ...content, severity: 'high' }, publisher);
    const own = ownEvent(event);
    expect(own.uuid).not.toBe(mispEventUuid(content.itemId));
    expect(own.Attribute[0].uuid).not.toBe(event.Attribute[0].uuid);
    expect(ownEvent(event)).toEqual(own);
  });
});
