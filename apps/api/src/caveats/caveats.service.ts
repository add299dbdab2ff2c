import { ConflictException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { DEFENCE_SECRET_REFUSAL, isNationalDefenceSecretCaveat } from '@tlp-broker/tlp';
import { AuditLog, CaveatEntity } from '@tlp-broker/persistence';
import { invalidField } from '../common/errors';
import { StaffPrincipal } from '../auth/principal';

/** The open list of handling caveats items may carry and organisations may be accredited for. */
@Injectable()
export class CaveatsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    @InjectRepository(CaveatEntity) private readonly caveats: Repository<CaveatEntity>,
  ) {}

  list(): Promise<CaveatEntity[]> {
    return this.caveats.find({ order: { name: 'ASC' } });
  }

  async create(name: string, description: string, actor: StaffPrincipal): Promise<CaveatEntity> {
    // However it is spelled ("nat0-secret", "nato--secret"…): a registered caveat is then accepted on items.
    if (isNationalDefenceSecretCaveat(name)) throw invalidField('name', DEFENCE_SECRET_REFUSAL);
    if (await this.caveats.exists({ where: { name } }))
      throw new ConflictException(`the caveat "${name}" already exists`);
    return this.dataSource.transaction(async (manager) => {
      const caveat = await manager
        .getRepository(CaveatEntity)
        .save(manager.getRepository(CaveatEntity).create({ name, description: description.trim() }));
      await this.audit.append(manager, {
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
    if (names.length === 0) return [];
    const known = new Set((await this.caveats.find({ where: { name: In([...names]) } })).map((caveat) => caveat.name));
    return names.filter((name) => !known.has(name));
  }
}
