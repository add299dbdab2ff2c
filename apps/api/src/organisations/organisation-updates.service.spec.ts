import { BadRequestException, NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { OrganisationRepository } from '@tlp-broker/persistence';
import { fakeAudit, fakeTransactions, staffPrincipal, tx } from '../../../../test/support/mocks';
import { OrganisationUpdatesService } from './organisation-updates.service';
import type { OrganisationViewsService } from './organisation-views.service';
import type { PartnerSetupService } from './partner-setup.service';

const actor = staffPrincipal();
const organisation = {
  id: 'org-1',
  status: 'active',
  communities: ['eu-lea'],
  accreditations: [] as string[],
};

function updates(found: { organisation?: object | null; contact?: object | null; channel?: object | null } = {}) {
  const organisations = {
    lockForUpdate: vi.fn(async () => (found.organisation === undefined ? organisation : found.organisation)),
    updateOrganisation: vi.fn(async () => undefined),
    findContact: vi.fn(async () =>
      found.contact === undefined ? { id: 'c-1', organisationId: 'org-1', status: 'active' } : found.contact,
    ),
    setContactStatus: vi.fn(async () => undefined),
    lockChannel: vi.fn(async () =>
      found.channel === undefined ? { id: 'ch-1', organisationId: 'org-1', status: 'active' } : found.channel,
    ),
    setChannelStatus: vi.fn(async () => undefined),
  };
  const setup = {
    checkAccreditations: vi.fn(async (names: string[]) => {
      if (names.includes('made-up')) throw new BadRequestException('accreditations: unknown caveat');
    }),
  };
  const views = { get: vi.fn(async (id: string) => ({ id, view: true })) };
  const audit = fakeAudit();
  const transactions = fakeTransactions();
  const service = new OrganisationUpdatesService(
    transactions,
    audit,
    setup as unknown as PartnerSetupService,
    organisations as unknown as OrganisationRepository,
    views as unknown as OrganisationViewsService,
  );
  return { service, organisations, setup, views, audit, transactions };
}

describe('OrganisationUpdatesService.update', () => {
  it('changes only what differs, under a lock, audited with each change, and answers the new view', async () => {
    const u = updates();
    const view = await u.service.update(
      'org-1',
      { status: 'suspended', communities: ['eu-lea'], accreditations: ['judicial-secret'] },
      actor,
    );
    expect(u.organisations.lockForUpdate).toHaveBeenCalledWith('org-1', tx);
    expect(u.organisations.updateOrganisation).toHaveBeenCalledWith(
      'org-1',
      { status: 'suspended', accreditations: ['judicial-secret'] },
      tx,
    );
    expect(u.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'organisation.updated',
      subjectType: 'organisation',
      subjectId: 'org-1',
      details: {
        status: { from: 'active', to: 'suspended' },
        accreditations: { from: [], to: ['judicial-secret'] },
      },
    });
    expect(view).toEqual({ id: 'org-1', view: true });
  });

  it('writes and audits nothing when nothing differs', async () => {
    const u = updates();
    await u.service.update('org-1', { status: 'active', communities: ['eu-lea'] }, actor);
    expect(u.organisations.updateOrganisation).not.toHaveBeenCalled();
    expect(u.audit.append).not.toHaveBeenCalled();
    expect(u.views.get).toHaveBeenCalledWith('org-1');
  });

  it('refuses a body that names nothing to change, and unknown accreditations, before any transaction', async () => {
    const u = updates();
    const empty = await u.service.update('org-1', {}, actor).catch((e: unknown) => e);
    expect((empty as BadRequestException).getResponse()).toMatchObject({
      details: [
        { field: 'body', message: 'nothing to change: give at least one of status, communities, accreditations' },
      ],
    });
    await expect(u.service.update('org-1', { accreditations: ['made-up'] }, actor)).rejects.toBeInstanceOf(
      BadRequestException,
    );
    expect(u.transactions.run).not.toHaveBeenCalled();
  });

  it('answers 404 for an unknown organisation', async () => {
    const u = updates({ organisation: null });
    const error = await u.service.update('org-9', { status: 'suspended' }, actor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundException);
    expect((error as NotFoundException).message).toBe('organisation org-9 not found');
    expect(u.organisations.updateOrganisation).not.toHaveBeenCalled();
  });
});

describe('OrganisationUpdatesService.updateContact', () => {
  it('suspends a contact, audited with the change', async () => {
    const u = updates();
    await u.service.updateContact('org-1', 'c-1', { status: 'suspended' }, actor);
    expect(u.organisations.findContact).toHaveBeenCalledWith('org-1', 'c-1', tx);
    expect(u.organisations.setContactStatus).toHaveBeenCalledWith('c-1', 'suspended', tx);
    expect(u.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'contact.updated',
      subjectType: 'contact',
      subjectId: 'c-1',
      details: { status: { from: 'active', to: 'suspended' } },
    });
    expect(u.views.get).toHaveBeenCalledWith('org-1');
  });

  it('does nothing for the status the contact has, and answers 404 for a contact of another organisation', async () => {
    const u = updates();
    await u.service.updateContact('org-1', 'c-1', { status: 'active' }, actor);
    expect(u.organisations.setContactStatus).not.toHaveBeenCalled();
    expect(u.audit.append).not.toHaveBeenCalled();
    const missing = await updates({ contact: null })
      .service.updateContact('org-2', 'c-1', { status: 'suspended' }, actor)
      .catch((e: unknown) => e);
    expect((missing as NotFoundException).message).toBe('contact c-1 not found at organisation org-2');
  });
});

describe('OrganisationUpdatesService.updateChannel', () => {
  it('suspends a channel under a lock, audited with its organisation and the change', async () => {
    const u = updates();
    await u.service.updateChannel('org-1', 'ch-1', { status: 'suspended' }, actor);
    expect(u.organisations.lockChannel).toHaveBeenCalledWith('org-1', 'ch-1', tx);
    expect(u.organisations.setChannelStatus).toHaveBeenCalledWith('ch-1', 'suspended', tx);
    expect(u.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'channel.updated',
      subjectType: 'channel',
      subjectId: 'ch-1',
      details: { organisationId: 'org-1', status: { from: 'active', to: 'suspended' } },
    });
  });

  it('reinstates a suspended channel', async () => {
    const u = updates({ channel: { id: 'ch-1', organisationId: 'org-1', status: 'suspended' } });
    await u.service.updateChannel('org-1', 'ch-1', { status: 'active' }, actor);
    expect(u.organisations.setChannelStatus).toHaveBeenCalledWith('ch-1', 'active', tx);
  });

  it('does nothing for the status the channel has, and answers 404 for a channel of another organisation', async () => {
    const u = updates();
    await u.service.updateChannel('org-1', 'ch-1', { status: 'active' }, actor);
    expect(u.organisations.setChannelStatus).not.toHaveBeenCalled();
    expect(u.audit.append).not.toHaveBeenCalled();
    const other = updates({ channel: null });
    const missing = await other.service
      .updateChannel('org-2', 'ch-1', { status: 'suspended' }, actor)
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundException);
    expect((missing as NotFoundException).message).toBe('channel ch-1 not found at organisation org-2');
    expect(other.views.get).not.toHaveBeenCalled();
  });
});
