import { useMemo, useState } from 'react';
import { useMessages } from '../../i18n/i18n';
import { ComposeForm } from './compose-form';
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

/** Communities (from the partners' memberships), organisations and named contacts the item is addressed to. */
export function AudiencePicker({ form, change, errors, partners }: SectionProps & { partners: Partner[] }) {
  const t = useMessages(composeMessages);
  const options = useMemo(() => {
    const members = new Map<string, number>();
    for (const partner of partners)
      for (const community of partner.communities) members.set(community, (members.get(community) ?? 0) + 1);
    const byName = [...partners].sort((a, b) => a.name.localeCompare(b.name));
    return {
      communities: [...members.keys()].sort().map((name) => ({ value: name, label: name, count: members.get(name)! })),
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
  }, [partners]);
  const pick = (key: keyof Pick<ComposeForm, 'communities' | 'organisations' | 'contacts'>) => ({
    chosen: form[key],
    setChosen: (chosen: string[]) => change({ [key]: chosen }),
    error: messagesFor(errors, key),
  });

  return (
    <>
      <p className="hint" id="compose-audience-hint">
        {t('audienceHint')}
      </p>
      {messagesFor(errors, 'audience') && (
        <p id="compose-audience" className="field-error" tabIndex={-1}>
          {messagesFor(errors, 'audience')}
        </p>
      )}
      <div className="compose-audience-lists">
        <SearchableChecklist
          id="compose-communities"
          legend={t('communities')}
          options={options.communities.map((c) => ({
            ...c,
            detail: c.count === 1 ? t('membersOne') : t('members', { count: c.count }),
          }))}
          {...pick('communities')}
        />
        <SearchableChecklist
          id="compose-organisations"
          legend={t('organisations')}
          options={options.organisations}
          {...pick('organisations')}
        />
        <SearchableChecklist
          id="compose-contacts"
          legend={t('contacts')}
          options={options.contacts}
          {...pick('contacts')}
        />
      </div>
    </>
  );
}
