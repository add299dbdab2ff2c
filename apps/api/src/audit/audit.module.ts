import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

/** Administrators' view of the audit trail: verification and the signed checkpoints. */
@Module({
  controllers: [AuditController],
  providers: [AuditService],
})
export class AuditModule {}
