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
export {
  decide,
  isDutyRefusal,
  decideAll,
  prepare,
  isEmptyAudience,
  canEncryptTo,
  AMBER_CLIENTS_HANDLING,
  REASON_CODES,
} from './policy';
export type {
  Decision,
  DecisionInput,
  ReasonCode,
  PolicyItem,
  PolicyTeam,
  PolicyOrganisation,
  PolicyContact,
  PolicyChannel,
  PolicyKey,
  PreparedItem,
  Provenance,
  DutyContext,
  Recipient,
} from './policy';
export {
  checkIntake,
  isNationalDefenceSecretCaveat,
  NATIONAL_DEFENCE_SECRET_CAVEATS,
  DEFENCE_SECRET_REFUSAL,
} from './intake';
export type { IntakeItem, IntakeProblem } from './intake';
export { keyWeakness, MIN_RSA_BITS } from './key-strength';
export { readMarkings, strictestTlp, strictestPap } from './markings-in-text';
export type { MarkingsInText } from './markings-in-text';
