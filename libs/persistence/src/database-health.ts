import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Whether PostgreSQL answers, for the processes' readiness checks. */
@Injectable()
export class DatabaseHealth {
  constructor(private readonly dataSource: DataSource) {}

  /** A trivial query over the pool: resolves when PostgreSQL answered it. */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
