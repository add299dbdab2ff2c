import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { ChannelEntity, ContactEntity, OrganisationEntity, RecipientKeyEntity } from '@tlp-broker/persistence';
import { keyView, KeyView } from '../organisations/organisations.service';

export interface KeyReportRow extends KeyView {
  organisationId: string;
  organisation: string;
  contactId: string | null;
  contact: string | null;
  /** Whole days until expiry (negative: expired), null when the key does not expire. */
  daysLeft: number | null;
}

const DAY_MS = 86_400_000;

/** Keys in use and their expiry: the renewal report administrators work from. */
@Injectable()
export class KeysService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async report(expiringWithinDays?: number): Promise<KeyReportRow[]> {
    const manager = this.dataSource.manager;
    const channels = await manager.getRepository(ChannelEntity).find();
    const keyIds = [...new Set(channels.map((channel) => channel.keyId).filter((id): id is string => id !== null))];
    if (keyIds.length === 0) return [];
    const keys = await manager.getRepository(RecipientKeyEntity).findBy({ id: In(keyIds) });
    const organisations = new Map(
      (await manager.getRepository(OrganisationEntity).find()).map((row) => [row.id, row.name]),
    );
    const contacts = new Map((await manager.getRepository(ContactEntity).find()).map((row) => [row.id, row.name]));
    const now = Date.now();
    const horizon = expiringWithinDays === undefined ? null : now + expiringWithinDays * DAY_MS;
    return keys
      .filter((key) => horizon === null || (key.expiresAt !== null && key.expiresAt.getTime() <= horizon))
      .map((key) => ({
        ...keyView(key),
        organisationId: key.organisationId,
        organisation: organisations.get(key.organisationId) ?? key.organisationId,
        contactId: key.contactId,
        contact: key.contactId ? (contacts.get(key.contactId) ?? null) : null,
        daysLeft: key.expiresAt === null ? null : Math.floor((key.expiresAt.getTime() - now) / DAY_MS),
      }))
      .sort(
        (a, b) =>
          (a.expiresAt?.getTime() ?? Infinity) - (b.expiresAt?.getTime() ?? Infinity) ||
          a.organisation.localeCompare(b.organisation),
      );
  }
}
