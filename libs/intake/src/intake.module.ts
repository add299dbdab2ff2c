import { Module } from '@nestjs/common';
import { AcknowledgementSealer } from './acknowledgement-sealer';
import { SubmissionRecorder } from './submission-recorder';

/** The inbound path's shared steps, for the api and the dispatcher alike (PersistenceModule, CryptoModule and the config are global). */
@Module({
  providers: [SubmissionRecorder, AcknowledgementSealer],
  exports: [SubmissionRecorder, AcknowledgementSealer],
})
export class IntakeModule {}
