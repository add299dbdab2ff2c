import { useMemo, useState } from 'react';
import { useMessages } from '../../i18n/i18n';
import type { Audience } from './compose-form';
import { messagesFor } from './field-errors';
import { GroupField } from './LabelPickers';
import { composeMessages } from './messages';
import type { SectionProps } from './ContentFields';

/** What the audience pickers need of GET /organisations. */
export interface Partner {
  id: string;
  name: string;
  kind: string;
  relation: string;
  status: string;
  communities: string[];
  contacts: { id: string; name: string; email: string; status: string }[];
}

interface Option {
  value: string;
  label: string;
  detail?: string;
}

/** A list of checkboxes with a search box that filters it, and the chosen ones listed above it (each removable). */
function SearchableChecklist(props: {
  id: string;
  legend: string;
  options: Option[];
  chosen: string[];
  setChosen(chosen: string[]): void;
  error: string | null;
}) {
  const t = useMessages(composeMessages);
  const [query, setQuery] = useState('');
  const { id, options, chosen, setChosen } = props;
  const needle = query.trim().toLowerCase();
  const shown = needle
    ? options.filter((option) => `${option.label} ${option.detail ?? ''}`.toLowerCase().includes(needle))
    : options;
  const labelOf = (value: string) => options.find((option) => option.value === value)?.label ?? value;
  const toggle = (value: string, on: boolean) =>
    setChosen(on ? [...chosen, value] : chosen.filter((other) => other !== value));

  return (
    <GroupField id={id} legend={props.legend} error={props.error} className="compose-audience">
      <div className="compose-chosen">
        {chosen.length === 0 ? (
          <span>{t('noneChosen')}</span>
        ) : (
          <>
            <span>{t('chosen', { count: chosen.length })}</span>
            <ul>
              {chosen.map((value) => (
                <li key={value}>
                  <button type="button" className="compose-chip" onClick={() => toggle(value, false)}>
                    <span className="visually-hidden">{t('remove')} </span>
                    {labelOf(value)} <span aria-hidden="true">✕</span>
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <label htmlFor={`${id}-search`}>{t('search', { what: props.legend.toLowerCase() })}</label>
      <input id={`${id}-search`} type="search" value={query} onChange={(event) => setQuery(event.target.value)} />
      <p className="hint" aria-live="polite">
        {shown.length === 0 ? t('noMatch') : needle ? t('showing', { shown: shown.length, total: options.length }) : ''}
      </p>
      <ul className="compose-options">
        {shown.map((option) => {
          const box = `${id}-${option.value}`;
          return (
            <li key={option.value}>
              <input
                type="checkbox"
                id={box}
                checked={chosen.includes(option.value)}
                onChange={(event) => toggle(option.value, event.target.checked)}
              />
              <label htmlFor={box} className="inline">
                {option.label}
                {option.detail && <span className="hint compose-option-detail">{option.detail}</span>}
              </label>
            </li>
          );
        })}
      </ul>
    </GroupField>
  );
}

/** The pickers' options: communities (from the partners' memberships), organisations and their named contacts. */
function useAudienceOptions(partners: Partner[]) {
  const t = useMessages(composeMessages);
  return useMemo(() => {
    const members = new Map<string, number>();
    for (const partner of partners)
      for (const community of partner.communities) members.set(community, (members.get(community) ?? 0) + 1);
    const byName = [...partners].sort((a, b) => a.name.localeCompare(b.name));
    return {
      communities: [...members.keys()].sort().map((name) => {
        const count = members.get(name)!;
        return { value: name, label: name, detail: count === 1 ? t('membersOne') : t('members', { count }) };
      }),
      organisations: byName.map((partner) => ({
        value: partner.id,
        label: partner.name,
        detail: [partner.kind, partner.relation, partner.status === 'active' ? null : partner.status]
          .filter(Boolean)
          .join(', '),
      })),
      contacts: byName.flatMap((partner) =>
        partner.contacts.map((contact) => ({
          value: contact.id,
          label: `${contact.name} (${partner.name})`,
          detail: contact.status === 'active' ? contact.email : `${contact.email}, ${contact.status}`,
        })),
      ),
    };
  }, [partners, t]);
}

/**
 * The three searchable lists (communities, organisations, named contacts) of one audience; their ids
 * start with `idPrefix` (`compose-organisations`, `compose-consent-organisations`…).
 */
export function AudienceLists(props: {
  idPrefix: string;
  audience: Audience;
  setAudience(audience: Audience): void;
  errors: Record<keyof Audience, string | null>;
  partners: Partner[];
}) {
  const t = useMessages(composeMessages);
  const { idPrefix, audience, setAudience, errors } = props;
  const options = useAudienceOptions(props.partners);
  const list = (key: keyof Audience, legend: string) => (
    <SearchableChecklist
      id={`${idPrefix}-${key}`}
      legend={legend}
      options={options[key]}
      chosen={audience[key]}
      setChosen={(chosen) => setAudience({ ...audience, [key]: chosen })}
      error={errors[key]}
    />
  );
  return (
    <div className="compose-audience-lists">
      {list('communities', t('communities'))}
      {list('organisations', t('organisations'))}
      {list('contacts', t('contacts'))}
    </div>
  );
}

/** Communities, organisations and named contacts the item is addressed to. */
export function AudiencePicker({ form, change, errors, partners }: SectionProps & { partners: Partner[] }) {
  const t = useMessages(composeMessages);
  const audienceError = messagesFor(errors, 'audience');
  return (
    <>
      <p className="hint" id="compose-audience-hint">
        {t('audienceHint')}
      </p>
      {audienceError && (
        <p id="compose-audience" className="field-error" tabIndex={-1}>
          {audienceError}
        </p>
      )}
      <AudienceLists
        idPrefix="compose"
        audience={{ communities: form.communities, organisations: form.organisations, contacts: form.contacts }}
        setAudience={change}
        errors={{
          communities: messagesFor(errors, 'communities'),
          organisations: messagesFor(errors, 'organisations'),
          contacts: messagesFor(errors, 'contacts'),
        }}
        partners={partners}
      />
    </>
  );
}
