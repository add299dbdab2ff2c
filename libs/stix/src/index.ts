export { checkIndicator, stixPattern, mispAttributeType } from './indicators';
export { TLP_MARKINGS, PAP_MARKINGS, TLP_EXTENSION, PAP_EXTENSION, markingRefs } from './markings';
export type { MarkingDefinition } from './markings';
export {
  STIX_NAMESPACE,
  identity,
  identityId,
  itemStixId,
  indicatorId,
  artifactId,
  itemReference,
  itemObjects,
  indicatorVersionObjects,
  sealedObjects,
  bundle,
} from './stix';
export type { StixObject, Bundle, Publisher, ItemContent, SealedCopy } from './stix';
export {
  MISP_DISTRIBUTION,
  mispEventUuid,
  clearEvent,
  sealedEvent,
  recalledEvent,
  manifestEntry,
  hashLines,
} from './misp';
export type { MispEvent, MispAttribute, MispTag, MispManifestEntry, MispServing } from './misp';
export { servedHistory } from './history';
export { stixSchemaErrors, stixSchemaDirectory } from './stix-validator';
export { readStixObjects, readMispEvent } from './incoming';
export type { StixReading, MispReading } from './incoming';
export type { DeliveredStep, StepView, IndicatorVersion, ServedIndicator, ServedAttachment } from './history';
export {
  TAXII_MEDIA_TYPE,
  STIX_MEDIA_TYPE,
  TaxiiQueryError,
  taxiiTimestamp,
  acceptsTaxii,
  parseTaxiiQuery,
  checkTimestampsExist,
  selectRecords,
  pageOfRecords,
  byVersion,
} from './taxii';
export type { TaxiiQuery, Page, TaxiiRecord } from './taxii';
