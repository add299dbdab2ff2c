import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { mimeEntityForItem, OpenPgpService, TeamKeyService } from '@tlp-broker/crypto';
import { Metrics } from '@tlp-broker/observability';
import {
  ItemEntity,
  ItemVersionEntity,
  RoutingTarget,
  SealedForm,
  SealedPayloadRepository,
} from '@tlp-broker/persistence';
import { itemDocument, itemText } from '../item-document';

/**
 * Signs and encrypts an item version once per form (the JSON document for feeds and webhooks, a
 * MIME entity for e-mail); recipients then only get their own key packet.
 */
@Injectable()
export class SealingService {
  constructor(
    private readonly sealedPayloads: SealedPayloadRepository,
    private readonly openpgp: OpenPgpService,
    private readonly teamKey: TeamKeyService,
    private readonly metrics: Metrics,
  ) {}

  /** Seals the version in the forms the allowed channels need. */
  async sealFor(
    item: ItemEntity,
    version: ItemVersionEntity,
    allowed: readonly RoutingTarget[],
    tx: EntityManager,
  ): Promise<void> {
    // A page carries no content: nothing is sealed for a paging hook.
    if (allowed.some((target) => !['email', 'pager'].includes(target.channel.kind)))
      await this.seal(item, version, 'document', tx);
    if (allowed.some((target) => target.channel.kind === 'email')) await this.seal(item, version, 'mime', tx);
  }

  /** Seals the version in `form` unless it already is. */
  async seal(item: ItemEntity, version: ItemVersionEntity, form: SealedForm, tx: EntityManager): Promise<void> {
    if (await this.sealedPayloads.exists(version.id, form, tx)) return;
    const { key, info: team } = await this.teamKey.current();
    const publisher = { name: this.teamKey.publisherName(), fingerprint: team.fingerprint };
    const plaintext =
      form === 'mime' ? mimeEntityForItem(itemText(item, version, publisher)) : itemDocument(item, version, publisher);
    // Signing and encrypting, timed into tlpb_encryption_seconds.
    const sealed = await this.metrics.timeEncryption(() => this.openpgp.sealOnce(plaintext, key));
    await this.sealedPayloads.insert(
      {
        itemVersionId: version.id,
        form,
        teamKeyFingerprint: team.fingerprint,
        sessionKeyAlgorithm: sealed.sessionKeyAlgorithm,
        sessionKey: Buffer.from(sealed.sessionKey),
        encryptedData: Buffer.from(sealed.encryptedData),
      },
      tx,
    );
  }
}
