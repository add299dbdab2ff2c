import { ReactNode } from 'react';
import { PapBadge, TlpBadge } from '../../components/labels';
import { useMessages } from '../../i18n/i18n';
import { PAP_LABELS, TLP_LABELS } from './compose-form';
import { FormField, messagesFor } from './field-errors';
import { composeMessages } from './messages';
import type { SectionProps } from './ContentFields';

/** A fieldset with its legend, hint and the API's words, tied to it for assistive technologies. */
export function GroupField(props: {
  id: string;
  legend: string;
  hint?: string;
  error?: string | null;
  className?: string;
  children: ReactNode;
}) {
  const describedBy = [props.hint ? `${props.id}-hint` : null, props.error ? `${props.id}-error` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <fieldset
      id={props.id}
      className={`compose-group ${props.className ?? ''}`}
      aria-describedby={describedBy || undefined}
    >
      <legend>{props.legend}</legend>
      {props.hint && (
        <p id={`${props.id}-hint`} className="hint">
          {props.hint}
        </p>
      )}
      {props.children}
      {props.error && (
        <p id={`${props.id}-error`} className="field-error">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}

function Choice(props: { name: string; value: string; checked: boolean; onChoose(): void; children: ReactNode }) {
  const id = `${props.name}-${props.value.replace(/[^a-z0-9]+/gi, '-') || 'none'}`;
  return (
    <div className="compose-choice">
      <input
        type="radio"
        id={id}
        name={props.name}
        value={props.value}
        checked={props.checked}
        onChange={props.onChoose}
      />
      <label htmlFor={id} className="inline">
        {props.children}
      </label>
    </div>
  );
}

/** What the labels mean on a form other than an item's (a report sent to the team): the hints, and each TLP label. */
export interface LabelWords {
  tlp: string;
  pap: string;
  tlpMeaning(label: (typeof TLP_LABELS)[number]): string;
}

/**
 * TLP and PAP labels as radio groups, each label in FIRST's colours and written out with what it means
 * (for an item, unless `words` are given).
 */
export function LabelPickers({ form, change, errors, words }: SectionProps & { words?: LabelWords }) {
  const t = useMessages(composeMessages);
  const error = (field: FormField) => messagesFor(errors, field);
  return (
    <>
      <GroupField
        id="compose-tlp"
        legend={t('tlp')}
        hint={words?.tlp ?? t('tlpHint')}
        error={error('tlp')}
        className="compose-labels"
      >
        {TLP_LABELS.map((label) => (
          <Choice
            key={label}
            name="compose-tlp"
            value={label}
            checked={form.tlp === label}
            onChoose={() => change({ tlp: label })}
          >
            <TlpBadge label={label} /> {words ? words.tlpMeaning(label) : t(`tlp_${label}`)}
          </Choice>
        ))}
      </GroupField>
      <GroupField
        id="compose-pap"
        legend={t('pap')}
        hint={words?.pap ?? t('papHint')}
        error={error('pap')}
        className="compose-labels"
      >
        <Choice name="compose-pap" value="" checked={form.pap === ''} onChoose={() => change({ pap: '' })}>
          {t('papNone')}
        </Choice>
        {PAP_LABELS.map((label) => (
          <Choice
            key={label}
            name="compose-pap"
            value={label}
            checked={form.pap === label}
            onChoose={() => change({ pap: label })}
          >
            <PapBadge label={label} /> {t(`pap_${label}`)}
          </Choice>
        ))}
      </GroupField>
    </>
  );
}

export interface Caveat {
  name: string;
  description: string;
}

/** The registered handling caveats as checkboxes. */
export function CaveatsPicker({ form, change, errors, caveats }: SectionProps & { caveats: Caveat[] }) {
  const t = useMessages(composeMessages);
  const toggle = (name: string, on: boolean) =>
    change({ caveats: on ? [...form.caveats, name] : form.caveats.filter((other) => other !== name) });
  // A caveat on the item that is no longer registered stays visible, so it can be taken off.
  const shown = [
    ...caveats,
    ...form.caveats.filter((name) => !caveats.some((c) => c.name === name)).map((name) => ({ name, description: '' })),
  ];
  return (
    <GroupField
      id="compose-caveats"
      legend={t('caveats')}
      hint={t('caveatsHint')}
      error={messagesFor(errors, 'caveats')}
    >
      {shown.length === 0 && <p>{t('noCaveats')}</p>}
      {shown.map((caveat) => (
        <div key={caveat.name} className="compose-choice">
          <input
            type="checkbox"
            id={`compose-caveat-${caveat.name}`}
            checked={form.caveats.includes(caveat.name)}
            onChange={(event) => toggle(caveat.name, event.target.checked)}
          />
          <label htmlFor={`compose-caveat-${caveat.name}`} className="inline">
            <code>{caveat.name}</code>
            {caveat.description && <span className="hint"> — {caveat.description}</span>}
          </label>
        </div>
      ))}
    </GroupField>
  );
}
