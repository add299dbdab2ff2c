/**
 * The official STIX 2.1 marking-definition objects for TLP 2.0 and PAP (OASIS
 * cti-stix-common-objects, extension-definition-specifications). Only these ids are used: some
 * third-party code carries wrong ones. markings.spec.ts compares every object with the official
 * files kept in test/fixtures/cti-stix-common-objects.
 */
export const TLP_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';
export const PAP_EXTENSION = 'extension-definition--f8d78575-edfd-406e-8e84-6162a8450f5b';

export interface MarkingDefinition {
  readonly [property: string]: unknown;
  readonly type: 'marking-definition';
  readonly spec_version: '2.1';
  readonly id: string;
  readonly created: string;
  readonly name: string;
  readonly extensions: Record<
    string,
    { readonly extension_type: 'property-extension'; readonly [property: string]: string }
  >;
}

function tlp(value: string, id: string): MarkingDefinition {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id,
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${value.toUpperCase()}`,
    extensions: { [TLP_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: value } },
  };
}

function pap(value: string, id: string, created: string): MarkingDefinition {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id,
    created,
    name: `PAP:${value.toUpperCase()}`,
    extensions: { [PAP_EXTENSION]: { extension_type: 'property-extension', pap: value } },
  };
}

/** By TLP 2.0 label (`TLP:AMBER+STRICT`). */
export const TLP_MARKINGS: Readonly<Record<string, MarkingDefinition>> = {
  'TLP:CLEAR': tlp('clear', 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'),
  'TLP:GREEN': tlp('green', 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'),
  'TLP:AMBER': tlp('amber', 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'),
  'TLP:AMBER+STRICT': tlp('amber+strict', 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003'),
  'TLP:RED': tlp('red', 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'),
};

/** By PAP label (`PAP:AMBER`). */
export const PAP_MARKINGS: Readonly<Record<string, MarkingDefinition>> = {
  'PAP:CLEAR': pap('clear', 'marking-definition--ad15a0cd-55b6-4588-a14c-a66105329b92', '2022-10-01T00:00:00.000Z'),
  'PAP:GREEN': pap('green', 'marking-definition--c43594d1-4b11-4c59-93ab-1c9b14d53ce9', '2022-10-09T00:00:00.000Z'),
  'PAP:AMBER': pap('amber', 'marking-definition--60f8932b-e51e-4458-b265-a2e8be9a80ab', '2022-10-02T00:00:00.000Z'),
  'PAP:RED': pap('red', 'marking-definition--740d36e5-7714-4c30-961a-3ae632ceee0e', '2022-10-06T00:00:00.000Z'),
};

/** The marking-definition ids for an object labelled `tlp` (and `pap`, when set). */
export function markingRefs(tlpLabel: string, papLabel: string | null): string[] {
  const tlpMarking = TLP_MARKINGS[tlpLabel];
  if (!tlpMarking) throw new Error(`no STIX marking for ${tlpLabel}`);
  const papMarking = papLabel ? PAP_MARKINGS[papLabel] : undefined;
  if (papLabel && !papMarking) throw new Error(`no STIX marking for ${papLabel}`);
  return papMarking ? [tlpMarking.id, papMarking.id] : [tlpMarking.id];
}
