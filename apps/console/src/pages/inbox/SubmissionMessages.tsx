import { FormEvent, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { ErrorMessage, Loading, StateBadge } from '../../components/common';
import { Field, fieldProps } from '../../components/Field';
import { useChange, useRead } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { useSession } from '../../session/session';
import { FormProblems, useFocusProblem, useFocusWhen } from './focus';
import { inboxWords, submissionMessages, triageMessages } from './messages';
import type { SubmissionDetail } from './submission-words';
import { Message, placeProblems, replyState } from './triage-rules';

/** While a message waits to be sent (queued, or failed and to be retried), the list is read this often. */
const WAITING_REFRESH_MS = 5_000;

/** What was sent back about it (the acknowledgement, replies) with how far each went, and the reply form. */
export function MessagesSection({ submission }: { submission: SubmissionDetail }) {
  const t = useMessages(submissionMessages);
  const { hasRole } = useSession();
  const messages = useRead(
    ['submission', submission.id, 'messages'],
    () => unwrap(api.GET('/submissions/{id}/messages', { params: { path: { id: submission.id } } })),
    {
      refetchInterval: (query) =>
        query.state.data?.some((message) => message.state === 'queued' || message.state === 'failed')
          ? WAITING_REFRESH_MS
          : false,
    },
  );
  return (
    <section aria-labelledby="submission-messages">
      <h2 id="submission-messages">{t('messagesHeading')}</h2>
      <ErrorMessage error={messages.error} />
      {messages.data ? <MessagesTable messages={messages.data} /> : !messages.error && <Loading />}
      {hasRole('analyst') && <ReplyForm submission={submission} />}
    </section>
  );
}

function MessagesTable({ messages }: { messages: Message[] }) {
  const t = useMessages(submissionMessages);
  const words = useMessages(inboxWords);
  const date = useDateTime();
  if (messages.length === 0) return <p>{t('noMessages')}</p>;
  return (
    <div className="items-scroll">
      <table className="inbox-messages">
        <caption>{t('messagesCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('messageKind')}</th>
            <th scope="col">{t('messageTo')}</th>
            <th scope="col">{t('messageState')}</th>
            <th scope="col">{t('messageAttempts')}</th>
            <th scope="col">{t('messageError')}</th>
            <th scope="col">{t('messageCreated')}</th>
            <th scope="col">{t('messageSent')}</th>
          </tr>
        </thead>
        <tbody>
          {messages.map((message) => (
            <tr key={message.id}>
              <th scope="row">{words(`messageKind.${message.kind}`)}</th>
              <td>
                {message.toName} <span className="mono">&lt;{message.toAddress}&gt;</span>
                <br />
                <span className="hint">{t('encryptedTo', { fingerprint: message.recipientFingerprint })}</span>
              </td>
              <td>
                <StateBadge state={message.state} label={words(`messageState.${message.state}`)} />
              </td>
              <td>{message.attempts}</td>
              <td className="item-last-error">{message.lastError ?? '—'}</td>
              <td className="items-nowrap">{date(message.createdAt)}</td>
              <td className="items-nowrap">{date(message.sentAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A reply to the sender, signed by the team and encrypted to the sender's key: never to an
 * unverified sender, nor once the API said the sender has no e-mail route with a usable key.
 */
function ReplyForm({ submission }: { submission: SubmissionDetail }) {
  const t = useMessages(triageMessages);
  const [body, setBody] = useState('');
  const [missing, setMissing] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const reply = useChange(
    (text: string) =>
      unwrap(api.POST('/submissions/{id}/replies', { params: { path: { id: submission.id } }, body: { body: text } })),
    [['submission', submission.id]],
  );
  const done = useFocusWhen<HTMLParagraphElement>(reply.data);
  useFocusProblem(form, reply.error);
  // 409 names `id`: the sender cannot be replied to (no route, or not verified after all).
  const placed = placeProblems(reply.error instanceof ApiError ? reply.error.details : [], {
    body: ['body'],
    route: ['id'],
  });
  const state = replyState(submission, placed.byField.route ?? null);
  const bodyError = missing ? t('replyRequired') : (placed.byField.body ?? placed.byField.route ?? null);
  const route = submission.replyTo;
  const hint =
    state.refusal === 'unverified'
      ? t('replyUnverified')
      : state.refusal === 'noRoute' || !route
        ? t('replyNoRoute')
        : `${t('replyHint')} ${t('replyGoesTo', { name: route.toName, address: route.toAddress, fingerprint: route.recipientFingerprint })}`;

  function submit(event: FormEvent) {
    event.preventDefault();
    const empty = body.trim() === '';
    setMissing(empty);
    if (empty) form.current?.querySelector<HTMLTextAreaElement>('textarea')?.focus();
    else reply.mutate(body, { onSuccess: () => setBody('') });
  }

  return (
    <form ref={form} className="inbox-form" onSubmit={submit} noValidate aria-labelledby="reply-title">
      <h3 id="reply-title">{t('replyTitle')}</h3>
      <Field id="reply-body" label={t('replyBody')} hint={hint} error={bodyError}>
        <textarea
          {...fieldProps('reply-body', bodyError, true)}
          value={body}
          maxLength={20000}
          disabled={state.refusal !== null}
          onChange={(e) => setBody(e.target.value)}
        />
      </Field>
      <FormProblems error={reply.error} other={placed.other} />
      <div className="toolbar">
        <button type="submit" className="primary" disabled={state.refusal !== null || reply.isPending}>
          {t('replySubmit')}
        </button>
      </div>
      {reply.data && (
        <p role="status" className="notice" ref={done} tabIndex={-1}>
          {t('replyQueued', { name: reply.data.toName, address: reply.data.toAddress })}
        </p>
      )}
    </form>
  );
}
