import { NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { Clock } from '@tlp-broker/config';
import type { AppConfig } from '@tlp-broker/config';
import { DEFAULT_URGENCY } from '@tlp-broker/domain';
import {
  Availabilities,
  ChannelEntity,
  ContactEntity,
  DecisionEntity,
  DecisionRepository,
  decideForTargets,
  DeliveryEntity,
  DeliveryRepository,
  ItemEntity,
  ItemRepository,
  ItemVersionEntity,
  OrganisationEntity,
  OrganisationRepository,
  OutboxRepository,
  PartnerDirectory,
  policyItem,
  RecipientKeyEntity,
  RoutingTarget,
} from '@tlp-broker/persistence';
import { staffPrincipal } from '../../../../test/support/mocks';
import type { Draft, ItemIntakeService } from './item-intake.service';
import { recipientView, sortDecisions } from './item-view';
import { ItemViewsService } from './item-views.service';
import type { CreateItemDto } from './items.dto';

const analyst = staffPrincipal(['analyst'], 'u-analyst');
const team = { communities: ['eu-lea'] };
const ITEM = 'item-1';

function organisation(id: string, name: string, status: 'active' | 'suspended' = 'active'): OrganisationEntity {
  return {
    id,
    name,
    kind: 'cert',
    country: 'FR',
    relation: 'peer',
    communities: ['eu-lea'],
    accreditations: [],
    status,
    createdAt: new Date(0),
    businessHours: null,
  };
}

function key(fingerprint: string): RecipientKeyEntity {
  return {
    id: `key-${fingerprint}`,
    fingerprint,
    expiresAt: null,
    revokedAt: null,
    algorithm: 'rsaEncryptSign',
    bits: 4096,
  } as RecipientKeyEntity;
}

function channel(
  id: string,
  org: OrganisationEntity,
  kind: ChannelEntity['kind'],
  redistributes = false,
): ChannelEntity {
  return { id, organisationId: org.id, contactId: null, kind, redistributes, status: 'active' } as ChannelEntity;
}

const alpha = organisation('org-a', 'Alpha CERT');
const bravo = organisation('org-b', 'Bravo SOC', 'suspended');
const dana = { id: 'contact-d', organisationId: alpha.id, name: 'Dana', status: 'active' } as ContactEntity;
const TARGETS: RoutingTarget[] = [
  { organisation: bravo, channel: channel('ch-b', bravo, 'feed'), contact: null, key: key('B') },
  { organisation: alpha, channel: channel('ch-a-hook', alpha, 'webhook', true), contact: null, key: key('A1') },
  { organisation: alpha, channel: channel('ch-a-feed', alpha, 'feed'), contact: null, key: key('A2') },
  {
    organisation: alpha,
    channel: { ...channel('ch-a-dana', alpha, 'email'), contactId: dana.id },
    contact: dana,
    key: key('D'),
  },
];

const draft: Draft = {
  kind: 'advisory',
  title: 'Phishing',
  summary: 'Summary',
  body: 'Body',
  tlp: 'TLP:AMBER+STRICT',
  pap: null,
  severity: 'high',
  audience: { communities: [], organisations: [alpha.id, bravo.id], contacts: [] },
  caveats: [],
  indicators: [],
  provenance: null,
  releaseAt: null,
};

const item = {
  id: ITEM,
  kind: 'advisory',
  state: 'published',
  currentVersion: 2,
  createdBy: 'u-author',
} as ItemEntity;
const version = {
  ...draft,
  id: 'version-2',
  itemId: ITEM,
  version: 2,
  approvedBy: null,
  approvedAt: null,
  createdBy: 'u-author',
  createdAt: new Date(0),
} as unknown as ItemVersionEntity;

function decision(channelId: string, overrides: Partial<DecisionEntity> = {}): DecisionEntity {
  const target = TARGETS.find((t) => t.channel.id === channelId);
  return {
    id: `decision-${channelId}`,
    itemVersionId: version.id,
    organisationId: target?.organisation.id ?? 'org-gone',
    contactId: target?.contact?.id ?? null,
    channelId,
    allow: true,
    code: 'tlp.amber-strict.named',
    reason: 'named in the audience',
    handling: null,
    keyFingerprint: 'A2',
    decidedAt: new Date('2026-01-01T00:00:00Z'),
    purpose: 'routing',
    ...overrides,
  };
}

interface Setup {
  item?: ItemEntity | null;
  organisation?: OrganisationEntity | null;
  decisions?: DecisionEntity[];
  deliveries?: DeliveryEntity[];
  routed?: boolean;
}

function views(setup: Setup = {}) {
  const items = {
    findById: vi.fn(async () => (setup.item === undefined ? item : setup.item)),
    versionOf: vi.fn(async () => version),
  };
  const outbox = { isRouted: vi.fn(async () => setup.routed ?? true) };
  const decisions = {
    forItemVersion: vi.fn(async (_id: string, filter: { organisationId?: string } = {}) =>
      (setup.decisions ?? []).filter((d) => !filter.organisationId || d.organisationId === filter.organisationId),
    ),
  };
  const deliveries = { itemDeliveriesOfDecisions: vi.fn(async () => setup.deliveries ?? []) };
  const organisations = {
    findById: vi.fn(async () => (setup.organisation === undefined ? alpha : setup.organisation)),
  };
  const directory = {
    allTargets: vi.fn(async () => TARGETS),
    targets: vi.fn(async (ids: readonly string[]) => TARGETS.filter((t) => ids.includes(t.channel.id))),
  };
  const intake = { draft: vi.fn(async () => draft) };
  const service = new ItemViewsService(
    { team, urgency: DEFAULT_URGENCY } as unknown as AppConfig,
    items as unknown as ItemRepository,
    outbox as unknown as OutboxRepository,
    decisions as unknown as DecisionRepository,
    deliveries as unknown as DeliveryRepository,
    organisations as unknown as OrganisationRepository,
    directory as unknown as PartnerDirectory,
    intake as unknown as ItemIntakeService,
    { dutyFor: vi.fn(async () => new Map()) } as unknown as Availabilities,
    new Clock(),
  );
  return { service, items, outbox, decisions, deliveries, organisations, directory, intake };
}

describe('ItemViewsService.preview', () => {
  it('answers exactly what decideForTargets answers for every channel, sorted for reading, and counts it', async () => {
    const { service, intake } = views();
    const request = { title: 'x' } as CreateItemDto;
    const preview = await service.preview(request, analyst);
    expect(intake.draft).toHaveBeenCalledWith(request, analyst);
    const engine = decideForTargets(policyItem(draft, draft, DEFAULT_URGENCY), TARGETS, team, preview.decidedAt);
    const expected = sortDecisions(
      engine.map(({ target, decision, keyFingerprint }) => ({
        ...recipientView(target),
        allow: decision.allow,
        code: decision.code,
        reason: decision.reason,
        handling: decision.handling,
        keyFingerprint,
      })),
    );
    expect(preview.decisions).toEqual(expected);
    expect(preview.decisions.map((d) => d.organisation)).toEqual([
      'Alpha CERT',
      'Alpha CERT',
      'Alpha CERT',
      'Bravo SOC',
    ]);
    const allowed = engine.filter((d) => d.decision.allow).length;
    expect(allowed).toBeGreaterThan(0);
    expect(allowed).toBeLessThan(engine.length);
    expect(preview.summary).toMatchObject({ channels: 4, allowed, denied: 4 - allowed });
    expect(Object.values(preview.summary.byCode).reduce((a, b) => a + b, 0)).toBe(4);
    expect(preview.item).toMatchObject({ type: 'advisory', title: 'Phishing', tlp: 'TLP:AMBER+STRICT' });
    expect(preview.item).not.toHaveProperty('body');
  });
});

describe('ItemViewsService.get and decisions', () => {
  it('answers 404 for an unknown item', async () => {
    await expect(views({ item: null }).service.get(ITEM)).rejects.toThrow(
      new NotFoundException(`item ${ITEM} not found`),
    );
  });

  it('shows the current version', async () => {
    const { service, items } = views();
    expect(await service.get(ITEM)).toMatchObject({ id: ITEM, version: 2, state: 'published', title: 'Phishing' });
    expect(items.versionOf).toHaveBeenCalledWith(ITEM, 2);
  });

  it('lists each stored decision with its recipient and delivery, naming a channel that has gone by its ids', async () => {
    const delivery = {
      id: 'delivery-1',
      decisionId: 'decision-ch-a-feed',
      state: 'delivered',
      attempts: 1,
      lastError: null,
      deliveredAt: new Date('2026-01-01T00:01:00Z'),
    } as DeliveryEntity;
    const { service, decisions } = views({
      routed: false,
      decisions: [
        decision('ch-gone'),
        decision('ch-a-feed'),
        decision('ch-b', { allow: false, code: 'partner.suspended' }),
      ],
      deliveries: [delivery],
    });
    const answer = await service.decisions(ITEM);
    expect(decisions.forItemVersion).toHaveBeenCalledWith('version-2');
    expect(answer.routed).toBe(false);
    expect(answer.decisions.map((d) => [d.organisation, d.channel, d.delivery?.state ?? null])).toEqual([
      ['Alpha CERT', 'feed', 'delivered'],
      ['Bravo SOC', 'feed', null],
      ['org-gone', 'unknown', null],
    ]);
    expect(answer.decisions[0].delivery).toEqual({
      id: 'delivery-1',
      state: 'delivered',
      attempts: 1,
      lastError: null,
      deliveredAt: delivery.deliveredAt,
    });
  });
});

describe('ItemViewsService.explain', () => {
  it('answers 404 for an unknown organisation', async () => {
    await expect(views({ organisation: null }).service.explain(ITEM, 'org-x')).rejects.toThrow(
      'organisation org-x not found',
    );
  });

  it("sets `changed` only where the engine's answer now differs from the stored decision", async () => {
    const now = decideForTargets(policyItem(item, version, DEFAULT_URGENCY), TARGETS, team, new Date());
    const nowFor = (channelId: string) => now.find((d) => d.target.channel.id === channelId)!.decision;
    const feed = nowFor('ch-a-feed');
    const hook = nowFor('ch-a-hook');
    const { service, decisions } = views({
      decisions: [
        decision('ch-a-feed', { allow: feed.allow, code: feed.code }),
        decision('ch-a-hook', { allow: !hook.allow, code: hook.code }),
        decision('ch-b'),
      ],
    });
    const explained = await service.explain(ITEM, alpha.id);
    expect(decisions.forItemVersion).toHaveBeenCalledWith('version-2', { organisationId: alpha.id });
    expect(explained.organisation).toEqual({
      id: alpha.id,
      name: 'Alpha CERT',
      relation: 'peer',
      communities: ['eu-lea'],
      accreditations: [],
      status: 'active',
    });
    const byChannel = new Map(explained.channels.map((c) => [c.channelId, c]));
    expect([...byChannel.keys()].sort()).toEqual(['ch-a-dana', 'ch-a-feed', 'ch-a-hook']);
    expect(byChannel.get('ch-a-feed')).toMatchObject({ changed: false, now: { allow: feed.allow, code: feed.code } });
    expect(byChannel.get('ch-a-feed')!.decided).toMatchObject({
      allow: feed.allow,
      decidedAt: new Date('2026-01-01T00:00:00Z'),
    });
    expect(byChannel.get('ch-a-feed')!.decided).not.toHaveProperty('delivery');
    expect(byChannel.get('ch-a-hook')).toMatchObject({ changed: true, channel: 'webhook (redistributes)' });
    expect(byChannel.get('ch-a-dana')).toMatchObject({
      decided: null,
      delivery: null,
      changed: false,
      contact: 'Dana',
    });
  });
});
