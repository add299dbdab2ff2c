import { Link } from 'react-router-dom';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { inboxMessages, inboxWords } from './messages';
import { SubmissionFlags, SubmissionLabel, SubmissionSender, SubmissionStatus, Verification } from './parts';
import type { Submission } from './submission-words';

/** The inbox's entries: one row each, its reference (or, rejected, its time) heading the row. */
export function InboxTable({ submissions, limit }: { submissions: Submission[]; limit: number }) {
  const t = useMessages(inboxMessages);
  return (
    <>
      <p className="items-count">
        {submissions.length === 0
          ? t('noneFound')
          : submissions.length === 1
            ? t('countOne')
            : t('countMany', { count: submissions.length })}
      </p>
      {submissions.length >= limit && <p className="hint">{t('limited', { limit })}</p>}
      {submissions.length > 0 && (
        <div className="items-scroll">
          <table className="inbox-table">
            <caption>{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('reference')}</th>
                <th scope="col">{t('received')}</th>
                <th scope="col">{t('source')}</th>
                <th scope="col">{t('sender')}</th>
                <th scope="col">{t('verification')}</th>
                <th scope="col">{t('label')}</th>
                <th scope="col">{t('titleColumn')}</th>
                <th scope="col">{t('flags')}</th>
                <th scope="col">{t('contents')}</th>
                <th scope="col">{t('status')}</th>
              </tr>
            </thead>
            <tbody>
              {submissions.map((submission) => (
                <InboxRow key={submission.id} submission={submission} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function InboxRow({ submission }: { submission: Submission }) {
  const t = useMessages(inboxMessages);
  const words = useMessages(inboxWords);
  const date = useDateTime();
  return (
    <tr className={submission.triageState === 'received' ? 'inbox-new' : undefined}>
      <th scope="row">
        <Link to={`/inbox/${submission.id}`}>{submission.reference ?? t('noReference')}</Link>
      </th>
      <td className="items-nowrap">{date(submission.receivedAt)}</td>
      <td>{words(`source.${submission.source}`)}</td>
      <td>
        <SubmissionSender submission={submission} />
      </td>
      <td>
        <Verification submission={submission} />
      </td>
      <td>
        <SubmissionLabel submission={submission} />
      </td>
      <td>{submission.title ?? words('noTitle')}</td>
      <td>
        <SubmissionFlags flags={submission.flags} />
      </td>
      <td className="items-nowrap">
        {submission.indicatorCount === 1
          ? words('indicatorsOne')
          : words('indicatorsMany', { count: submission.indicatorCount })}
        <br />
        {submission.attachmentCount === 1
          ? words('attachmentsOne')
          : words('attachmentsMany', { count: submission.attachmentCount })}
      </td>
      <td>
        <SubmissionStatus submission={submission} />
      </td>
    </tr>
  );
}
