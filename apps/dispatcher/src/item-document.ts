import { ItemEntity, ItemVersionEntity } from '@tlp-broker/persistence';

/**
 * The document inside every delivery: what the team signs and each recipient decrypts.
 * JSON, so that partners' scripts read it as easily as people do.
 */
export function itemDocument(item: ItemEntity, version: ItemVersionEntity, publisher: { name: string; fingerprint: string }): string {
  return JSON.stringify(
    {
      format: 'tlp-broker/item@1',
      id: item.id,
      version: version.version,
      type: item.kind,
      tlp: version.tlp,
      pap: version.pap,
      severity: version.severity,
      title: version.title,
      summary: version.summary,
      body: version.body,
      publishedAt: version.createdAt.toISOString(),
      publisher,
    },
    null,
    2,
  );
}
