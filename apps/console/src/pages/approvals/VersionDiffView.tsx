import { ReactNode } from 'react';
import { PapBadge, TlpBadge } from '../../components/labels';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { useAudienceNames } from '../items/audience';
import { fieldMessages } from '../items/messages';
import { IndicatorText, ProvenanceText } from '../items/VersionFields';
import { wordFor } from '../items/words';
import { approvalsMessages } from './messages';
import {
  DiffIndicator,
  FieldChange,
  foldUnchanged,
  LineChange,
  SetChange,
  ValueField,
  VersionDiff,
} from './version-diff';

/** The changed fields of a pending version, each with what was released and what is pending. */
export function VersionDiffView({ diff }: { diff: VersionDiff }) {
  const t = useMessages(approvalsMessages);
  const words = useMessages(fieldMessages);
  return (
    <div className="review-diff">
      {diff.changes.length === 0 ? (
        <p>{t('noChange')}</p>
      ) : (
        diff.changes.map((change) => (
          <section key={change.field} className="review-field" aria-labelledby={`diff-${change.field}`}>
            <h3 id={`diff-${change.field}`}>{words(change.field)}</h3>
            <ChangeView change={change} />
          </section>
        ))
      )}
      {diff.changes.length > 0 && diff.unchanged.length > 0 && (
        <p className="hint">{t('unchanged', { fields: diff.unchanged.map((field) => words(field)).join(', ') })}</p>
      )}
    </div>
  );
}

function ChangeView({ change }: { change: FieldChange }) {
  const names = useAudienceNames();
  const words = useMessages(fieldMessages);
  switch (change.kind) {
    case 'value':
      return (
        <BeforeAfter
          before={<Value field={change.field} value={change.before} />}
          after={<Value field={change.field} value={change.after} />}
        />
      );
    case 'provenance':
      return (
        <BeforeAfter
          before={change.before ? <ProvenanceText provenance={change.before} /> : words('none')}
          after={change.after ? <ProvenanceText provenance={change.after} /> : words('none')}
        />
      );
    case 'lines':
      return <LinesView lines={change.lines} />;
    case 'set':
      return <SetView change={change.change} show={(value) => value} />;
    case 'indicators':
      return (
        <SetView change={change.change} show={(indicator: DiffIndicator) => <IndicatorText indicator={indicator} />} />
      );
    case 'audience':
      return (
        <>
          {change.communities.added.length + change.communities.removed.length > 0 && (
            <SetView label={words('communities')} change={change.communities} show={(value) => value} />
          )}
          {change.organisations.added.length + change.organisations.removed.length > 0 && (
            <SetView label={words('organisations')} change={change.organisations} show={names.organisation} />
          )}
          {change.contacts.added.length + change.contacts.removed.length > 0 && (
            <SetView label={words('contacts')} change={change.contacts} show={names.contact} />
          )}
        </>
      );
  }
}

function BeforeAfter({ before, after }: { before: ReactNode; after: ReactNode }) {
  const t = useMessages(approvalsMessages);
  return (
    <dl className="review-values">
      <dt>{t('before')}</dt>
      <dd className="review-old">{before}</dd>
      <dt>{t('after')}</dt>
      <dd className="review-new">{after}</dd>
    </dl>
  );
}

function Value({ field, value }: { field: ValueField; value: string | null }) {
  const words = useMessages(fieldMessages);
  const date = useDateTime();
  if (value === null) return <>{field === 'releaseAt' ? words('noEmbargo') : words('notSet')}</>;
  switch (field) {
    case 'tlp':
      return <TlpBadge label={value} />;
    case 'pap':
      return <PapBadge label={value} />;
    case 'severity':
      return <>{wordFor(words, 'severity', value)}</>;
    case 'releaseAt':
      return <>{date(value)}</>;
    default:
      return <span className="review-text">{value}</span>;
  }
}

function SetView<T>(props: { label?: string; change: SetChange<T>; show: (value: T) => ReactNode }) {
  const t = useMessages(approvalsMessages);
  const { change, show } = props;
  const list = (values: T[], className: string) => (
    <ul className={`items-plain ${className}`}>
      {values.map((value, index) => (
        <li key={index}>{show(value)}</li>
      ))}
    </ul>
  );
  return (
    <div className="review-set">
      {props.label && <p className="review-set-label">{props.label}</p>}
      <dl className="review-values">
        {change.added.length > 0 && (
          <>
            <dt className="added">{t('added')}</dt>
            <dd>{list(change.added, 'review-new-list')}</dd>
          </>
        )}
        {change.removed.length > 0 && (
          <>
            <dt className="dropped">{t('removed')}</dt>
            <dd>{list(change.removed, 'review-old-list')}</dd>
          </>
        )}
      </dl>
    </div>
  );
}

/** The body's lines, kept lines folded, each removed or added line marked in words as well as colour. */
function LinesView({ lines }: { lines: LineChange[] }) {
  const t = useMessages(approvalsMessages);
  return (
    <ol className="review-lines" aria-label={t('bodyDiffLabel')}>
      {foldUnchanged(lines).map((line, index) =>
        line.op === 'skipped' ? (
          <li key={index} className="review-line-skipped">
            {t('linesUnchanged', { count: line.count })}
          </li>
        ) : (
          <li key={index} className={`review-line-${line.op}`}>
            <span className="review-line-mark" aria-hidden="true">
              {line.op === 'added' ? '+' : line.op === 'removed' ? '−' : ' '}
            </span>
            {line.op !== 'same' && (
              <span className="visually-hidden">{line.op === 'added' ? t('lineAdded') : t('lineRemoved')}: </span>
            )}
            <span className="review-line-text">{line.text || '\u00a0'}</span>
          </li>
        ),
      )}
    </ol>
  );
}
