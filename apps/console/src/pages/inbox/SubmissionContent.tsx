import { useDateTime } from '../../i18n/format';
import { useMessages, usePreferences } from '../../i18n/i18n';
import { inboxWords, submissionMessages } from './messages';
import { reportValues, ReportValue } from './report-fields';
import { attachmentHref, formatBytes, SubmissionDetail } from './submission-words';

/**
 * What it says, as plain text: whatever came in (a decrypted e-mail, HTML already reduced to text,
 * a STIX bundle's description) is never rendered as HTML or Markdown. A form's fields follow.
 */
export function ContentSection({ submission }: { submission: SubmissionDetail }) {
  const t = useMessages(submissionMessages);
  const values = reportValues(submission.report);
  return (
    <section aria-labelledby="submission-content">
      <h2 id="submission-content">{t('contentHeading')}</h2>
      {submission.content === null ? (
        <p>{t('noContent')}</p>
      ) : (
        <pre className="item-body inbox-content" tabIndex={0} role="region" aria-label={t('contentLabel')}>
          {submission.content}
        </pre>
      )}
      {values.length > 0 && (
        <>
          <h3>{t('reportHeading')}</h3>
          <dl className="item-version-fields inbox-facts">
            {values.map((value) => (
              <ReportEntry key={value.field} value={value} />
            ))}
          </dl>
        </>
      )}
    </section>
  );
}

function ReportEntry({ value }: { value: ReportValue }) {
  const t = useMessages(submissionMessages);
  const words = useMessages(inboxWords);
  const date = useDateTime();
  const known = (word: string) => (word in inboxWords.en ? words(word as keyof typeof inboxWords.en) : word);
  return (
    <>
      <dt>{t(`report.${value.field}`)}</dt>
      <dd>
        {value.kind === 'text' && value.text}
        {value.kind === 'time' && date(value.iso)}
        {value.kind === 'word' && known(value.word)}
        {value.kind === 'list' && (
          <ul className="items-plain">
            {value.items.map((item, index) => (
              <li key={index} className="mono">
                {item}
              </li>
            ))}
          </ul>
        )}
      </dd>
    </>
  );
}

/** The observables found in it (refanged, as the broker stores them): text to copy, never links. */
export function IndicatorsSection({ submission }: { submission: SubmissionDetail }) {
  const t = useMessages(submissionMessages);
  const words = useMessages(inboxWords);
  return (
    <section aria-labelledby="submission-indicators">
      <h2 id="submission-indicators">{t('indicatorsHeading')}</h2>
      {submission.indicators.length === 0 ? (
        <p>{t('noIndicators')}</p>
      ) : (
        <div className="items-scroll">
          <table className="inbox-indicators">
            <caption>{t('indicatorsCaption', { count: submission.indicators.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('indicatorType')}</th>
                <th scope="col">{t('indicatorValue')}</th>
              </tr>
            </thead>
            <tbody>
              {submission.indicators.map((indicator, index) => (
                <tr key={`${indicator.type}:${indicator.value}:${index}`}>
                  <th scope="row">{words(`indicator.${indicator.type}`)}</th>
                  <td>
                    <code>{indicator.value}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The files that came with it: described, with a link to download each; none is ever shown in the page. */
export function AttachmentsSection({ submission }: { submission: SubmissionDetail }) {
  const t = useMessages(submissionMessages);
  return (
    <section aria-labelledby="submission-attachments">
      <h2 id="submission-attachments">{t('attachmentsHeading')}</h2>
      {submission.flags.includes('attachments-dropped') && <p className="warning">{t('attachmentsDropped')}</p>}
      {submission.attachments.length === 0 ? (
        <p>{t('noAttachments')}</p>
      ) : (
        <AttachmentsTable submissionId={submission.id} attachments={submission.attachments} />
      )}
    </section>
  );
}

export function AttachmentsTable(props: { submissionId: string; attachments: SubmissionDetail['attachments'] }) {
  const t = useMessages(submissionMessages);
  const { language } = usePreferences();
  return (
    <div className="items-scroll">
      <table className="inbox-attachments">
        <caption>{t('attachmentsCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('filename')}</th>
            <th scope="col">{t('mediaType')}</th>
            <th scope="col">{t('size')}</th>
            <th scope="col">{t('sha256')}</th>
            <th scope="col">{t('download')}</th>
          </tr>
        </thead>
        <tbody>
          {props.attachments.map((attachment) => (
            <tr key={attachment.id}>
              <th scope="row" className="mono">
                {attachment.filename}
              </th>
              <td className="mono">{attachment.mediaType}</td>
              <td className="items-nowrap">{formatBytes(attachment.sizeBytes, language)}</td>
              <td className="mono inbox-digest">{attachment.sha256}</td>
              <td>
                <a
                  href={attachmentHref(props.submissionId, attachment.id)}
                  download
                  aria-label={t('downloadFile', { filename: attachment.filename })}
                >
                  {t('download')}
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
