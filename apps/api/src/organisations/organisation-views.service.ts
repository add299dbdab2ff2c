import { Injectable, NotFoundException } from '@nestjs/common';
import { OrganisationEntity, OrganisationRepository } from '@tlp-broker/persistence';
import { OrganisationView, organisationViews } from './organisation-views';

/** What staff see of partners: organisations with their channels, keys and contacts. */
@Injectable()
export class OrganisationViewsService {
  constructor(private readonly organisations: OrganisationRepository) {}

  async list(): Promise<OrganisationView[]> {
    return this.views(await this.organisations.listByName());
  }

  async get(id: string): Promise<OrganisationView> {
    const organisation = await this.organisations.findById(id);
    if (!organisation) throw new NotFoundException(`organisation ${id} not found`);
    const [view] = await this.views([organisation]);
    return view;
  }

  private async views(organisations: OrganisationEntity[]): Promise<OrganisationView[]> {
    const ids = organisations.map((organisation) => organisation.id);
    if (ids.length === 0) return [];
    const [channels, contacts, keys] = await Promise.all([
      this.organisations.channelsOf(ids),
      this.organisations.contactsOf(ids),
      this.organisations.keysOf(ids),
    ]);
    return organisationViews(organisations, { channels, contacts, keys });
  }
}
