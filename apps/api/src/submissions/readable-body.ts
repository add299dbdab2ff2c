/**
 * An item drafted from structured material (STIX objects from the TAXII inbox or a partner's
 * feed, a MISP event, a tlp-broker item document decrypted from a partner's feed) is read by
 * people: its body is that material's words — report names and descriptions, the event's info and
 * attributes, the item's summary and body — rather than the JSON it came as. The indicators go in
 * the item's indicator list anyway. Anything else is kept as it is.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : null;

/** Several JSON documents one after the other (the decrypted messages of one feed object), or one. */
function documents(content: string): unknown[] | null {
  try {
    return [JSON.parse(content)];
  } catch {
    const parts = content.split(/\n\n(?=[[{])/);
    if (parts.length < 2) return null;
    try {
      return parts.map((part) => JSON.parse(part) as unknown);
    } catch {
      return null;
    }
  }
}

function itemDocument(document: Json): string[] {
  return [text(document.title), text(document.summary), text(document.body)].filter((line): line is string => !!line);
}

function mispEvent(event: Json): string[] {
  const attributes = Array.isArray(event.Attribute) ? event.Attribute.filter(isObject) : [];
  return [
    ...(text(event.info) ? [text(event.info)!] : []),
    ...attributes
      .filter((attribute) => attribute.deleted !== true && text(attribute.value))
      .map((attribute) => {
        const comment = text(attribute.comment);
        return `- ${String(attribute.type)}: ${text(attribute.value)}${comment ? ` (${comment})` : ''}`;
      }),
  ];
}

const WORDED = ['name', 'abstract', 'description', 'content', 'opinion', 'explanation'] as const;

function stixObjects(objects: Json[]): string[] {
  return objects
    .filter((object) => !['marking-definition', 'identity', 'extension-definition'].includes(String(object.type)))
    .flatMap((object) => {
      const words = WORDED.map((field) => text(object[field])).filter((line): line is string => !!line);
      return words.length > 0 ? [`${String(object.type)}: ${words.join('\n')}`] : [];
    });
}

function sections(document: unknown): string[] {
  if (Array.isArray(document)) return stixObjects(document.filter(isObject));
  if (!isObject(document)) return [];
  if (document.format === 'tlp-broker/item@1') return itemDocument(document);
  if (isObject(document.Event)) return mispEvent(document.Event);
  if (Array.isArray(document.Attribute) && 'info' in document) return mispEvent(document);
  if (Array.isArray(document.objects)) return stixObjects(document.objects.filter(isObject));
  if (typeof document.type === 'string') return stixObjects([document]);
  return [];
}

/** The words of structured content, for people; the content itself when it is not structured or says nothing. */
export function readableBody(content: string): string {
  const parsed = documents(content);
  if (!parsed) return content;
  const words = parsed.flatMap(sections);
  return words.length > 0 ? words.join('\n\n') : content;
}
