import { INDICATOR_TYPES, ITEM_KINDS, SEVERITIES } from '@tlp-broker/domain';
import { PAP_LABELS, TLP_LABELS } from '@tlp-broker/tlp';
import { z } from 'zod';
import type { FeedEntry } from './broker-client';

const publisher = z.object({ name: z.string().min(1), fingerprint: z.string() });

/** What the team signs for one version of an item (`tlp-broker/item@1`). */
export const ITEM_DOCUMENT = z.object({
  format: z.literal('tlp-broker/item@1'),
  id: z.uuid(),
  version: z.number().int().positive(),
  type: z.enum(ITEM_KINDS),
  tlp: z.enum(TLP_LABELS),
  pap: z.enum(PAP_LABELS).nullable(),
  severity: z.enum(SEVERITIES).nullable(),
  title: z.string(),
  summary: z.string(),
  body: z.string(),
  indicators: z.array(
    z.object({ type: z.enum(INDICATOR_TYPES), value: z.string().min(1), description: z.string().optional() }),
  ),
  publishedAt: z.iso.datetime({ offset: true }),
  publisher,
  acknowledge: z.object({ url: z.string(), method: z.string(), by: z.string() }).optional(),
});

/** A recall notice (`tlp-broker/recall@1`): the versions a recipient must delete. */
export const RECALL_DOCUMENT = z.object({
  format: z.literal('tlp-broker/recall@1'),
  id: z.uuid(),
  type: z.enum(ITEM_KINDS),
  tlp: z.enum(TLP_LABELS),
  recall: z.enum(['retracted', 'withdrawn']),
  versions: z.array(z.number().int().positive()).min(1),
  instruction: z.string(),
  note: z.string().nullable(),
  issuedAt: z.iso.datetime({ offset: true }),
  publisher,
});

export type ItemDocument = z.infer<typeof ITEM_DOCUMENT>;
export type RecallDocument = z.infer<typeof RECALL_DOCUMENT>;
export type Document = ItemDocument | RecallDocument;

/**
 * The signed document of a feed entry, checked against the entry that carried it: the entry's
 * unsigned fields (item, version, label) are what the kit files it under, so they must say what
 * the signed document says. Null with the reason when it does not.
 */
export function readDocument(entry: FeedEntry, text: string): { document: Document } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: 'the signed content is not a tlp-broker document (not JSON)' };
  }
  const parsed = (entry.entry === 'item' ? ITEM_DOCUMENT : RECALL_DOCUMENT).safeParse(json);
  if (!parsed.success)
    return {
      problem: `the signed content is not a tlp-broker ${entry.entry} document (${parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || 'document'}: ${issue.message}`)
        .join('; ')})`,
    };
  const document = parsed.data;
  const mismatch =
    document.id !== entry.itemId ||
    document.tlp !== entry.tlp ||
    (document.format === 'tlp-broker/item@1' && document.version !== entry.version);
  if (mismatch)
    return {
      problem: `the signed document (${document.id} ${document.tlp}) does not match its feed entry (${entry.itemId} v${entry.version} ${entry.tlp})`,
    };
  return { document };
}
