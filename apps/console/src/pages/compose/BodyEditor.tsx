import { KeyboardEvent, useMemo } from 'react';
import { fieldProps } from '../../components/Field';
import { useMessages } from '../../i18n/i18n';
import { messagesFor } from './field-errors';
import { renderMarkdown } from './markdown';
import { composeMessages } from './messages';
import type { SectionProps } from './ContentFields';

export type BodyTab = 'write' | 'preview';
const TABS: BodyTab[] = ['write', 'preview'];
export const BODY_ID = 'compose-body';

/** The body in Markdown, written in one tab and read, rendered and sanitised, in the other. */
export function BodyEditor({
  form,
  change,
  errors,
  tab,
  setTab,
}: SectionProps & { tab: BodyTab; setTab(tab: BodyTab): void }) {
  const t = useMessages(composeMessages);
  const error = messagesFor(errors, 'body');
  const html = useMemo(() => (tab === 'preview' ? renderMarkdown(form.body) : ''), [tab, form.body]);

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    const next = TABS[(TABS.indexOf(tab) + 1) % TABS.length];
    setTab(next);
    document.getElementById(`compose-body-tab-${next}`)?.focus();
  }

  return (
    <div className="field">
      <label htmlFor={BODY_ID} id="compose-body-label">
        {t('body')}
      </label>
      <div role="tablist" aria-label={t('bodyTabs')} className="compose-tabs">
        {TABS.map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            id={`compose-body-tab-${name}`}
            aria-selected={tab === name}
            aria-controls={`compose-body-panel-${name}`}
            tabIndex={tab === name ? 0 : -1}
            onClick={() => setTab(name)}
            onKeyDown={onKeyDown}
          >
            {t(name)}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id="compose-body-panel-write"
        aria-labelledby="compose-body-tab-write"
        hidden={tab !== 'write'}
      >
        <textarea
          {...fieldProps(BODY_ID, error)}
          className="compose-body"
          value={form.body}
          required
          onChange={(event) => change({ body: event.target.value })}
        />
      </div>
      <div
        role="tabpanel"
        id="compose-body-panel-preview"
        aria-labelledby="compose-body-tab-preview"
        hidden={tab !== 'preview'}
      >
        <p className="hint">{t('bodyPreviewHint')}</p>
        {form.body.trim() ? (
          <div className="markdown" tabIndex={0} dangerouslySetInnerHTML={{ __html: html }} />
        ) : (
          <p>{t('bodyEmpty')}</p>
        )}
      </div>
      {error && (
        <p id={`${BODY_ID}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
