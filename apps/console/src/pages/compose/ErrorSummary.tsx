import { forwardRef } from 'react';
import { useMessages } from '../../i18n/i18n';
import { ComposeMessage, composeMessages } from './messages';
import { FormField, PlacedProblem } from './field-errors';
import { indicatorCellId } from './IndicatorsTable';

/** Each form control's element id, and the words that name it. */
export const FIELD_TARGETS: Record<FormField, { id: string; label: ComposeMessage }> = {
  type: { id: 'compose-type', label: 'type' },
  title: { id: 'compose-title', label: 'title' },
  summary: { id: 'compose-summary', label: 'summary' },
  severity: { id: 'compose-severity', label: 'severity' },
  body: { id: 'compose-body', label: 'body' },
  indicators: { id: 'compose-indicators', label: 'indicators' },
  tlp: { id: 'compose-tlp', label: 'tlp' },
  pap: { id: 'compose-pap', label: 'pap' },
  caveats: { id: 'compose-caveats', label: 'caveats' },
  audience: { id: 'compose-audience', label: 'audience' },
  communities: { id: 'compose-communities', label: 'communities' },
  organisations: { id: 'compose-organisations', label: 'organisations' },
  contacts: { id: 'compose-contacts', label: 'contacts' },
  originator: { id: 'compose-originator', label: 'originator' },
  originatorLabel: { id: 'compose-originator-label', label: 'originatorLabel' },
  consentReference: { id: 'compose-consent-reference', label: 'consentReference' },
  consentAudience: { id: 'compose-consent-audience', label: 'consentAudience' },
  consentCommunities: { id: 'compose-consent-communities', label: 'consentCommunities' },
  consentOrganisations: { id: 'compose-consent-organisations', label: 'consentOrganisations' },
  consentContacts: { id: 'compose-consent-contacts', label: 'consentContacts' },
  releaseAt: { id: 'compose-release-at', label: 'releaseAt' },
};

/** Moves focus to a control named by id; a group (fieldset, section) gives it to its first control. */
export function focusControl(id: string): void {
  const element = document.getElementById(id);
  if (!element) return;
  const focusable = element.matches('input, select, textarea, button')
    ? element
    : (element.querySelector<HTMLElement>('input, select, textarea, button') ?? element);
  focusable.scrollIntoView({ block: 'center' });
  focusable.focus();
}

interface Props {
  problems: PlacedProblem[];
  /** The row key of each indicator of the refused request, by position. */
  indicatorRows: number[];
  /** The row keys of the indicators table as it is now, in order (to number rows as the table does). */
  tableRows: number[];
  /** Shows the control (switching the body to its Write tab when needed), then focuses it. */
  jump(id: string): void;
}

/** What the API refused at submission, listed at the top, each linked to its control; focused when it appears. */
export const ErrorSummary = forwardRef<HTMLDivElement, Props>(function ErrorSummary(
  { problems, indicatorRows, tableRows, jump },
  ref,
) {
  const t = useMessages(composeMessages);
  const target = (problem: PlacedProblem): { id: string; label: string } | null => {
    const { placement } = problem;
    if (placement.kind === 'field') {
      const { id, label } = FIELD_TARGETS[placement.field];
      return { id, label: t(label) };
    }
    if (placement.kind === 'indicator') {
      const key = indicatorRows[placement.index];
      const n = key === undefined ? 0 : tableRows.indexOf(key) + 1;
      // A row removed since: the message is listed without a link.
      if (n === 0) return null;
      const words = {
        type: 'indicatorTypeOf',
        value: 'indicatorValueOf',
        description: 'indicatorDescriptionOf',
      } as const;
      return { id: indicatorCellId(key, placement.column), label: t(words[placement.column], { n }) };
    }
    return null;
  };
  return (
    <div className="compose-error-summary" ref={ref} tabIndex={-1} aria-labelledby="compose-error-summary-title">
      <h2 id="compose-error-summary-title">
        {problems.length === 1 ? t('errorSummaryOne') : t('errorSummary', { count: problems.length })}
      </h2>
      <ul>
        {problems.map((problem, index) => {
          const place = target(problem);
          return (
            <li key={index}>
              {place ? (
                <a
                  href={`#${place.id}`}
                  onClick={(event) => {
                    event.preventDefault();
                    jump(place.id);
                  }}
                >
                  {place.label}: {problem.message}
                </a>
              ) : (
                <span>
                  {problem.field ? `${problem.field}: ` : ''}
                  {problem.message}
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
});
