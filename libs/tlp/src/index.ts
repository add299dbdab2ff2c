export {
  TLP_LABELS,
  PAP_LABELS,
  parseTlpLabel,
  parsePapLabel,
  isTlpLabel,
  tlpRank,
  requiresNamedAudience,
} from './labels';
export type { TlpLabel, PapLabel, LabelParseResult } from './labels';
export { decide, isEmptyAudience, AMBER_CLIENTS_HANDLING } from './policy';
export type {
  Decision,
  DecisionInput,
  ReasonCode,
  Relation,
  PartnerStatus,
  ChannelKind,
  PolicyItem,
  PolicyOrganisation,
  PolicyContact,
  PolicyChannel,
  PolicyKey,
} from './policy';
