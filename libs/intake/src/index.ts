export { SubmissionRecorder } from './submission-recorder';
export type { Recorded, RecordOptions } from './submission-recorder';
export { IntakeModule } from './intake.module';
