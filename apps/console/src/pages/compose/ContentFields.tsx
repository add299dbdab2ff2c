import { Field, fieldProps } from '../../components/Field';
import { useMessages } from '../../i18n/i18n';
import { ComposeForm, ITEM_KINDS, SEVERITIES } from './compose-form';
import { FormErrors, messagesFor } from './field-errors';
import { composeMessages } from './messages';

export interface SectionProps {
  form: ComposeForm;
  change(patch: Partial<ComposeForm>): void;
  errors: FormErrors;
}

/** Type, title, summary and severity. */
export function ContentFields({ form, change, errors, update }: SectionProps & { update: boolean }) {
  const t = useMessages(composeMessages);
  const error = (field: Parameters<typeof messagesFor>[1]) => messagesFor(errors, field);
  return (
    <>
      <div className="row">
        <Field id="compose-type" label={t('type')} hint={update ? t('typeKept') : undefined} error={error('type')}>
          <select
            {...fieldProps('compose-type', error('type'), update)}
            value={form.type}
            disabled={update}
            onChange={(event) => change({ type: event.target.value })}
          >
            {ITEM_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`kind_${kind}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="compose-severity" label={t('severity')} error={error('severity')}>
          <select
            {...fieldProps('compose-severity', error('severity'))}
            value={form.severity}
            onChange={(event) => change({ severity: event.target.value })}
          >
            <option value="">{t('severityNone')}</option>
            {SEVERITIES.map((severity) => (
              <option key={severity} value={severity}>
                {t(`severity_${severity}`)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field id="compose-title" label={t('title')} error={error('title')}>
        <input
          {...fieldProps('compose-title', error('title'))}
          type="text"
          value={form.title}
          maxLength={300}
          required
          onChange={(event) => change({ title: event.target.value })}
        />
      </Field>
      <Field id="compose-summary" label={t('summary')} hint={t('summaryHint')} error={error('summary')}>
        <textarea
          {...fieldProps('compose-summary', error('summary'), true)}
          className="compose-summary"
          value={form.summary}
          maxLength={5000}
          onChange={(event) => change({ summary: event.target.value })}
        />
      </Field>
    </>
  );
}
