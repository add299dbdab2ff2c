import type { EntityManager } from 'typeorm';
import { Mock, vi } from 'vitest';
import type { PartnerScope, Role } from '@tlp-broker/domain';
import type { AuditEntry, AuditLog, Transactions } from '@tlp-broker/persistence';
import type { PartnerPrincipal, StaffPrincipal } from '../../apps/api/src/auth/principal';

/**
 * Stand-ins for what most services are constructed with, for unit tests of one service: its
 * transactions, its audit trail and who is calling. Nothing here touches a database.
 */

/**
 * The transaction every fake `Transactions` runs its work in: a unit test checks that each
 * repository call and audit entry of a use case was handed this one, so that they commit together.
 */
export const tx = { transaction: 'fake' } as unknown as EntityManager;

export type FakeTransactions = Transactions & {
  run: Mock<(work: (manager: EntityManager) => Promise<unknown>) => Promise<unknown>>;
};

/** Runs the work at once in `tx`; `run` records each transaction a use case opened. */
export function fakeTransactions(): FakeTransactions {
  const run = vi.fn(async (work: (manager: EntityManager) => Promise<unknown>) => work(tx));
  return { run } as unknown as FakeTransactions;
}

export type FakeAuditLog = AuditLog & {
  append: Mock<(manager: EntityManager, entry: AuditEntry) => Promise<undefined>>;
};

/** An audit trail that records each entry appended (and the transaction it was written in). */
export function fakeAudit(): FakeAuditLog {
  const append = vi.fn<(manager: EntityManager, entry: AuditEntry) => Promise<undefined>>(async () => undefined);
  return { append } as unknown as FakeAuditLog;
}

/** A member of the team; an admin unless the test needs other roles. */
export function staffPrincipal(roles: readonly Role[] = ['admin'], userId = 'u-1'): StaffPrincipal {
  return { kind: 'staff', userId, name: `member ${userId}`, roles };
}

/** A partner pulling through the feed channel `channel-1` of organisation `org-1`, with the scopes given. */
export function partnerPrincipal(scopes: readonly PartnerScope[] = ['feed']): PartnerPrincipal {
  return {
    kind: 'partner',
    channelId: 'channel-1',
    organisationId: 'org-1',
    contactId: null,
    apiKeyId: 'key-1',
    scopes,
  };
}
