import { PageTitle } from '../../components/common';
import { useMessages } from '../../i18n/i18n';
import { portalMessages } from './messages';
import { ReportComposer } from './ReportComposer';

/** /report-incident: a reporter's report of an incident related to an on-going investigation. */
export function IncidentReportPage() {
  const t = useMessages(portalMessages);
  return (
    <>
      <PageTitle title={t('incidentTitle')} />
      <p className="hint">{t('incidentIntro')}</p>
      <ReportComposer initialKind="investigation-incident" staff={false} />
    </>
  );
}

/** /support-request: a reporter's request for technical support or question. */
export function SupportRequestPage() {
  const t = useMessages(portalMessages);
  return (
    <>
      <PageTitle title={t('supportTitle')} />
      <p className="hint">{t('supportIntro')}</p>
      <ReportComposer initialKind="support-request" staff={false} />
    </>
  );
}

/** /phone-report: an analyst enters a report a caller gave by phone, naming where it came from. */
export function PhoneReportPage() {
  const t = useMessages(portalMessages);
  return (
    <>
      <PageTitle title={t('phoneTitle')} />
      <p className="hint">{t('phoneIntro')}</p>
      <ReportComposer initialKind="investigation-incident" staff />
    </>
  );
}
