import { Module } from '@nestjs/common';
import { SubmissionRecorder } from './submission-recorder';

/** The inbound path's shared steps, for the api and the dispatcher alike (PersistenceModule and the config are global). */
@Module({ providers: [SubmissionRecorder], exports: [SubmissionRecorder] })
export class IntakeModule {}
