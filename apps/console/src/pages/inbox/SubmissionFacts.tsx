import { PapBadge, TlpBadge } from '../../components/labels';
import { useDateTime } from '../../i18n/format';
import { useMessages, usePreferences } from '../../i18n/i18n';
import { useSession } from '../../session/session';
import { ConfirmLabel } from './ConfirmLabel';
import { inboxWords, submissionMessages } from './messages';
import { SubmissionFlags, SubmissionSender, Verification } from './parts';
import { AuditEvent, enteredByName, formatBytes, labelOf, proofSentence, SubmissionDetail } from './submission-words';
import { triageSteps } from './triage-rules';

/** Who sent it, how that is known, the `From:` as written (never taken as the sender), and how it arrived. */
export function SenderSection({ submission, audit }: { submission: SubmissionDetail; audit?: AuditEvent[] }) {
  const t = useMessages(submissionMessages);
  const words = useMessages(inboxWords);
  const date = useDateTime();
  const { language } = usePreferences();
  const proof = proofSentence(submission, audit ? enteredByName(audit) : null);
  const mismatch = submission.flags.includes('from-mismatch');
  return (
    <section aria-labelledby="submission-sender">
      <h2 id="submission-sender">{t('senderHeading')}</h2>
      <dl className="item-version-fields inbox-facts">
        <dt>{t('sender')}</dt>
        <dd>
          <SubmissionSender submission={submission} />
        </dd>
        <dt>{t('verification')}</dt>
        <dd>
          <Verification submission={submission} />
        </dd>
        <dt>{t('howKnown')}</dt>
        <dd>{words(proof.key, proof.values)}</dd>
        {submission.signerFingerprint && (
          <>
            <dt>{t('signingKey')}</dt>
            <dd className="mono">{submission.signerFingerprint}</dd>
          </>
        )}
        {submission.fromAddress && (
          <>
            <dt>{t('fromAddress')}</dt>
            <dd>
              <span className="mono">{submission.fromAddress}</span>
              {mismatch && <p className="warning inbox-warning">{t('fromMismatch')}</p>}
            </dd>
          </>
        )}
        {submission.source === 'email' && (
          <>
            <dt>{t('encryption')}</dt>
            <dd>{submission.encrypted ? t('encrypted') : t('notEncrypted')}</dd>
          </>
        )}
        <dt>{t('flags')}</dt>
        <dd>
          <SubmissionFlags flags={submission.flags} />
        </dd>
        <dt>{t('receivedAt')}</dt>
        <dd>{date(submission.receivedAt)}</dd>
        <dt>{t('size')}</dt>
        <dd>
          {t('sizes', {
            kept: formatBytes(submission.sizeBytes, language),
            received: formatBytes(submission.rawSizeBytes, language),
          })}
        </dd>
        {submission.messageId && (
          <>
            <dt>{t('messageId')}</dt>
            <dd className="mono">{submission.messageId}</dd>
          </>
        )}
        {submission.externalId && (
          <>
            <dt>{t('externalId')}</dt>
            <dd className="mono">{submission.externalId}</dd>
          </>
        )}
      </dl>
    </section>
  );
}

/** Its label and PAP (an assumed label said so), the sender's consent to share wider, and the form to confirm the label. */
export function LabelSection({ submission }: { submission: SubmissionDetail }) {
  const t = useMessages(submissionMessages);
  const words = useMessages(inboxWords);
  const { hasRole } = useSession();
  const { tlp, pap, assumed } = labelOf(submission);
  const consent = submission.consent;
  const refusal = triageSteps(submission).label;
  return (
    <section aria-labelledby="submission-label">
      <h2 id="submission-label">{t('labelHeading')}</h2>
      <dl className="item-version-fields inbox-facts">
        <dt>{t('tlp')}</dt>
        <dd>
          {tlp ? <TlpBadge label={tlp} /> : words('noLabel')}
          {assumed && <span className="inbox-assumed"> {words('assumed')}</span>}
          {assumed && <p className="warning inbox-warning">{t('assumedWarning')}</p>}
        </dd>
        <dt>{t('pap')}</dt>
        <dd>{pap ? <PapBadge label={pap} /> : t('noPap')}</dd>
        <dt>{t('consent')}</dt>
        <dd>
          {consent
            ? t('consentGiven', {
                reference: consent.reference,
                communities: consent.audience.communities.length,
                organisations: consent.audience.organisations.length,
                contacts: consent.audience.contacts.length,
              })
            : t('noConsent')}
        </dd>
      </dl>
      {hasRole('analyst') && refusal === null && <ConfirmLabel submission={submission} />}
    </section>
  );
}
