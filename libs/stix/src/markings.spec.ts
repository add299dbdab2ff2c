import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stixErrors } from '../../../test/support/stix-schemas';
import { MarkingDefinition, PAP_EXTENSION, PAP_MARKINGS, TLP_EXTENSION, TLP_MARKINGS } from './markings';

/** The official objects, copied unchanged from OASIS cti-stix-common-objects (see the README there). */
const OFFICIAL = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'cti-stix-common-objects');

type Json = Record<string, unknown>;

function official(path: string): Json {
  const parsed = JSON.parse(readFileSync(join(OFFICIAL, path), 'utf8')) as Json;
  // Most are published as a bundle holding the one object.
  if (parsed.type === 'bundle' || Array.isArray(parsed.objects)) {
    const objects = parsed.objects as Json[];
    expect(objects).toHaveLength(1);
    return objects[0];
  }
  return parsed;
}

const TLP_FILES: Record<string, string> = {
  'TLP:CLEAR': 'extension-definition-specifications/tlp-2.0/examples/tlp-clear.json',
  'TLP:GREEN': 'objects/marking-definition/marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb.json',
  'TLP:AMBER': 'extension-definition-specifications/tlp-2.0/examples/tlp-amber.json',
  'TLP:AMBER+STRICT': 'objects/marking-definition/marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003.json',
  'TLP:RED': 'objects/marking-definition/marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1.json',
};

const PAP_FILES: Record<string, string> = {
  'PAP:CLEAR': 'extension-definition-specifications/pap-marking-definition-f8d/examples/pap-clear.json',
  'PAP:GREEN': 'extension-definition-specifications/pap-marking-definition-f8d/examples/pap-green.json',
};

/** Every `{id: {enum}, name: {enum}, extensions: …}` definition in the official PAP schema. */
function papSchemaDefinitions(): { id: string; name: string; extension: string; pap: string }[] {
  const schema = official(
    'extension-definition-specifications/pap-marking-definition-f8d/extension-definition--f8d78575-edfd-406e-8e84-6162a8450f5b.json',
  );
  const found: { id: string; name: string; extension: string; pap: string }[] = [];
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const properties = (node as Json).properties as
      | Record<
          string,
          { enum?: string[]; properties?: Record<string, { properties?: Record<string, { enum?: string[] }> }> }
        >
      | undefined;
    if (properties?.id?.enum && properties.name?.enum && properties.extensions?.properties) {
      const [extension, definition] = Object.entries(properties.extensions.properties)[0];
      found.push({
        id: properties.id.enum[0],
        name: properties.name.enum[0],
        extension,
        pap: definition.properties!.pap.enum![0],
      });
      return;
    }
    for (const child of Object.values(node)) walk(child);
  };
  walk(schema);
  return found;
}

describe('STIX marking definitions', () => {
  it.each(Object.entries(TLP_FILES))('serves %s exactly as the official TLP 2.0 object', (label, file) => {
    const ours: MarkingDefinition = TLP_MARKINGS[label];
    const theirs = official(file);
    expect(ours).toStrictEqual(theirs);
    // Same properties in the same order: the JSON a partner receives is the official object's.
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
    expect(stixErrors(ours)).toEqual([]);
  });

  it('has a TLP 2.0 marking for each of the five labels and no other', () => {
    expect(Object.keys(TLP_MARKINGS)).toEqual(Object.keys(TLP_FILES));
  });

  it('names the official TLP 2.0 extension definition', () => {
    const extension = official(
      'objects/extension-definition/extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.json',
    );
    expect(extension).toMatchObject({
      type: 'extension-definition',
      name: 'TLP 2.0',
      extension_types: ['property-extension'],
    });
    expect(TLP_EXTENSION).toBe(extension.id);
    for (const marking of Object.values(TLP_MARKINGS)) expect(Object.keys(marking.extensions)).toEqual([extension.id]);
  });

  it.each(Object.entries(PAP_FILES))('serves %s exactly as the official PAP object', (label, file) => {
    const ours = PAP_MARKINGS[label];
    const theirs = official(file);
    expect(ours).toStrictEqual(theirs);
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
    expect(stixErrors(ours)).toEqual([]);
  });

  it('names the official PAP extension, and gives every PAP marking the id, name and value the official schema fixes', () => {
    const officialExtension = Object.keys(official(PAP_FILES['PAP:CLEAR']).extensions as Json)[0];
    expect(PAP_EXTENSION).toBe(officialExtension);
    const definitions = papSchemaDefinitions();
    expect(definitions.map((definition) => definition.name).sort()).toEqual([
      'PAP:AMBER',
      'PAP:GREEN',
      'PAP:RED',
      'PAP:WHITE',
    ]);
    // PAP:WHITE is the old spelling of PAP:CLEAR, which tlp-broker normalises on input and never emits.
    for (const definition of definitions.filter((candidate) => candidate.name !== 'PAP:WHITE')) {
      const ours = PAP_MARKINGS[definition.name];
      expect(ours).toMatchObject({
        type: 'marking-definition',
        spec_version: '2.1',
        id: definition.id,
        name: definition.name,
      });
      expect(ours.extensions).toStrictEqual({
        [definition.extension]: { extension_type: 'property-extension', pap: definition.pap },
      });
      expect(stixErrors(ours)).toEqual([]);
    }
    expect(Object.keys(PAP_MARKINGS).sort()).toEqual(['PAP:AMBER', 'PAP:CLEAR', 'PAP:GREEN', 'PAP:RED']);
  });
});
