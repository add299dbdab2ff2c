import { parseArgs } from 'node:util';
import { loadAuditKey, loadDatabaseUrl } from '@tlp-broker/config';
import { verifyAudit } from '@tlp-broker/crypto';
import { AuditVerification, createDataSource } from '@tlp-broker/persistence';

/**
 * `tlp-broker audit verify`: the whole audit trail checked from the database (and a copy of the
 * checkpoints kept elsewhere). Exit status 0 when intact, 1 when broken, for scripts and cron.
 */
export async function auditVerify(args: string[], usage: (message: string) => Error): Promise<number> {
  let values: { json?: boolean; checkpoints?: string };
  try {
    ({ values } = parseArgs({ args, options: { json: { type: 'boolean' }, checkpoints: { type: 'string' } } }));
  } catch (error) {
    throw usage(`audit verify: ${error instanceof Error ? error.message : String(error)}`);
  }
  const auditKey = loadAuditKey();
  const dataSource = await createDataSource(loadDatabaseUrl()).initialize();
  let report: AuditVerification;
  try {
    report = await verifyAudit(dataSource, { macKey: auditKey?.key ?? null, checkpointFile: values.checkpoints });
  } finally {
    await dataSource.destroy();
  }
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : readable(report, auditKey?.source ?? null));
  return report.intact ? 0 : 1;
}

function readable(report: AuditVerification, keySource: string | null): string {
  const lines: string[] = [];
  const broken = report.firstBroken;
  lines.push(
    broken
      ? `audit trail BROKEN at ${broken.seq === null ? 'an unreadable checkpoint' : `event ${broken.seq}`} (${broken.reason}): ${broken.detail}`
      : 'audit trail intact',
  );
  lines.push(`  events: ${report.events}${report.head ? ` (the last: event ${report.head.seq})` : ''}`);
  lines.push(
    report.macsChecked
      ? `  MACs: checked with the audit key (from ${keySource})`
      : '  MACs: NOT checked (set AUDIT_KEY or TEAM_KEY_PASSPHRASE as the broker has them): events forged or rewritten after the last checkpoint would go unnoticed',
  );
  if (report.legacyRows > 0)
    lines.push(`  legacy events without a MAC (written before events were authenticated): ${report.legacyRows}`);
  lines.push(
    `  checkpoints checked: ${report.checkpoints}${report.checkpointFile ? ` (audit_checkpoints and ${report.checkpointFile})` : ' (audit_checkpoints)'}`,
  );
  const last = report.lastCheckpoint;
  lines.push(
    last
      ? `  last checkpoint: event ${last.seq} (hash ${last.hash.slice(0, 16)}…) signed ${last.at} by team key ${last.signer}`
      : '  last checkpoint: none',
  );
  return `${lines.join('\n')}\n`;
}
