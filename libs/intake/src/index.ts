export { SubmissionRecorder } from './submission-recorder';
export type { Recorded, RecordOptions } from './submission-recorder';
export { IntakeModule } from './intake.module';
export { acknowledgementMessage, replyMessage, acknowledgementSubject, replySubject } from './acknowledgement';
export type { SubmissionMessageText, TeamSignature, AcknowledgedSubmission } from './acknowledgement';
