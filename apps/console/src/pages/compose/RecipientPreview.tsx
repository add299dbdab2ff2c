import { useMessages } from '../../i18n/i18n';
import { composeMessages } from './messages';
import { groupDecisions, hasChanges, PreviewDecision, recipientKey, recipientName } from './preview-diff';
import type { PreviewState } from './usePreview';

function DecisionsTable(props: {
  caption: string;
  decisions: PreviewDecision[];
  added: Set<string>;
  dropped: Set<string>;
}) {
  const t = useMessages(composeMessages);
  return (
    <table className="compose-decisions">
      <caption className="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('recipient')}</th>
          <th scope="col">{t('decision')}</th>
          <th scope="col">{t('reason')}</th>
        </tr>
      </thead>
      <tbody>
        {props.decisions.map((decision) => {
          const key = recipientKey(decision);
          return (
            <tr key={key} className={decision.allow ? undefined : 'compose-withheld'}>
              <th scope="row">
                {recipientName(decision)}
                {props.added.has(key) && <span className="added"> ({t('addedMark')})</span>}
                {props.dropped.has(key) && <span className="dropped"> ({t('droppedMark')})</span>}
              </th>
              <td>
                <span className={`state state-${decision.allow ? 'allowed' : 'withheld'}`}>
                  {t(decision.allow ? 'allowed' : 'withheld')}
                </span>
              </td>
              <td>
                {decision.reason}
                {decision.handling && <div className="hint">{t('handlingNote', { handling: decision.handling })}</div>}
                <div className="hint">
                  {t('key')}: <span className="mono">{decision.keyFingerprint ?? t('noKey')}</span>
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Who will receive the item as the form stands, channel by channel, and what the last change did. */
export function RecipientPreview({ state, tlpChosen }: { state: PreviewState; tlpChosen: boolean }) {
  const t = useMessages(composeMessages);
  const { preview, changes, stale, pending, failure } = state;
  const grouped = preview ? groupDecisions(preview.decisions) : null;
  const names = (decisions: PreviewDecision[]) => decisions.map(recipientName).join('; ');
  const added = new Set(changes.added.map(recipientKey));
  const dropped = new Set(changes.dropped.map(recipientKey));

  // The section is focusable: it scrolls on its own beside the form, and a keyboard must reach all of it.
  return (
    <section className="side compose-preview" aria-labelledby="compose-preview-heading" tabIndex={0}>
      <h2 id="compose-preview-heading">{t('recipients')}</h2>
      <div role="status" aria-live="polite" aria-atomic="true" className="compose-preview-status">
        {!tlpChosen && <p>{t('chooseTlp')}</p>}
        {failure && <p className="error">{t('previewFailed', { message: failure })}</p>}
        {stale && <p className="warning">{t('outOfDate')}</p>}
        {preview && grouped && (
          <>
            <p className="compose-preview-summary">
              {t('previewSummary', {
                allowed: preview.summary.allowed,
                channels: preview.summary.channels,
                organisations:
                  grouped.organisations === 1
                    ? t('organisationCountOne')
                    : t('organisationCount', { count: grouped.organisations }),
              })}
            </p>
            {hasChanges(changes) ? (
              <>
                {changes.added.length > 0 && <p className="added">{t('added', { names: names(changes.added) })}</p>}
                {changes.dropped.length > 0 && (
                  <p className="dropped">{t('dropped', { names: names(changes.dropped) })}</p>
                )}
              </>
            ) : (
              <p className="hint">{t('noChange')}</p>
            )}
          </>
        )}
      </div>
      {pending && <p className="hint">{t('updating')}</p>}
      {preview && grouped && (
        <div className={stale ? 'compose-stale' : undefined}>
          <h3>{t('withheldHeading', { count: grouped.withheld.length })}</h3>
          {grouped.withheld.length === 0 ? (
            <p>{t('noneWithheld')}</p>
          ) : (
            <DecisionsTable
              caption={t('withheldCaption')}
              decisions={grouped.withheld}
              added={added}
              dropped={dropped}
            />
          )}
          <h3>{t('allowedHeading', { count: grouped.allowed.length })}</h3>
          {grouped.allowed.length === 0 ? (
            <p>{t('noneAllowed')}</p>
          ) : (
            <DecisionsTable caption={t('allowedCaption')} decisions={grouped.allowed} added={added} dropped={dropped} />
          )}
        </div>
      )}
    </section>
  );
}
