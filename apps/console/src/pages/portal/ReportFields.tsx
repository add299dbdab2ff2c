import { Field, fieldProps } from '../../components/Field';
import { fromLocalInput, useDateTime } from '../../i18n/format';
import { useMessages, usePreferences } from '../../i18n/i18n';
import { emptyForm } from '../compose/compose-form';
import { placeProblems } from '../compose/field-errors';
import { LabelPickers } from '../compose/LabelPickers';
import { portalMessages } from './messages';
import { readObservables, REPORT_URGENCIES, ReportField, ReportForm, VICTIM_TYPES } from './report-form';

export interface FieldsProps {
  form: ReportForm;
  set(patch: Partial<ReportForm>): void;
  /** The words about a control: what the form found, or what the API said. */
  problem(field: ReportField): string | null;
}

/** The element each control is reached by (the labels are the composer's radio groups). */
export function controlId(field: ReportField): string {
  if (field === 'tlp') return 'compose-tlp';
  if (field === 'pap') return 'compose-pap';
  return `report-${field}`;
}

type TextField = 'title' | 'caseReference' | 'investigatingUnit' | 'topic';

/** A one-line text field of the form. */
function TextInput({ field, hint, form, set, problem }: FieldsProps & { field: TextField; hint?: string }) {
  const t = useMessages(portalMessages);
  const id = controlId(field);
  return (
    <Field id={id} label={t(field)} hint={hint} error={problem(field)}>
      <input
        {...fieldProps(id, problem(field), !!hint)}
        maxLength={200}
        value={form[field]}
        onChange={(event) => set({ [field]: event.target.value })}
      />
    </Field>
  );
}

/** Title and the TLP and PAP labels (the composer's pickers, with the words of a report). */
export function TitleAndLabels(props: FieldsProps) {
  const t = useMessages(portalMessages);
  const { form, set, problem } = props;
  const labelProblems = (['tlp', 'pap'] as const).flatMap((field) => {
    const message = problem(field);
    return message ? [{ field, message }] : [];
  });
  return (
    <>
      <TextInput {...props} field="title" hint={t('titleHint')} />
      <LabelPickers
        form={{ ...emptyForm(), tlp: form.tlp, pap: form.pap }}
        change={(patch) =>
          set({
            ...(patch.tlp === undefined ? {} : { tlp: patch.tlp }),
            ...(patch.pap === undefined ? {} : { pap: patch.pap }),
          })
        }
        errors={placeProblems(labelProblems)}
        words={{
          tlp: t('tlpHint'),
          pap: `${t('optional')} ${t('papHint')}`,
          tlpMeaning: (label) => t(`tlp_${label}`),
        }}
      />
    </>
  );
}

/** When the incident happened, typed in the user's time zone (named beside the field) and read back. */
function IncidentAtField({ form, set, problem }: FieldsProps) {
  const t = useMessages(portalMessages);
  const { timeZone } = usePreferences();
  const date = useDateTime();
  const id = controlId('incidentAt');
  const instant = form.incidentAt ? fromLocalInput(form.incidentAt, timeZone) : null;
  return (
    <Field id={id} label={t('incidentAt')} hint={t('incidentAtHint', { zone: timeZone })} error={problem('incidentAt')}>
      <div className="compose-embargo">
        <input
          {...fieldProps(id, problem('incidentAt'), true)}
          type="datetime-local"
          value={form.incidentAt}
          onChange={(event) => set({ incidentAt: event.target.value })}
        />
        <span className="compose-zone">{timeZone}</span>
      </div>
      {form.incidentAt && (
        <p className="hint" aria-live="polite">
          {instant ? t('incidentAtIs', { when: date(instant) }) : t('incidentAtUnreadable')}
        </p>
      )}
    </Field>
  );
}

/** The observables, one a line, and how the broker will read each line. */
function ObservablesField({ form, set, problem }: FieldsProps) {
  const t = useMessages(portalMessages);
  const id = controlId('observables');
  const readings = readObservables(form.observables);
  return (
    <>
      <Field
        id={id}
        label={`${t('observables')} ${t('optional')}`}
        hint={t('observablesHint')}
        error={problem('observables')}
      >
        <textarea
          {...fieldProps(id, problem('observables'), true)}
          className="mono"
          spellCheck={false}
          value={form.observables}
          onChange={(event) => set({ observables: event.target.value })}
        />
      </Field>
      {readings.length > 0 && (
        <table className="portal-observables">
          <caption>{t('observablesReadCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('line')}</th>
              <th scope="col">{t('readAs')}</th>
            </tr>
          </thead>
          <tbody>
            {readings.map((reading, index) => (
              <tr key={index}>
                <th scope="row" className="mono">
                  {reading.line}
                </th>
                <td>
                  {reading.indicator ? (
                    <>
                      {reading.indicator.type} <code>{reading.indicator.value}</code>
                    </>
                  ) : (
                    <span className="warning">{t('notRecognised')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** The fields only an incident related to an investigation has. */
export function IncidentFields(props: FieldsProps) {
  const t = useMessages(portalMessages);
  const { form, set, problem } = props;
  const victimId = controlId('victimType');
  return (
    <>
      <div className="row">
        <TextInput {...props} field="caseReference" />
        <TextInput {...props} field="investigatingUnit" />
      </div>
      <div className="row">
        <IncidentAtField {...props} />
        <Field id={victimId} label={t('victimType')} error={problem('victimType')}>
          <select
            {...fieldProps(victimId, problem('victimType'))}
            value={form.victimType}
            onChange={(event) => set({ victimType: event.target.value })}
          >
            <option value="">{t('chooseVictimType')}</option>
            {VICTIM_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`victim_${type}`)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <ObservablesField {...props} />
    </>
  );
}

/** A support request's topic. */
export function SupportFields(props: FieldsProps) {
  return <TextInput {...props} field="topic" />;
}

/** The description and how urgent the report is: both forms end with them. */
export function DescriptionAndUrgency({ form, set, problem }: FieldsProps) {
  const t = useMessages(portalMessages);
  const descriptionId = controlId('description');
  const urgencyId = controlId('urgency');
  return (
    <>
      <Field id={descriptionId} label={t('description')} error={problem('description')}>
        <textarea
          {...fieldProps(descriptionId, problem('description'))}
          value={form.description}
          onChange={(event) => set({ description: event.target.value })}
        />
      </Field>
      <Field id={urgencyId} label={t('urgency')} error={problem('urgency')}>
        <select
          {...fieldProps(urgencyId, problem('urgency'))}
          className="portal-urgency"
          value={form.urgency}
          onChange={(event) => set({ urgency: event.target.value })}
        >
          {REPORT_URGENCIES.map((urgency) => (
            <option key={urgency} value={urgency}>
              {t(`urgency_${urgency}`)}
            </option>
          ))}
        </select>
      </Field>
    </>
  );
}
