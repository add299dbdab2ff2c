import { ItemEntity, ItemVersionEntity } from '@tlp-broker/persistence';
import type { TlpLabel } from '@tlp-broker/tlp';

/**
 * The document inside every delivery: what the team signs and each recipient decrypts.
 * JSON, so that partners' scripts read it as easily as people do.
 */
/** What a recipient of an urgent item is asked: acknowledge it at `url` (one-time) before `deadline`. */
export interface AcknowledgementAsked {
  readonly url: string;
  readonly deadline: Date;
}

export function itemDocument(
  item: ItemEntity,
  version: ItemVersionEntity,
  publisher: { name: string; fingerprint: string },
  acknowledgement: AcknowledgementAsked | null = null,
): string {
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
      indicators: version.indicators,
      publishedAt: version.createdAt.toISOString(),
      publisher,
      ...(acknowledgement
        ? { acknowledge: { url: acknowledgement.url, method: 'POST', by: acknowledgement.deadline.toISOString() } }
        : {}),
    },
    null,
    2,
  );
}

/**
 * The same item as text, for e-mail: what a person reads in Thunderbird or Outlook once the
 * message is decrypted. The label comes first, as TLP asks.
 */
export function itemText(
  item: ItemEntity,
  version: ItemVersionEntity,
  publisher: { name: string; fingerprint: string },
  acknowledgement: AcknowledgementAsked | null = null,
): string {
  const lines = [
    `${version.tlp}${version.pap ? `  ${version.pap}` : ''}`,
    '',
    ...(acknowledgement
      ? [
          `URGENT: please acknowledge receipt before ${acknowledgement.deadline.toISOString()}:`,
          acknowledgement.url,
          '(one-time link, for your organisation; or reply with a signed message naming the reference below)',
          '',
        ]
      : []),
    version.title,
    '='.repeat(Math.min(version.title.length, 72)),
    '',
    `Type: ${item.kind}    Version: ${version.version}${version.severity ? `    Severity: ${version.severity}` : ''}`,
    `Reference: ${item.id}`,
    ...(version.caveats.length > 0 ? [`Handling caveats: ${version.caveats.join(', ')}`] : []),
    ...(version.provenance
      ? [`Derived from ${version.provenance.originator}'s ${version.provenance.label} material`]
      : []),
    '',
    ...(version.summary ? [version.summary, ''] : []),
    version.body,
    ...(version.indicators.length > 0
      ? [
          '',
          'Indicators:',
          ...version.indicators.map(
            (i) => `  ${i.type.padEnd(7)} ${i.value}${i.description ? `  (${i.description})` : ''}`,
          ),
        ]
      : []),
    '',
    '-- ',
    `${publisher.name} (OpenPGP ${publisher.fingerprint})`,
    `${version.tlp}: share only as this label allows.`,
  ];
  return lines.join('\n');
}

/** A recall notice: what a recipient must withdraw, and why, without anything of a newer version. */
export interface RecallNotice {
  readonly item: ItemEntity;
  /** The versions this recipient was sent. */
  readonly versions: readonly number[];
  /** The label of the latest of them: the notice is handled as that version was. */
  readonly tlp: TlpLabel;
  /** `retracted`: the publisher withdrew the item; `withdrawn`: a later version is not shared with this recipient. */
  readonly cause: 'retracted' | 'withdrawn';
  /** The team's note to recipients, given with a retraction. */
  readonly note: string | null;
  readonly issuedAt: Date;
}

function recallInstruction(notice: RecallNotice): string {
  const versions = notice.versions.join(', ');
  return notice.cause === 'retracted'
    ? `The publisher has retracted this ${notice.item.kind}. Delete every copy of it (version ${versions}) and stop acting on it.`
    : `This ${notice.item.kind} was updated and the new version is not shared with you. Delete every copy of the version you received (version ${versions}) and stop acting on it.`;
}

export function recallDocument(notice: RecallNotice, publisher: { name: string; fingerprint: string }): string {
  return JSON.stringify(
    {
      format: 'tlp-broker/recall@1',
      id: notice.item.id,
      type: notice.item.kind,
      tlp: notice.tlp,
      recall: notice.cause,
      versions: notice.versions,
      instruction: recallInstruction(notice),
      note: notice.note,
      issuedAt: notice.issuedAt.toISOString(),
      publisher,
    },
    null,
    2,
  );
}

export function recallText(notice: RecallNotice, publisher: { name: string; fingerprint: string }): string {
  const title = `RECALL: ${notice.item.kind} ${notice.item.id}`;
  return [
    notice.tlp,
    '',
    title,
    '='.repeat(title.length),
    '',
    recallInstruction(notice),
    ...(notice.note ? ['', `Note from the publisher: ${notice.note}`] : []),
    '',
    `Reference: ${notice.item.id}    Versions: ${notice.versions.join(', ')}`,
    '',
    '-- ',
    `${publisher.name} (OpenPGP ${publisher.fingerprint})`,
  ].join('\n');
}
