import { useState } from 'react';
import { fieldProps } from '../../components/Field';
import { useMessages } from '../../i18n/i18n';
import { IndicatorRow, newIndicatorRow } from './compose-form';
import { IndicatorColumn, messagesFor } from './field-errors';
import { classifyLines, INDICATOR_TYPES, IndicatorType, PastedLines } from './indicators';
import { composeMessages } from './messages';
import type { SectionProps } from './ContentFields';

/** The API's words per indicator row (by row key) and column. */
export type RowErrors = Record<number, Partial<Record<IndicatorColumn, string[]>>>;

export function indicatorCellId(key: number, column: IndicatorColumn): string {
  return `compose-indicator-${key}-${column}`;
}

function CellError({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return (
    <p id={`${id}-error`} className="field-error">
      {messages.join('; ')}
    </p>
  );
}

/** One indicator: its type, value and description, each with the API's words about it, and a button to remove it. */
function IndicatorRowView(props: {
  row: IndicatorRow;
  n: number;
  problems: Partial<Record<IndicatorColumn, string[]>>;
  set(patch: Partial<IndicatorRow>): void;
  remove(): void;
}) {
  const t = useMessages(composeMessages);
  const { row, n, problems, set } = props;
  const cell = (column: IndicatorColumn) => {
    const id = indicatorCellId(row.key, column);
    return { id, props: fieldProps(id, problems[column]?.join('; ')), messages: problems[column] };
  };
  const type = cell('type');
  const value = cell('value');
  const description = cell('description');
  return (
    <tr>
      <td>
        <select
          {...type.props}
          aria-label={t('indicatorTypeOf', { n })}
          value={row.type}
          onChange={(event) => set({ type: event.target.value as IndicatorType })}
        >
          {INDICATOR_TYPES.map((name) => (
            <option key={name} value={name}>
              {t(`type_${name}`)}
            </option>
          ))}
        </select>
        <CellError id={type.id} messages={type.messages} />
      </td>
      <td>
        <input
          {...value.props}
          type="text"
          className="mono"
          aria-label={t('indicatorValueOf', { n })}
          value={row.value}
          onChange={(event) => set({ value: event.target.value })}
        />
        <CellError id={value.id} messages={value.messages} />
      </td>
      <td>
        <input
          {...description.props}
          type="text"
          aria-label={t('indicatorDescriptionOf', { n })}
          value={row.description}
          onChange={(event) => set({ description: event.target.value })}
        />
        <CellError id={description.id} messages={description.messages} />
      </td>
      <td>
        <button type="button" onClick={props.remove}>
          {t('removeIndicator')}
          <span className="visually-hidden"> {t('indicatorNumber', { n })}</span>
        </button>
      </td>
    </tr>
  );
}

/** Indicators as a table, one row each, with a box that reads many pasted lines at once. */
export function IndicatorsTable({ form, change, errors, rowErrors }: SectionProps & { rowErrors: RowErrors }) {
  const t = useMessages(composeMessages);
  const rows = form.indicators;
  const setRow = (key: number, patch: Partial<IndicatorRow>) =>
    change({ indicators: rows.map((row) => (row.key === key ? { ...row, ...patch } : row)) });
  const tableError = messagesFor(errors, 'indicators');

  return (
    <>
      {rows.length === 0 ? (
        <p>{t('noIndicators')}</p>
      ) : (
        <table className="compose-indicators" aria-describedby={tableError ? 'compose-indicators-error' : undefined}>
          <caption className="visually-hidden">{t('indicatorsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('indicatorType')}</th>
              <th scope="col">{t('indicatorValue')}</th>
              <th scope="col">{t('indicatorDescription')}</th>
              <th scope="col">{t('indicatorActions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <IndicatorRowView
                key={row.key}
                row={row}
                n={index + 1}
                problems={rowErrors[row.key] ?? {}}
                set={(patch) => setRow(row.key, patch)}
                remove={() => change({ indicators: rows.filter((other) => other.key !== row.key) })}
              />
            ))}
          </tbody>
        </table>
      )}
      {tableError && (
        <p id="compose-indicators-error" className="field-error">
          {tableError}
        </p>
      )}
      <div className="toolbar">
        <button type="button" onClick={() => change({ indicators: [...rows, newIndicatorRow()] })}>
          {t('addIndicator')}
        </button>
      </div>
      <PasteIndicators rows={rows} add={(added) => change({ indicators: [...rows, ...added] })} />
    </>
  );
}

/** Pasted lines classified into rows; the lines that are not indicators stay in the box and are listed. */
function PasteIndicators({ rows, add }: { rows: IndicatorRow[]; add(rows: IndicatorRow[]): void }) {
  const t = useMessages(composeMessages);
  const [text, setText] = useState('');
  const [result, setResult] = useState<PastedLines | null>(null);

  function read() {
    const pasted = classifyLines(text, rows);
    setResult(pasted);
    add(pasted.indicators.map((indicator) => newIndicatorRow(indicator)));
    setText(pasted.flagged.map((line) => line.text).join('\n'));
  }

  return (
    <div className="compose-paste">
      <label htmlFor="compose-paste">{t('paste')}</label>
      <textarea
        id="compose-paste"
        aria-describedby="compose-paste-hint"
        className="mono"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <p id="compose-paste-hint" className="hint">
        {t('pasteHint')}
      </p>
      <div className="toolbar">
        <button type="button" onClick={read} disabled={text.trim() === ''}>
          {t('pasteAdd')}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {result && (
          <>
            <p>
              {result.indicators.length === 1
                ? t('pasteAddedOne')
                : t('pasteAdded', { count: result.indicators.length })}
              {result.duplicates > 0 && ` ${t('pasteDuplicates', { count: result.duplicates })}`}
            </p>
            {result.flagged.length > 0 && (
              <div className="compose-flagged">
                <p className="warning">
                  {result.flagged.length === 1
                    ? t('pasteFlaggedOne')
                    : t('pasteFlagged', { count: result.flagged.length })}
                </p>
                <ul>
                  {result.flagged.map((line) => (
                    <li key={line.line}>
                      <code>{t('pasteFlaggedLine', { line: line.line, text: line.text })}</code>
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </>
        )}
      </div>
    </div>
  );
}
