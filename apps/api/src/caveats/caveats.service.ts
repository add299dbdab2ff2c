import { ConflictException, Injectable } from '@nestjs/common';
import { DEFENCE_SECRET_REFUSAL, isNationalDefenceSecretCaveat } from '@tlp-broker/tlp';
import { AuditLog, CaveatRepository, isUniqueViolation, Transactions } from '@tlp-broker/persistence';
import { invalidField } from '../common/errors';
import { StaffPrincipal } from '../auth/principal';

/** A handling caveat as the API shows it. */
export interface CaveatView {
  name: string;
  description: string;
  createdAt: Date;
}

/** The open list of handling caveats items may carry and organisations may be accredited for. */
@Injectable()
export class CaveatsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly caveats: CaveatRepository,
  ) {}

  list(): Promise<CaveatView[]> {
    return this.caveats.list();
  }

  async create(name: string, description: string, actor: StaffPrincipal): Promise<CaveatView> {
    // However it is spelled ("nat0-secret", "nato--secret"…): a registered caveat is then accepted on items.
    if (isNationalDefenceSecretCaveat(name)) throw invalidField('name', DEFENCE_SECRET_REFUSAL);
    if (await this.caveats.exists(name)) throw new ConflictException(`the caveat "${name}" already exists`);
    return this.transactions.run(async (tx) => {
      const caveat = await this.caveats
        .insert({ name, description: description.trim() }, tx)
        .catch((error: unknown) => {
          // Registered by someone else since the check above.
          throw isUniqueViolation(error) ? new ConflictException(`the caveat "${name}" already exists`) : error;
        });
      await this.audit.append(tx, {
        actor: `user:${actor.userId}`,
        action: 'caveat.created',
        subjectType: 'caveat',
        subjectId: name,
        details: { description: caveat.description },
      });
      return caveat;
    });
  }

  /** The names in `names` that are not registered caveats. */
  async unknown(names: readonly string[]): Promise<string[]> {
    const known = await this.caveats.registered(names);
    return names.filter((name) => !known.has(name));
  }
}
