import type { Indicator, ItemKind, Severity } from '@tlp-broker/domain';
import {
  clearEvent,
  DeliveredStep,
  indicatorVersionObjects,
  itemObjects,
  itemReference,
  MispEvent,
  MispServing,
  Publisher,
  recalledEvent,
  servedHistory,
  StepView,
  StixObject,
} from '@tlp-broker/stix';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import { ownEvent, ownObjects } from './own-ids';

/** One feed entry applied to an item: a version (with its content) or a recall notice. */
export interface StepRecord {
  readonly deliveryId: string;
  readonly entry: 'item' | 'recall';
  /** The item version (for a recall: the version its feed entry names). */
  readonly version: number;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly severity: Severity | null;
  /** The version's release, or when the recall was issued (ISO 8601). */
  readonly at: string;
  /** Kept after a recall: tools that ingested them are told to delete them. */
  readonly indicators: readonly Indicator[];
  /** Emptied when a recall withdraws the version. */
  title: string;
  summary: string;
  body: string;
  readonly recall?: { readonly cause: 'retracted' | 'withdrawn'; readonly versions: readonly number[] };
}

/** Everything the kit applied of one item, in the order the broker serves it. */
export interface ItemRecord {
  readonly itemId: string;
  readonly kind: ItemKind;
  /** The first release the kit saw: the STIX objects' `created`. */
  readonly createdAt: string;
  readonly steps: StepRecord[];
}

/** What one step adds to the partner's tools: STIX object versions and the item's MISP event as it now stands. */
export interface StepOutputs {
  readonly objects: StixObject[];
  readonly event: MispEvent;
}

/** Steps as the broker orders an item's history: by version, a version's recall after the version. */
export function orderedSteps(steps: readonly StepRecord[]): StepRecord[] {
  return [...steps].sort(
    (a, b) =>
      a.version - b.version || Number(a.entry === 'recall') - Number(b.entry === 'recall') || a.at.localeCompare(b.at),
  );
}

function delivered(step: StepRecord): DeliveredStep {
  return {
    deliveryId: step.deliveryId,
    entry: step.entry,
    version: step.version,
    tlp: step.tlp,
    pap: step.pap,
    severity: step.severity,
    at: new Date(step.at),
    // Every version the kit opened is in the clear on the partner's side.
    clearIndicators: step.entry === 'item' ? step.indicators : [],
  };
}

/**
 * The STIX objects and MISP event one step serves, computed as the broker computes what a
 * TLP:CLEAR history serves (`servedHistory`): indicators dropped by a version are revoked, a recall
 * revokes the report and every indicator, and MISP lists again, deleted, what is withdrawn. They
 * carry ids of the kit's own (see `ownId`).
 */
export function stepOutputs(item: ItemRecord, deliveryId: string, publisher: Publisher): StepOutputs {
  const views = servedHistory(orderedSteps(item.steps).map(delivered));
  const view = views.find((candidate) => candidate.step.deliveryId === deliveryId);
  const step = item.steps.find((candidate) => candidate.deliveryId === deliveryId);
  if (!view || !step) throw new Error(`no step ${deliveryId} in item ${item.itemId}`);
  const createdAt = new Date(item.createdAt);
  const revoked = indicatorVersionObjects(item.itemId, createdAt, view.revoked, publisher);
  const serving: MispServing = {
    timestamp: view.mispTimestamp,
    withdrawn: { indicators: view.withdrawn.indicators, attachments: [] },
  };
  const served: ServedStep = { item, step, view, publisher, revoked, serving };
  const outputs = step.entry === 'item' ? itemStep(served) : recallStep(served);
  return { objects: ownObjects(outputs.objects), event: ownEvent(outputs.event) };
}

/** One step and how the broker's rules serve it: what itemStep and recallStep build from. */
interface ServedStep {
  readonly item: ItemRecord;
  readonly step: StepRecord;
  readonly view: StepView;
  readonly publisher: Publisher;
  /** The indicator versions the step revokes. */
  readonly revoked: StixObject[];
  readonly serving: MispServing;
}

function itemStep({ item, step, view, publisher, revoked, serving }: ServedStep): StepOutputs {
  const content = {
    itemId: item.itemId,
    version: step.version,
    kind: item.kind,
    tlp: step.tlp,
    pap: step.pap,
    title: step.title,
    summary: step.summary,
    body: step.body,
    indicators: view.live.map((live) => live.indicator),
    generation: view.generation,
    createdAt: new Date(item.createdAt),
    modifiedAt: view.modified,
  };
  return {
    objects: [...itemObjects(content, publisher), ...revoked],
    event: clearEvent({ ...content, severity: view.severity }, publisher, serving),
  };
}

/** A recall: the report revoked under the item's reference alone (nothing of the withdrawn content), and every indicator revoked. */
function recallStep({ item, step, view, publisher, revoked, serving }: ServedStep): StepOutputs {
  const named = { itemId: item.itemId, kind: item.kind, tlp: step.tlp, version: view.referenceVersion };
  const [report] = itemObjects(
    {
      ...named,
      pap: null,
      title: itemReference(named),
      summary: '',
      body: `Recalled by ${publisher.name}: delete every copy of this ${item.kind}.`,
      indicators: [],
      generation: view.generation,
      createdAt: new Date(item.createdAt),
      modifiedAt: view.modified,
      revoked: true,
    },
    publisher,
  );
  return {
    objects: [report, ...revoked],
    event: recalledEvent({ ...named, severity: view.severity }, publisher, serving),
  };
}
