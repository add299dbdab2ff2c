import { Field, fieldProps } from '../../components/Field';
import { fromLocalInput, useDateTime } from '../../i18n/format';
import { useMessages, usePreferences } from '../../i18n/i18n';
import { AudienceLists, Partner } from './AudiencePicker';
import { TLP_LABELS } from './compose-form';
import { messagesFor } from './field-errors';
import { GroupField } from './LabelPickers';
import { composeMessages } from './messages';
import type { SectionProps } from './ContentFields';

/** The originator of the material, the label it came with, and its written consent to a wider audience. */
export function ProvenanceFields({ form, change, errors, partners }: SectionProps & { partners: Partner[] }) {
  const t = useMessages(composeMessages);
  const originatorError = messagesFor(errors, 'originator');
  const labelError = messagesFor(errors, 'originatorLabel');
  return (
    <>
      <div className="compose-choice">
        <input
          type="checkbox"
          id="compose-derived"
          checked={form.derived}
          onChange={(event) => change({ derived: event.target.checked })}
        />
        <label htmlFor="compose-derived" className="inline">
          {t('derived')}
        </label>
      </div>
      {form.derived && (
        <>
          <div className="row">
            <Field id="compose-originator" label={t('originator')} hint={t('originatorHint')} error={originatorError}>
              <input
                {...fieldProps('compose-originator', originatorError, true)}
                type="text"
                maxLength={200}
                value={form.originator}
                onChange={(event) => change({ originator: event.target.value })}
              />
            </Field>
            <Field id="compose-originator-label" label={t('originatorLabel')} error={labelError}>
              <select
                {...fieldProps('compose-originator-label', labelError)}
                value={form.originatorLabel}
                onChange={(event) => change({ originatorLabel: event.target.value })}
              >
                <option value="">{t('chooseLabel')}</option>
                {TLP_LABELS.map((label) => (
                  <option key={label}>{label}</option>
                ))}
              </select>
            </Field>
          </div>
          <ConsentFields form={form} change={change} errors={errors} partners={partners} />
        </>
      )}
    </>
  );
}

/**
 * The originator's written consent: where it is recorded, and whom it names, chosen apart from the
 * item's audience (the engine lets the item go beyond the originator's label only within it).
 */
function ConsentFields({ form, change, errors, partners }: SectionProps & { partners: Partner[] }) {
  const t = useMessages(composeMessages);
  const referenceError = messagesFor(errors, 'consentReference');
  return (
    <GroupField id="compose-consent" legend={t('consent')} hint={t('consentHint')} className="compose-consent">
      <Field
        id="compose-consent-reference"
        label={t('consentReference')}
        hint={t('consentReferenceHint')}
        error={referenceError}
      >
        <input
          {...fieldProps('compose-consent-reference', referenceError, true)}
          type="text"
          maxLength={500}
          value={form.consentReference}
          onChange={(event) => change({ consentReference: event.target.value })}
        />
      </Field>
      <GroupField
        id="compose-consent-audience"
        legend={t('consentAudience')}
        hint={t('consentAudienceHint')}
        error={messagesFor(errors, 'consentAudience')}
      >
        <AudienceLists
          idPrefix="compose-consent"
          audience={form.consentAudience}
          setAudience={(consentAudience) => change({ consentAudience })}
          errors={{
            communities: messagesFor(errors, 'consentCommunities'),
            organisations: messagesFor(errors, 'consentOrganisations'),
            contacts: messagesFor(errors, 'consentContacts'),
          }}
          partners={partners}
        />
      </GroupField>
    </GroupField>
  );
}

/** The embargo, typed in the user's time zone (named beside the field) and read back as a date. */
export function EmbargoField({ form, change, errors }: SectionProps) {
  const t = useMessages(composeMessages);
  const { timeZone } = usePreferences();
  const date = useDateTime();
  const error = messagesFor(errors, 'releaseAt');
  const instant = form.releaseAt ? fromLocalInput(form.releaseAt, timeZone) : null;
  return (
    <Field id="compose-release-at" label={t('releaseAt')} hint={t('releaseAtHint', { zone: timeZone })} error={error}>
      <div className="compose-embargo">
        <input
          {...fieldProps('compose-release-at', error, true)}
          type="datetime-local"
          value={form.releaseAt}
          onChange={(event) => change({ releaseAt: event.target.value })}
        />
        <span className="compose-zone">{timeZone}</span>
        {form.releaseAt && (
          <button type="button" onClick={() => change({ releaseAt: '' })}>
            {t('clearEmbargo')}
          </button>
        )}
      </div>
      {form.releaseAt && (
        <p className="hint" aria-live="polite">
          {instant ? t('releaseAtIs', { when: date(instant) }) : t('releaseAtUnreadable')}
        </p>
      )}
    </Field>
  );
}
