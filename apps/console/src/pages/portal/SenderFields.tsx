import { api, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { Field, fieldProps } from '../../components/Field';
import { useRead } from '../../components/useApi';
import { useMessages } from '../../i18n/i18n';
import { portalMessages } from './messages';
import { callingContacts, reportingOrganisations } from './report-form';
import { controlId, FieldsProps } from './ReportFields';

/** A report taken by phone: the organisation it came from and, when known, the contact who called. */
export function SenderFields({ form, set, problem }: FieldsProps) {
  const t = useMessages(portalMessages);
  const organisations = useRead(['organisations'], () => unwrap(api.GET('/organisations')), { staleTime: 60_000 });
  const listed = reportingOrganisations(organisations.data ?? []);
  const contacts = callingContacts(listed.find((organisation) => organisation.id === form.organisationId));
  const organisationId = controlId('organisationId');
  const contactId = controlId('contactId');
  return (
    <>
      <ErrorMessage error={organisations.error} />
      <div className="row">
        <Field id={organisationId} label={t('organisationId')} error={problem('organisationId')}>
          <select
            {...fieldProps(organisationId, problem('organisationId'))}
            value={form.organisationId}
            onChange={(event) => set({ organisationId: event.target.value, contactId: '' })}
          >
            <option value="">{t('chooseOrganisation')}</option>
            {listed.map((organisation) => (
              <option key={organisation.id} value={organisation.id}>
                {organisation.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id={contactId} label={`${t('contactId')} ${t('optional')}`} error={problem('contactId')}>
          <select
            {...fieldProps(contactId, problem('contactId'))}
            value={form.contactId}
            disabled={contacts.length === 0}
            onChange={(event) => set({ contactId: event.target.value })}
          >
            <option value="">{t('noContact')}</option>
            {contacts.map((contact) => (
              <option key={contact.id} value={contact.id}>
                {contact.name} ({contact.email})
              </option>
            ))}
          </select>
        </Field>
      </div>
    </>
  );
}
