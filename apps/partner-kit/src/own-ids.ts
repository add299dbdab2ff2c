import type { MispEvent, StixObject } from '@tlp-broker/stix';
import { v5 as uuidv5 } from 'uuid';

/** The namespace of the ids the kit gives what it opened (UUIDv5 of the broker's id). */
const KIT_NAMESPACE = '8c2f6a1e-3b7d-5e4f-9a0c-6d1b2e3f4a5b';
/** Shared with the broker as they are: the team's identity and the official marking definitions. */
const SHARED = /^(identity|marking-definition|extension-definition)--/;

/**
 * The kit's own id for an object the broker names `id`. The broker's TAXII collection and MISP
 * feed name an item's report and event by ids derived from the item, and hold there only the
 * sealed copy (a reference and an encrypted artifact) with the same version and timestamp as the
 * cleartext the kit makes: under the same ids, OpenCTI or MISP that pulled the broker's feeds before
 * would take the cleartext for a version they already hold, and never show it.
 */
export function ownId(id: string): string {
  if (SHARED.test(id)) return id;
  const [type] = id.split('--');
  return `${type}--${uuidv5(id, KIT_NAMESPACE)}`;
}

export function ownObjects(objects: readonly StixObject[]): StixObject[] {
  return objects.map((object) => ({
    ...object,
    id: ownId(object.id),
    ...(Array.isArray(object.object_refs) ? { object_refs: object.object_refs.map((ref) => ownId(String(ref))) } : {}),
  }));
}

/** The event under uuids of the kit's own (event and attributes), for the same reason. */
export function ownEvent(event: MispEvent): MispEvent {
  return {
    ...event,
    uuid: uuidv5(event.uuid, KIT_NAMESPACE),
    Attribute: event.Attribute.map((attribute) => ({ ...attribute, uuid: uuidv5(attribute.uuid, KIT_NAMESPACE) })),
  };
}
