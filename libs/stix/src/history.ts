import type { DeliveryKind, Indicator, Severity } from '@tlp-broker/domain';
import type { TlpLabel, PapLabel } from '@tlp-broker/tlp';

/**
 * What one channel was handed of one item, in order: each item version delivered to it and each
 * recall notice. Partners' tools (OpenCTI over TAXII, MISP) keep whatever they ingested until a
 * later version tells them otherwise, so every pull form serves each entry as the change it makes
 * to what the partner already holds, and that needs the whole history, including versions whose
 * feed entries a retraction or a narrowing update has since removed.
 */
export interface DeliveredStep {
  readonly deliveryId: string;
  readonly entry: DeliveryKind;
  readonly version: number;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly severity: Severity | null;
  /** The version's release, or when the recall notice was delivered. */
  readonly at: Date;
  /** The indicators served in the clear: those of a TLP:CLEAR item version; none otherwise. */
  readonly clearIndicators: readonly Indicator[];
}

/** An indicator as STIX serves it: `generation` counts its earlier revocations (a revoked STIX object never comes back). */
export type ServedIndicator = Indicator & { readonly generation: number };

/** One version of one STIX indicator object. */
export interface IndicatorVersion {
  readonly indicator: ServedIndicator;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly validFrom: Date;
  readonly modified: Date;
  readonly revoked: boolean;
}

/** A MISP attachment attribute the channel was served: one per sealed copy or recall notice. */
export interface ServedAttachment {
  readonly deliveryId: string;
  readonly version: number;
  readonly recall: boolean;
}

/** How one step is served. */
export interface StepView {
  readonly step: DeliveredStep;
  /** The STIX `modified` of what this step versions: always later than the step before. */
  readonly modified: Date;
  /** The MISP event timestamp (seconds): always greater than the step before, or MISP would not pull it again. */
  readonly mispTimestamp: number;
  /** How many recalls came before: the report's id changes after each, since a revoked report never comes back. */
  readonly generation: number;
  /** The version a recall names: the latest the channel was sent (never the version it may not have). */
  readonly referenceVersion: number;
  readonly severity: Severity | null;
  /** Indicators served in the clear by this step. */
  readonly live: readonly IndicatorVersion[];
  /**
   * Revoked versions of indicators served in the clear before and not by this step. A recall
   * repeats every revocation since the previous recall, because the item versions that carried
   * them leave the feed with the recall.
   */
  readonly revoked: readonly IndicatorVersion[];
  /** MISP attributes the channel was served before and not by this step: published again as deleted. */
  readonly withdrawn: {
    readonly indicators: readonly Indicator[];
    readonly attachments: readonly ServedAttachment[];
  };
}

const keyOf = (indicator: Indicator) => `${indicator.type}:${indicator.value}`;

/** Serves a channel's history of one item, step by step (steps in delivery order). */
export function servedHistory(steps: readonly DeliveredStep[]): StepView[] {
  const history = new ServedHistory();
  return steps.map((step) => history.serve(step));
}

/** What the channel holds of the item after each step: its indicators, MISP attributes, and the last version. */
class ServedHistory {
  private modified = Number.NEGATIVE_INFINITY;
  private timestamp = Number.NEGATIVE_INFINITY;
  /** Recalls so far. */
  private generation = 0;
  private lastItem: DeliveredStep | null = null;
  private readonly indicators = new Map<string, { generation: number; live: IndicatorVersion | null }>();
  private revokedSinceRecall: IndicatorVersion[] = [];
  private readonly mispIndicators = new Map<string, Indicator>();
  private readonly mispAttachments: ServedAttachment[] = [];

  serve(step: DeliveredStep): StepView {
    // Each step's `modified` and MISP timestamp are later than the step before, even within a millisecond or second.
    this.modified = Math.max(step.at.getTime(), this.modified + 1);
    this.timestamp = Math.max(Math.floor(step.at.getTime() / 1000), this.timestamp + 1);
    const at = new Date(this.modified);
    const clear = step.entry === 'item' ? step.clearIndicators : [];
    const clearKeys = new Set(clear.map(keyOf));
    const revokedHere = this.revokeAllBut(clearKeys, at);
    const live = clear.map((indicator) => this.serveLive(indicator, step, at));
    const referenceVersion = step.entry === 'recall' ? (this.lastItem?.version ?? step.version) : step.version;
    const view: StepView = {
      step,
      modified: at,
      mispTimestamp: this.timestamp,
      generation: this.generation,
      referenceVersion,
      severity: step.entry === 'recall' ? (this.lastItem?.severity ?? null) : step.severity,
      live,
      revoked: this.revocationsServed(step, revokedHere),
      withdrawn: {
        indicators: [...this.mispIndicators].filter(([key]) => !clearKeys.has(key)).map(([, indicator]) => indicator),
        attachments: [...this.mispAttachments],
      },
    };
    this.remember(step, clear, referenceVersion);
    return view;
  }

  /** Revokes every live indicator not among `keep`: a revoked STIX object never comes back, so its next one is a new generation. */
  private revokeAllBut(keep: ReadonlySet<string>, at: Date): IndicatorVersion[] {
    const revoked: IndicatorVersion[] = [];
    for (const [key, state] of this.indicators) {
      if (!state.live || keep.has(key)) continue;
      revoked.push({ ...state.live, modified: at, revoked: true });
      state.live = null;
      state.generation += 1;
    }
    return revoked;
  }

  private serveLive(indicator: Indicator, step: DeliveredStep, at: Date): IndicatorVersion {
    const state = this.indicators.get(keyOf(indicator)) ?? { generation: 0, live: null };
    state.live = {
      indicator: { ...indicator, generation: state.generation },
      tlp: step.tlp,
      pap: step.pap,
      validFrom: at,
      modified: at,
      revoked: false,
    };
    this.indicators.set(keyOf(indicator), state);
    return state.live;
  }

  /** An item version serves its own revocations; a recall repeats every one since the previous recall. */
  private revocationsServed(step: DeliveredStep, revokedHere: IndicatorVersion[]): IndicatorVersion[] {
    if (step.entry !== 'recall') {
      this.revokedSinceRecall.push(...revokedHere);
      return revokedHere;
    }
    const revoked = [...this.revokedSinceRecall, ...revokedHere];
    this.revokedSinceRecall = [];
    return revoked;
  }

  private remember(step: DeliveredStep, clear: readonly Indicator[], referenceVersion: number): void {
    for (const indicator of clear) this.mispIndicators.set(keyOf(indicator), indicator);
    // A TLP:CLEAR version is served in the clear (its indicators as attributes); anything else as an attachment.
    const inClear = step.entry === 'item' && step.tlp === 'TLP:CLEAR';
    if (!inClear)
      this.mispAttachments.push({
        deliveryId: step.deliveryId,
        version: referenceVersion,
        recall: step.entry === 'recall',
      });
    if (step.entry === 'recall') this.generation += 1;
    else this.lastItem = step;
  }
}
