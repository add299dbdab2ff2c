import { describe, expect, it } from 'vitest';
import { stixErrors } from '../../../test/support/stix-schemas';
import { INDICATOR_TYPES, type ItemKind } from '@tlp-broker/domain';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import { PAP_MARKINGS, TLP_MARKINGS } from './markings';
import { bundle, identity, indicatorId, indicatorVersionObjects, itemObjects, itemStixId, sealedObjects } from './stix';

const publisher = {
  name: 'Police CSIRT',
  since: new Date('2025-01-15T09:00:00Z'),
  contactEmail: 'csirt@police.example',
};
const ITEM = {
  itemId: '3f2a9c1e-7b4d-4c1a-9e2f-0a1b2c3d4e5f',
  version: 2,
  kind: 'advisory' as ItemKind,
  tlp: 'TLP:CLEAR' as TlpLabel,
  pap: 'PAP:GREEN' as PapLabel | null,
  title: 'Phishing wave impersonating the police',
  summary: 'Fake summons by e-mail.',
  body: "Block these; the kit's panel is at the URL below.",
  indicators: [
    { type: 'ipv4' as const, value: '203.0.113.7', description: 'C2' },
    { type: 'ipv6' as const, value: '2001:db8::7' },
    { type: 'domain' as const, value: 'police-convocation.example' },
    { type: 'url' as const, value: "https://police-convocation.example/it's/login?x=1" },
    { type: 'email' as const, value: 'convocation@police-convocation.example' },
    { type: 'md5' as const, value: 'd41d8cd98f00b204e9800998ecf8427e' },
    { type: 'sha1' as const, value: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' },
    { type: 'sha256' as const, value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  ],
  createdAt: new Date('2026-11-01T08:00:00Z'),
  modifiedAt: new Date('2026-11-02T10:30:00Z'),
};

describe('STIX 2.1 objects', () => {
  it('maps an item to a report with one indicator per indicator, all valid against the official schemas', () => {
    const objects = itemObjects(ITEM, publisher);
    expect(objects.map((object) => object.type)).toEqual(['report', ...ITEM.indicators.map(() => 'indicator')]);
    const all = [identity(publisher), TLP_MARKINGS['TLP:CLEAR'], PAP_MARKINGS['PAP:GREEN'], ...objects];
    for (const object of all) expect(stixErrors(object)).toEqual([]);
    expect(stixErrors(bundle(all))).toEqual([]);
    const report = objects[0];
    expect(report).toMatchObject({
      id: itemStixId(ITEM.itemId, 'advisory'),
      name: ITEM.title,
      created_by_ref: identity(publisher).id,
      object_marking_refs: [TLP_MARKINGS['TLP:CLEAR'].id, PAP_MARKINGS['PAP:GREEN'].id],
      created: '2026-11-01T08:00:00.000Z',
      modified: '2026-11-02T10:30:00.000Z',
    });
    expect(report.object_refs).toEqual(objects.slice(1).map((object) => object.id));
    expect(objects.map((object) => object.pattern).slice(1)).toEqual([
      "[ipv4-addr:value = '203.0.113.7']",
      "[ipv6-addr:value = '2001:db8::7']",
      "[domain-name:value = 'police-convocation.example']",
      "[url:value = 'https://police-convocation.example/it\\'s/login?x=1']",
      "[email-addr:value = 'convocation@police-convocation.example']",
      "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
      "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
      "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
    ]);
    expect(INDICATOR_TYPES).toHaveLength(8);
  });

  it('keeps the same id across versions of an item and ids that differ between items', () => {
    const v1 = itemObjects({ ...ITEM, version: 1, modifiedAt: ITEM.createdAt }, publisher)[0];
    const v2 = itemObjects(ITEM, publisher)[0];
    expect(v1.id).toBe(v2.id);
    expect(v1.modified).not.toBe(v2.modified);
    expect(itemObjects({ ...ITEM, itemId: '00000000-0000-4000-8000-000000000001' }, publisher)[0].id).not.toBe(v2.id);
  });

  it('maps an announcement to a note, and an item without indicators to a report referring to the team', () => {
    const [note] = itemObjects({ ...ITEM, kind: 'announcement', indicators: [] }, publisher);
    expect(note).toMatchObject({ type: 'note', abstract: ITEM.title, object_refs: [identity(publisher).id] });
    expect(stixErrors(note)).toEqual([]);
  });

  it('marks a recalled item revoked', () => {
    const objects = itemObjects({ ...ITEM, revoked: true }, publisher);
    expect(objects.every((object) => object.revoked === true)).toBe(true);
    for (const object of objects) expect(stixErrors(object)).toEqual([]);
  });

  it('serves revoked indicator versions, valid against the official schemas, and new identities after a revocation', () => {
    const [revoked] = indicatorVersionObjects(
      ITEM.itemId,
      ITEM.createdAt,
      [
        {
          indicator: { ...ITEM.indicators[0], generation: 0 },
          tlp: 'TLP:CLEAR',
          pap: 'PAP:GREEN',
          validFrom: ITEM.createdAt,
          modified: ITEM.modifiedAt,
          revoked: true,
        },
      ],
      publisher,
    );
    expect(revoked).toMatchObject({
      type: 'indicator',
      id: indicatorId(ITEM.itemId, ITEM.indicators[0]),
      revoked: true,
      modified: '2026-11-02T10:30:00.000Z',
      pattern: "[ipv4-addr:value = '203.0.113.7']",
    });
    expect(stixErrors(revoked)).toEqual([]);
    expect(indicatorId(ITEM.itemId, { ...ITEM.indicators[0], generation: 1 })).not.toBe(revoked.id);
    const [report] = itemObjects({ ...ITEM, generation: 1 }, publisher);
    expect(report.id).not.toBe(itemStixId(ITEM.itemId, 'advisory'));
    expect(report.id).toBe(itemStixId(ITEM.itemId, 'advisory', 1));
  });

  it('describes a sealed copy by its reference only, with the encrypted message as an artifact', () => {
    const armoredMessage = '-----BEGIN PGP MESSAGE-----\n\nwV4DAAAA\n=abcd\n-----END PGP MESSAGE-----\n';
    const objects = sealedObjects(
      {
        ...ITEM,
        tlp: 'TLP:AMBER+STRICT',
        pap: null,
        deliveryId: '0b6a4f3e-1111-4222-8333-444455556666',
        armoredMessage,
        keyFingerprint: 'ABCD',
      },
      publisher,
    );
    expect(objects.map((object) => object.type)).toEqual(['report', 'artifact']);
    for (const object of [...objects, TLP_MARKINGS['TLP:AMBER+STRICT']]) expect(stixErrors(object)).toEqual([]);
    const serialised = JSON.stringify(objects);
    expect(serialised).not.toContain(ITEM.title);
    expect(serialised).not.toContain('203.0.113.7');
    expect(objects[0]).toMatchObject({
      name: '[TLP:AMBER+STRICT] advisory 3f2a9c1e v2',
      object_refs: [objects[1].id],
      object_marking_refs: [TLP_MARKINGS['TLP:AMBER+STRICT'].id],
    });
    expect(Buffer.from(objects[1].payload_bin as string, 'base64').toString()).toBe(armoredMessage);
  });

  it('gives the five official TLP 2.0 marking definitions, valid against the schema', () => {
    expect(Object.values(TLP_MARKINGS).map((marking) => [marking.name, marking.id])).toEqual([
      ['TLP:CLEAR', 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'],
      ['TLP:GREEN', 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'],
      ['TLP:AMBER', 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'],
      ['TLP:AMBER+STRICT', 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003'],
      ['TLP:RED', 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'],
    ]);
    for (const marking of [...Object.values(TLP_MARKINGS), ...Object.values(PAP_MARKINGS)])
      expect(stixErrors(marking)).toEqual([]);
  });

  it('is caught by the schema when an object is wrong', () => {
    const [report] = itemObjects(ITEM, publisher);
    expect(stixErrors({ ...report, object_refs: [] })).not.toEqual([]);
    expect(stixErrors({ ...report, created: '2026-11-01 08:00' })).not.toEqual([]);
  });
});
