import { api, Schemas, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { useChange } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { Translate, useMessages } from '../../i18n/i18n';
import { OperationsKey, operationsMessages } from './messages';
import { auditVerdict, AuditVerificationResult, eventsSinceCheckpoint } from './operations-summary';

type AuditVerificationDto = Schemas['AuditVerificationDto'];

function verdictText(t: Translate<OperationsKey>, result: AuditVerificationResult): string {
  const verdict = auditVerdict(result);
  if (verdict.kind === 'intact') return t('intact', { events: verdict.events, checkpoints: verdict.checkpoints });
  const values = { seq: verdict.seq ?? '', reason: verdict.reason, detail: verdict.detail };
  return verdict.seq === null ? t('brokenNoEvent', values) : t('broken', values);
}

function VerificationResult({ result }: { result: AuditVerificationDto }) {
  const t = useMessages(operationsMessages);
  const date = useDateTime();
  const view: AuditVerificationResult = result;
  return (
    <>
      <p className={result.intact ? 'operations-intact' : 'error'}>{verdictText(t, view)}</p>
      <dl className="operations-audit">
        <dt>{t('checked')}</dt>
        <dd>{result.events}</dd>
        <dt>{t('checkpoints')}</dt>
        <dd>{result.checkpoints}</dd>
        <dt>{t('lastCheckpoint')}</dt>
        <dd>
          {result.lastCheckpoint
            ? t('lastCheckpointAt', { seq: result.lastCheckpoint.seq, at: date(result.lastCheckpoint.at) })
            : t('none')}
        </dd>
        <dt>{t('sinceCheckpoint')}</dt>
        <dd>{eventsSinceCheckpoint(view)}</dd>
        <dt>{t('macs')}</dt>
        <dd>{result.macsChecked ? t('yes') : t('no')}</dd>
        <dt>{t('legacy')}</dt>
        <dd>{result.legacyRows}</dd>
      </dl>
    </>
  );
}

/** GET /audit/verify when asked ("Verify now"): it reads the whole trail, so never by itself. */
export function AuditVerification() {
  const t = useMessages(operationsMessages);
  const verify = useChange(() => unwrap(api.GET('/audit/verify')));
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">{t('audit')}</h2>
      <p className="hint">{t('auditHint')}</p>
      <p className="toolbar">
        <button type="button" className="primary" disabled={verify.isPending} onClick={() => verify.mutate(undefined)}>
          {verify.isPending ? t('verifying') : t('verify')}
        </button>
      </p>
      <div role="status" aria-live="polite">
        {verify.data && <VerificationResult result={verify.data} />}
      </div>
      <ErrorMessage error={verify.error} />
    </section>
  );
}
