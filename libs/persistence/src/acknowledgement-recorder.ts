import { Injectable } from '@nestjs/common';
import { AuditLog } from './audit-log';
import { AcknowledgementRequestEntity } from './entities';
import { AcknowledgementRepository, Acknowledging } from './repositories/acknowledgements.repository';
import { Transactions } from './repositories/transactions';

/**
 * Records an acknowledgement, however it came (feed API, link, signed reply): the first of an
 * organisation stands and stops its escalation, and is audited with who, when and how.
 */
@Injectable()
export class AcknowledgementRecorder {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly requests: AcknowledgementRepository,
  ) {}

  record(
    request: AcknowledgementRequestEntity,
    acknowledging: Acknowledging,
  ): Promise<{ request: AcknowledgementRequestEntity; recorded: boolean }> {
    return this.transactions.run(async (tx) => {
      const result = await this.requests.acknowledge(request.id, acknowledging, tx);
      if (result.recorded)
        await this.audit.append(tx, {
          actor: acknowledging.contactId
            ? `contact:${acknowledging.contactId}`
            : `organisation:${request.organisationId}`,
          action: 'acknowledgement.recorded',
          subjectType: 'item',
          subjectId: request.itemId,
          details: {
            organisationId: request.organisationId,
            deliveryId: acknowledging.deliveryId,
            via: acknowledging.via,
            by: acknowledging.by,
          },
        });
      return result;
    });
  }
}
