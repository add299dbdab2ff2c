import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { ChannelEntity, ContactEntity, OrganisationEntity, RecipientKeyEntity } from './entities';

/** One place an item can go: a channel, with the organisation, contact and key behind it. */
export interface RoutingTarget {
  organisation: OrganisationEntity;
  channel: ChannelEntity;
  contact: ContactEntity | null;
  key: RecipientKeyEntity | null;
}

/** Reads partners as the routing and delivery steps see them. */
@Injectable()
export class PartnerDirectory {
  constructor(private readonly dataSource: DataSource) {}

  /** Every channel of every organisation (suspended ones too: their denials are recorded). */
  async allTargets(manager: EntityManager = this.dataSource.manager): Promise<RoutingTarget[]> {
    const channels = await manager.getRepository(ChannelEntity).find({ order: { createdAt: 'ASC', id: 'ASC' } });
    return this.assemble(manager, channels);
  }

  async targets(
    channelIds: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<RoutingTarget[]> {
    if (channelIds.length === 0) return [];
    const channels = await manager.getRepository(ChannelEntity).findBy({ id: In([...new Set(channelIds)]) });
    return this.assemble(manager, channels);
  }

  async target(channelId: string, manager: EntityManager = this.dataSource.manager): Promise<RoutingTarget | null> {
    const channel = await manager.getRepository(ChannelEntity).findOne({ where: { id: channelId } });
    if (!channel) return null;
    const [target] = await this.assemble(manager, [channel]);
    return target ?? null;
  }

  private async assemble(manager: EntityManager, channels: ChannelEntity[]): Promise<RoutingTarget[]> {
    if (channels.length === 0) return [];
    const unique = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))];
    // One after the other: inside a transaction the manager holds a single connection.
    const organisations = await manager
      .getRepository(OrganisationEntity)
      .findBy({ id: In(unique(channels.map((c) => c.organisationId))) });
    const contacts = await manager
      .getRepository(ContactEntity)
      .findBy({ id: In(unique(channels.map((c) => c.contactId))) });
    const keys = await manager
      .getRepository(RecipientKeyEntity)
      .findBy({ id: In(unique(channels.map((c) => c.keyId))) });
    const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((row) => [row.id, row]));
    const orgs = byId(organisations);
    const people = byId(contacts);
    const keyRows = byId(keys);
    return channels.flatMap((channel) => {
      const organisation = orgs.get(channel.organisationId);
      if (!organisation) return [];
      return [
        {
          organisation,
          channel,
          contact: channel.contactId ? (people.get(channel.contactId) ?? null) : null,
          key: channel.keyId ? (keyRows.get(channel.keyId) ?? null) : null,
        },
      ];
    });
  }
}
