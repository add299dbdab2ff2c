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

/**
 * The same item as text, for e-mail: what a person reads in Thunderbird or Outlook once the
 * message is decrypted. The label comes first, as TLP asks.
 */
export function itemText(item: ItemEntity, version: ItemVersionEntity, publisher: { name: string; fingerprint: string }): string {
  const lines = [
    `${version.tlp}${version.pap ? `  ${version.pap}` : ''}`,
    '',
    version.title,
    '='.repeat(Math.min(version.title.length, 72)),
    '',
    `Type: ${item.kind}    Version: ${version.version}${version.severity ? `    Severity: ${version.severity}` : ''}`,
    `Reference: ${item.id}`,
    ...(version.caveats.length > 0 ? [`Handling caveats: ${version.caveats.join(', ')}`] : []),
    ...(version.provenance ? [`Derived from ${version.provenance.originator}'s ${version.provenance.label} material`] : []),
    '',
    ...(version.summary ? [version.summary, ''] : []),
    version.body,
    '',
    '-- ',
    `${publisher.name} (OpenPGP ${publisher.fingerprint})`,
    `${version.tlp}: share only as this label allows.`,
  ];
  return lines.join('\n');
}
