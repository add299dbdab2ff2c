import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { parsePapLabel, parseTlpLabel, TlpLabel } from '@tlp-broker/tlp';
import {
  Audience,
  AuditLog,
  ContactEntity,
  DecisionEntity,
  DeliveryEntity,
  ItemEntity,
  ItemVersionEntity,
  OrganisationEntity,
  OutboxEntity,
} from '@tlp-broker/persistence';
import { FieldProblem, invalidFields } from '../common/errors';
import { StaffPrincipal } from '../auth/principal';
import { CreateItemDto } from './items.dto';

export const ITEM_PUBLISHED_TOPIC = 'item-version.published';

export interface ItemView {
  id: string;
  version: number;
  type: string;
  state: string;
  title: string;
  summary: string;
  tlp: TlpLabel;
  pap: string | null;
  severity: string | null;
  audience: Audience;
  createdAt: Date;
}

export interface DecisionView {
  organisationId: string;
  organisation: string;
  contactId: string | null;
  contact: string | null;
  channelId: string;
  allow: boolean;
  code: string;
  reason: string;
  handling: string | null;
  keyFingerprint: string | null;
  delivery: { id: string; state: string; attempts: number; lastError: string | null; deliveredAt: Date | null } | null;
}

@Injectable()
export class ItemsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    @InjectRepository(ItemEntity) private readonly items: Repository<ItemEntity>,
    @InjectRepository(ItemVersionEntity) private readonly versions: Repository<ItemVersionEntity>,
  ) {}

  /** Publishes now: the item, its first version and an outbox row are committed together. */
  async publish(dto: CreateItemDto, actor: StaffPrincipal): Promise<ItemView> {
    const tlp = this.label(dto.tlp);
    const pap = dto.pap === undefined ? null : this.papLabel(dto.pap);
    const audience: Audience = {
      communities: dto.audience?.communities ?? [],
      organisations: dto.audience?.organisations ?? [],
      contacts: dto.audience?.contacts ?? [],
    };
    await this.checkAudience(tlp, audience);

    const { item, version } = await this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const item = await manager.getRepository(ItemEntity).save(
        manager.getRepository(ItemEntity).create({ kind: dto.type, state: 'published', currentVersion: 1, createdBy: actor.userId, updatedAt: now }),
      );
      const version = await manager.getRepository(ItemVersionEntity).save(
        manager.getRepository(ItemVersionEntity).create({
          itemId: item.id,
          version: 1,
          title: dto.title,
          summary: dto.summary ?? '',
          body: dto.body,
          tlp,
          pap,
          audience,
          severity: dto.severity ?? null,
          createdBy: actor.userId,
        }),
      );
      await manager.getRepository(OutboxEntity).insert({ topic: ITEM_PUBLISHED_TOPIC, itemVersionId: version.id });
      await this.audit.append(manager, {
        actor: `user:${actor.userId}`,
        action: 'item.published',
        subjectType: 'item',
        subjectId: item.id,
        details: { version: 1, itemVersionId: version.id, type: item.kind, tlp, pap, audience },
      });
      return { item, version };
    });
    return this.view(item, version);
  }

  async get(id: string): Promise<ItemView> {
    const item = await this.items.findOne({ where: { id } });
    if (!item) throw new NotFoundException(`item ${id} not found`);
    const version = await this.versions.findOneOrFail({ where: { itemId: id, version: item.currentVersion } });
    return this.view(item, version);
  }

  /** Every decision taken for the item's current version, with the state of each allowed delivery. */
  async decisions(id: string): Promise<{ item: ItemView; routed: boolean; decisions: DecisionView[] }> {
    const item = await this.get(id);
    const version = await this.versions.findOneOrFail({ where: { itemId: id, version: item.version } });
    const manager = this.dataSource.manager;
    const [outbox, decisions, deliveries] = await Promise.all([
      manager.getRepository(OutboxEntity).findOne({ where: { itemVersionId: version.id } }),
      manager.getRepository(DecisionEntity).find({ where: { itemVersionId: version.id } }),
      manager.getRepository(DeliveryEntity).find({ where: { itemVersionId: version.id } }),
    ]);
    const organisations = await manager.getRepository(OrganisationEntity).findBy({ id: In([...new Set(decisions.map((d) => d.organisationId))]) });
    const contactIds = [...new Set(decisions.map((d) => d.contactId).filter((id): id is string => id !== null))];
    const contacts = contactIds.length > 0 ? await manager.getRepository(ContactEntity).findBy({ id: In(contactIds) }) : [];
    const names = new Map([...organisations, ...contacts].map((row) => [row.id, row.name]));
    const deliveryByDecision = new Map(deliveries.map((delivery) => [delivery.decisionId, delivery]));
    const views = decisions
      .map((decision): DecisionView => {
        const delivery = deliveryByDecision.get(decision.id);
        return {
          organisationId: decision.organisationId,
          organisation: names.get(decision.organisationId) ?? decision.organisationId,
          contactId: decision.contactId,
          contact: decision.contactId ? (names.get(decision.contactId) ?? null) : null,
          channelId: decision.channelId,
          allow: decision.allow,
          code: decision.code,
          reason: decision.reason,
          handling: decision.handling,
          keyFingerprint: decision.keyFingerprint,
          delivery: delivery
            ? { id: delivery.id, state: delivery.state, attempts: delivery.attempts, lastError: delivery.lastError, deliveredAt: delivery.deliveredAt }
            : null,
        };
      })
      .sort((a, b) => a.organisation.localeCompare(b.organisation) || a.channelId.localeCompare(b.channelId));
    return { item, routed: outbox?.processedAt != null, decisions: views };
  }

  private label(input: string): TlpLabel {
    const parsed = parseTlpLabel(input);
    if (!parsed.ok) throw invalidFields([{ field: 'tlp', message: parsed.error }]);
    return parsed.label;
  }

  private papLabel(input: string): string {
    const parsed = parsePapLabel(input);
    if (!parsed.ok) throw invalidFields([{ field: 'pap', message: parsed.error }]);
    return parsed.label;
  }

  /** The audience must name real partners, and the label must have the audience it needs. */
  private async checkAudience(tlp: TlpLabel, audience: Audience): Promise<void> {
    const problems: FieldProblem[] = [];
    if (tlp === 'TLP:RED' && audience.contacts.length === 0) {
      problems.push({ field: 'audience.contacts', message: 'TLP:RED goes only to named people: list at least one contact' });
    }
    if ((tlp === 'TLP:AMBER' || tlp === 'TLP:AMBER+STRICT') && audience.organisations.length === 0 && audience.contacts.length === 0) {
      problems.push({ field: 'audience.organisations', message: `${tlp} is need to know: name at least one organisation or contact` });
    }
    const manager = this.dataSource.manager;
    if (audience.organisations.length > 0) {
      const found = await manager.getRepository(OrganisationEntity).find({ where: { id: In(audience.organisations) }, select: { id: true } });
      const known = new Set(found.map((row) => row.id));
      const unknown = audience.organisations.filter((id) => !known.has(id));
      if (unknown.length > 0) problems.push({ field: 'audience.organisations', message: `unknown organisation ${unknown.join(', ')}` });
    }
    if (audience.contacts.length > 0) {
      const found = await manager.getRepository(ContactEntity).find({ where: { id: In(audience.contacts) }, select: { id: true } });
      const known = new Set(found.map((row) => row.id));
      const unknown = audience.contacts.filter((id) => !known.has(id));
      if (unknown.length > 0) problems.push({ field: 'audience.contacts', message: `unknown contact ${unknown.join(', ')}` });
    }
    if (audience.communities.length > 0) {
      const rows: { community: string }[] = await manager.query(
        'SELECT DISTINCT unnest(communities) AS community FROM organisations WHERE communities && $1::text[]',
        [audience.communities],
      );
      const known = new Set(rows.map((row) => row.community));
      const unknown = audience.communities.filter((community) => !known.has(community));
      if (unknown.length > 0) problems.push({ field: 'audience.communities', message: `no partner belongs to ${unknown.map((c) => `"${c}"`).join(', ')}` });
    }
    if (problems.length > 0) throw invalidFields(problems);
  }

  private view(item: ItemEntity, version: ItemVersionEntity): ItemView {
    return {
      id: item.id,
      version: version.version,
      type: item.kind,
      state: item.state,
      title: version.title,
      summary: version.summary,
      tlp: version.tlp as TlpLabel,
      pap: version.pap,
      severity: version.severity,
      audience: version.audience,
      createdAt: version.createdAt,
    };
  }
}
