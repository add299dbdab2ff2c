import type { SubmissionFlag } from '@tlp-broker/domain';
import { StateBadge } from '../../components/common';
import { PapBadge, TlpBadge } from '../../components/labels';
import { useMessages } from '../../i18n/i18n';
import { fieldMessages } from '../items/messages';
import { wordFor } from '../items/words';
import { inboxWords } from './messages';
import { flagsInWords, labelOf, senderLine, Submission, verificationOf } from './submission-words';

/** The sender: the proven organisation (and contact), or what was claimed, marked not verified. */
export function SubmissionSender({ submission }: { submission: Submission }) {
  const words = useMessages(inboxWords);
  const line = senderLine(submission);
  if (line.kind === 'proven')
    return (
      <>
        {line.organisation}
        {line.contact && <> / {line.contact}</>}
      </>
    );
  return (
    <>
      {line.kind === 'claimed' ? <span className="mono">{line.claimed}</span> : words('unknownSender')}{' '}
      <span className="inbox-unverified">({words('notVerified')})</span>
    </>
  );
}

/** Verified, not verified or rejected, in words (the colour only repeats them), with how the sender is known. */
export function Verification({ submission }: { submission: Submission }) {
  const words = useMessages(inboxWords);
  const verification = verificationOf(submission);
  return (
    <>
      <StateBadge state={`submission-${verification}`} label={words(`status.${verification}`)} />
      {verification === 'verified' && (
        <span className="inbox-proof"> {words(`proofMethod.${submission.senderProof}`)}</span>
      )}
    </>
  );
}

/** The TLP and PAP labels; an assumed one says so in words. */
export function SubmissionLabel({ submission }: { submission: Submission }) {
  const words = useMessages(inboxWords);
  const { tlp, pap, assumed } = labelOf(submission);
  if (!tlp) return <>{words('noLabel')}</>;
  return (
    <span className="items-labels">
      <TlpBadge label={tlp} />
      {assumed && <span className="inbox-assumed"> {words('assumed')}</span>} <PapBadge label={pap} />
    </span>
  );
}

/** What an analyst should know before trusting it, in words; "none" when there is nothing. */
export function SubmissionFlags({ flags }: { flags: readonly SubmissionFlag[] }) {
  const words = useMessages(inboxWords);
  const shown = flagsInWords(flags);
  if (shown.length === 0) return <>{words('noFlags')}</>;
  return (
    <ul className="items-plain inbox-flags">
      {shown.map((flag) => (
        <li key={flag}>{words(`flag.${flag}`)}</li>
      ))}
    </ul>
  );
}

/** Where it stands, as its reporter sees it, with why it was closed or the item it is linked to. */
export function SubmissionStatus({ submission }: { submission: Submission }) {
  const words = useMessages(inboxWords);
  const items = useMessages(fieldMessages);
  return (
    <>
      <StateBadge
        state={`report-${submission.reportStatus}`}
        label={words(`reportStatus.${submission.reportStatus}`)}
      />
      {submission.closeReason && <> ({words(`close.${submission.closeReason}`)})</>}
      {submission.itemState && submission.reportStatus !== 'item-published' && (
        <span className="inbox-item-state">
          {' '}
          {words('linkedItem', { state: wordFor(items, 'state', submission.itemState) })}
        </span>
      )}
    </>
  );
}
