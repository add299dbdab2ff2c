export { SubmissionRecorder } from './submission-recorder';
export type { Recorded, RecordOptions } from './submission-recorder';
export { IntakeModule } from './intake.module';
export { AcknowledgementSealer } from './acknowledgement-sealer';
export { acknowledgementMessage, replyMessage, acknowledgementSubject, replySubject } from './acknowledgement';
export type { SubmissionMessageText, TeamSignature, AcknowledgedSubmission } from './acknowledgement';
