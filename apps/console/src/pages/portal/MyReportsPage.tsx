import { api, Schemas, unwrap } from '../../api/client';
import { ErrorMessage, Loading, PageTitle, StateBadge } from '../../components/common';
import { useRead } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { portalMessages } from './messages';
import { kindWords, statusWords } from './report-status';

type ReportStatusView = Schemas['ReportStatusView'];

/** Read again this often: a report's status moves as the team triages it. */
const REFRESH_MS = 30_000;

function ReportsTable({ reports }: { reports: ReportStatusView[] }) {
  const t = useMessages(portalMessages);
  const date = useDateTime();
  return (
    <>
      <p role="status" aria-live="polite">
        {reports.length === 0
          ? t('noReports')
          : reports.length === 1
            ? t('countOne')
            : t('countMany', { count: reports.length })}
      </p>
      {reports.length > 0 && (
        <table className="portal-reports">
          <caption>{t('reportsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('reference')}</th>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('title')}</th>
              <th scope="col">{t('received')}</th>
              <th scope="col">{t('status')}</th>
            </tr>
          </thead>
          <tbody>
            {reports.map((report) => (
              <tr key={report.reference}>
                <th scope="row" className="mono">
                  {report.reference}
                </th>
                <td>{kindWords(t, report)}</td>
                <td>{report.title ?? t('untitled')}</td>
                <td>{date(report.receivedAt)}</td>
                <td>
                  <StateBadge state={`report-${report.status}`} label={statusWords(t, report)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** /reports: the reporter's own reports and where each stands (GET /reports answers with the sender's own only). */
export function MyReportsPage() {
  const t = useMessages(portalMessages);
  const reports = useRead(['reports'], () => unwrap(api.GET('/reports')), { refetchInterval: REFRESH_MS });
  return (
    <>
      <PageTitle title={t('myReports')} />
      <p className="hint">{t('myReportsIntro')}</p>
      <ErrorMessage error={reports.error} />
      {reports.isPending ? <Loading /> : reports.data && <ReportsTable reports={reports.data} />}
    </>
  );
}
