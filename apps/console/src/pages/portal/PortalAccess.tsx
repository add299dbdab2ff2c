import { FormEvent, useEffect, useRef, useState } from 'react';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { Field, fieldProps } from '../../components/Field';
import { useChange, useRead } from '../../components/useApi';
import { useMessages } from '../../i18n/i18n';
import { portalAccessMessages } from './messages';

type ContactView = Schemas['ContactView'];
type PortalAccountView = Schemas['PortalAccountView'];

/** The heading of the contacts table's portal column. */
export function PortalColumnTitle() {
  const t = useMessages(portalAccessMessages);
  return <>{t('column')}</>;
}

const accountKey = (contactId: string) => ['portal-account', contactId] as const;

/** The contact's portal account, or null when it has none (the API answers 404). */
async function readAccount(organisationId: string, contactId: string): Promise<PortalAccountView | null> {
  try {
    return await unwrap(
      api.GET('/organisations/{id}/contacts/{contactId}/portal-account', {
        params: { path: { id: organisationId, contactId } },
      }),
    );
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

function AccountState({ account }: { account: PortalAccountView }) {
  const t = useMessages(portalAccessMessages);
  return (
    <>
      {t('account', { name: account.name })} ({account.totpEnrolled ? t('enrolled') : t('notEnrolled')}
      {account.status === 'suspended' ? `, ${t('suspended')}` : ''})
    </>
  );
}

interface FormProps {
  organisationId: string;
  contact: ContactView;
  onCreated(account: PortalAccountView): void;
  onCancel(): void;
}

/** POST …/portal-account: the reporter's sign-in name and first password. */
function PortalAccountForm({ organisationId, contact, onCreated, onCancel }: FormProps) {
  const t = useMessages(portalAccessMessages);
  const [name, setName] = useState(() => contact.email.split('@')[0]);
  const [password, setPassword] = useState('');
  const nameField = useRef<HTMLInputElement>(null);
  useEffect(() => nameField.current?.focus(), []);
  const create = useChange(
    (body: Schemas['PortalAccountDto']) =>
      unwrap(
        api.POST('/organisations/{id}/contacts/{contactId}/portal-account', {
          params: { path: { id: organisationId, contactId: contact.id } },
          body,
        }),
      ),
    [accountKey(contact.id)],
  );
  const refused = create.error instanceof ApiError ? create.error : null;
  const problem = (field: string) => refused?.forField(field) ?? null;
  const nameId = `portal-name-${contact.id}`;
  const passwordId = `portal-password-${contact.id}`;
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name, password }, { onSuccess: onCreated });
  }
  return (
    <form className="portal-access-form" onSubmit={submit} noValidate aria-labelledby={`${nameId}-title`}>
      <p id={`${nameId}-title`} className="portal-access-title">
        {t('formTitle', { name: contact.name })}
      </p>
      {!problem('name') && !problem('password') && <ErrorMessage error={create.error} />}
      <Field id={nameId} label={t('name')} error={problem('name')}>
        <input
          {...fieldProps(nameId, problem('name'))}
          ref={nameField}
          autoComplete="off"
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </Field>
      <Field
        id={passwordId}
        label={t('password')}
        hint={t('passwordHint', { name: contact.name })}
        error={problem('password')}
      >
        <input
          {...fieldProps(passwordId, problem('password'), true)}
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </Field>
      <p className="toolbar">
        <button type="submit" className="primary" disabled={create.isPending}>
          {t('create')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </p>
    </form>
  );
}

/**
 * A contact's portal account on the organisation page (administrators): whether it has one, and
 * "Give portal access" to create it.
 */
export function PortalAccess({ organisationId, contact }: { organisationId: string; contact: ContactView }) {
  const t = useMessages(portalAccessMessages);
  const account = useRead(accountKey(contact.id), () => readAccount(organisationId, contact.id));
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<PortalAccountView | null>(null);
  const giveButton = useRef<HTMLButtonElement>(null);
  const createdNotice = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (created) createdNotice.current?.focus();
  }, [created]);
  if (account.error) return <ErrorMessage error={account.error} />;
  // Until the account is read again, the one just created stands for it.
  const shown = account.data ?? created;
  if (shown)
    return (
      <>
        <AccountState account={shown} />
        {created && (
          <p role="status" className="notice" ref={createdNotice} tabIndex={-1}>
            {t('created', { contact: contact.name, name: created.name })}
          </p>
        )}
      </>
    );
  if (account.data === undefined) return null;
  if (open)
    return (
      <PortalAccountForm
        organisationId={organisationId}
        contact={contact}
        onCreated={(made) => {
          setCreated(made);
          setOpen(false);
        }}
        onCancel={() => {
          setOpen(false);
          window.requestAnimationFrame(() => giveButton.current?.focus());
        }}
      />
    );
  return (
    <>
      {t('none')}{' '}
      {contact.status === 'active' && (
        <button type="button" ref={giveButton} onClick={() => setOpen(true)}>
          {t('give')}
          <span className="visually-hidden"> ({contact.name})</span>
        </button>
      )}
    </>
  );
}
