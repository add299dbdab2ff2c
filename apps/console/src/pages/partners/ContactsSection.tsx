import { FormEvent, useState } from 'react';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { Field, fieldProps } from '../../components/Field';
import { useChange } from '../../components/useApi';
import { PortalAccess, PortalColumnTitle } from '../portal/PortalAccess';
import { OneTimeSecret } from './OneTimeSecret';
import { Fingerprint, KeyExpiry, PartnerStatus, useNow, usePartnersMessages, word } from './partner-parts';
import { KeyFields, ScopeChoice } from './RegisterOrganisation';
import { contactBody, ContactForm, emptyContact, oneTimeValues } from './registration-form';

type OrganisationView = Schemas['OrganisationView'];
type ContactView = Schemas['ContactView'];

function ContactStatusButton({ organisationId, contact }: { organisationId: string; contact: ContactView }) {
  const t = usePartnersMessages();
  const change = useChange(
    (status: 'active' | 'suspended') =>
      unwrap(
        api.PATCH('/organisations/{id}/contacts/{contactId}', {
          params: { path: { id: organisationId, contactId: contact.id } },
          body: { status },
        }),
      ),
    [['organisations'], ['keys']],
  );
  const suspended = contact.status === 'suspended';
  return (
    <>
      <button
        type="button"
        disabled={change.isPending}
        onClick={() => change.mutate(suspended ? 'active' : 'suspended')}
      >
        {suspended ? t('reinstate') : t('suspend')}
        <span className="visually-hidden"> {contact.name}</span>
      </button>
      <ErrorMessage error={change.error} />
    </>
  );
}

/** POST /organisations/{id}/contacts: a named person with a personal key and a personal pull feed. */
function AddContact(props: {
  organisation: OrganisationView;
  onAdded: (contact: ContactView) => void;
  onCancel: () => void;
}) {
  const { organisation, onAdded } = props;
  const t = usePartnersMessages();
  const [form, setForm] = useState<ContactForm>(emptyContact);
  const set = (change: Partial<ContactForm>) => setForm((current) => ({ ...current, ...change }));
  const add = useChange(
    (body: ContactForm) =>
      unwrap(
        api.POST('/organisations/{id}/contacts', {
          params: { path: { id: organisation.id } },
          body: contactBody(body),
        }),
      ),
    [['organisations'], ['keys']],
  );
  const error = add.error instanceof ApiError ? add.error : null;
  const problem = (field: string) => error?.forField(field) ?? null;

  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate(form, {
      onSuccess: (contact) => {
        setForm(emptyContact());
        onAdded(contact);
      },
    });
  }

  return (
    <form className="partners-form" onSubmit={submit} aria-labelledby="add-contact-title" noValidate>
      <h3 id="add-contact-title">{t('addContactTitle')}</h3>
      <ErrorMessage error={add.error} />
      <div className="row">
        <Field id="contact-name" label={t('name')} error={problem('name')}>
          <input
            {...fieldProps('contact-name', problem('name'))}
            required
            value={form.name}
            onChange={(e) => set({ name: e.target.value })}
          />
        </Field>
        <Field id="contact-email" label={t('email')} error={problem('email')}>
          <input
            {...fieldProps('contact-email', problem('email'))}
            type="email"
            required
            value={form.email}
            onChange={(e) => set({ email: e.target.value })}
          />
        </Field>
      </div>
      <KeyFields
        id="contact"
        publicKey={form.publicKey}
        fingerprint={form.fingerprint}
        hint={t('contactKeyHint')}
        onChange={(change) => set(change)}
        error={error}
      />
      <ScopeChoice
        id="contact-scopes"
        scopes={form.scopes}
        error={problem('scopes')}
        onChange={(scopes) => set({ scopes })}
      />
      <p className="toolbar">
        <button type="submit" className="primary" disabled={add.isPending}>
          {t('addContactSubmit')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('cancel')}
        </button>
      </p>
    </form>
  );
}

function ContactAdded({ contact, onDone }: { contact: ContactView; onDone: () => void }) {
  const t = usePartnersMessages();
  return (
    <div>
      <p role="status" className="notice">
        {t('contactAdded', { name: contact.name })}
      </p>
      {oneTimeValues(contact.channels).map((value) => (
        <OneTimeSecret
          key={`${value.channelId}-${value.what}`}
          label={t('newKeyFor', {
            channel: t('personalFeed', { name: contact.name }),
            scopes: value.scopes.map((s) => word(t, 'scope', s)).join(', '),
          })}
          value={value.value}
          onDone={onDone}
        />
      ))}
    </div>
  );
}

/** The organisation's named people; administrators add them and suspend or reinstate them. */
export function ContactsSection({ organisation, isAdmin }: { organisation: OrganisationView; isAdmin: boolean }) {
  const t = usePartnersMessages();
  const now = useNow();
  const [added, setAdded] = useState<ContactView | null>(null);
  const [adding, setAdding] = useState(false);
  return (
    <section aria-labelledby="contacts-title">
      <h2 id="contacts-title">{t('contacts')}</h2>
      {organisation.contacts.length === 0 ? (
        <p>{t('noContacts')}</p>
      ) : (
        <table>
          <caption>{t('contactsCaption', { name: organisation.name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('name')}</th>
              <th scope="col">{t('email')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col">{t('key')}</th>
              <th scope="col">{t('keyExpiry')}</th>
              {isAdmin && (
                <th scope="col">
                  <PortalColumnTitle />
                </th>
              )}
              {isAdmin && <th scope="col">{t('actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {organisation.contacts.map((contact) => (
              <tr key={contact.id}>
                <th scope="row">{contact.name}</th>
                <td>{contact.email}</td>
                <td>
                  <PartnerStatus status={contact.status} />
                </td>
                <td>
                  <Fingerprint value={contact.key?.fingerprint} />
                </td>
                <td>
                  <KeyExpiry dates={contact.key} now={now} />
                </td>
                {isAdmin && (
                  <td>
                    <PortalAccess organisationId={organisation.id} contact={contact} />
                  </td>
                )}
                {isAdmin && (
                  <td>
                    <ContactStatusButton organisationId={organisation.id} contact={contact} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {added && <ContactAdded contact={added} onDone={() => setAdded(null)} />}
      {isAdmin &&
        (adding ? (
          <AddContact
            organisation={organisation}
            onCancel={() => setAdding(false)}
            onAdded={(contact) => {
              setAdding(false);
              setAdded(contact);
            }}
          />
        ) : (
          <p className="toolbar">
            <button type="button" onClick={() => setAdding(true)}>
              {t('addContact')}
            </button>
          </p>
        ))}
    </section>
  );
}
