import { Link } from 'react-router-dom';
import { api, Schemas, unwrap } from '../../api/client';
import { ErrorMessage, Loading, PageTitle } from '../../components/common';
import { useRead } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { bySoonestExpiry, keyHealth, needsRenewal } from './key-health';
import { Fingerprint, healthText, useNow, usePartnersMessages } from './partner-parts';
import { PartnersNav } from './PartnersNav';
import { readableAlgorithm } from './key-algorithm';

type KeyReportRow = Schemas['KeyReportRow'];

function RenewalRow({ row, now }: { row: KeyReportRow; now: number }) {
  const t = usePartnersMessages();
  const date = useDateTime();
  const health = keyHealth(row, now);
  const flagged = needsRenewal(health);
  return (
    <tr className={flagged ? 'partners-renewal-flagged' : undefined}>
      <th scope="row">
        <Link to={`/partners/${row.organisationId}`}>{row.organisation}</Link>
      </th>
      <td>{row.contact ?? '—'}</td>
      <td>
        <Fingerprint value={row.fingerprint} />
      </td>
      <td title={row.algorithm}>{readableAlgorithm(row.algorithm)}</td>
      <td>{row.expiresAt ? date(row.expiresAt) : t('noExpiry')}</td>
      <td>
        <span className={flagged ? 'warning' : undefined}>{healthText(t, health)}</span>
      </td>
    </tr>
  );
}

/** GET /keys: every key in use, soonest expiry first, those to renew flagged in words. */
export function KeyRenewal() {
  const t = usePartnersMessages();
  const now = useNow();
  const report = useRead(['keys'], () => unwrap(api.GET('/keys')));
  const rows = bySoonestExpiry(report.data ?? []);
  const flagged = rows.filter((row) => needsRenewal(keyHealth(row, now))).length;
  return (
    <>
      <PageTitle title={t('keyRenewal')} />
      <PartnersNav />
      <ErrorMessage error={report.error} />
      {report.isPending && <Loading />}
      {report.data && (
        <>
          <p className={flagged > 0 ? 'warning' : 'hint'}>
            {flagged === 1 ? t('renewalSummaryOne') : t('renewalSummary', { count: flagged })}
          </p>
          {rows.length === 0 ? (
            <p>{t('noKeys')}</p>
          ) : (
            <table className="partners-renewal">
              <caption>{t('renewalCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('organisation')}</th>
                  <th scope="col">{t('contact')}</th>
                  <th scope="col">{t('fingerprintHeader')}</th>
                  <th scope="col">{t('algorithm')}</th>
                  <th scope="col">{t('expires')}</th>
                  <th scope="col">{t('state')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <RenewalRow key={`${row.fingerprint}-${row.contactId ?? row.organisationId}`} row={row} now={now} />
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}
