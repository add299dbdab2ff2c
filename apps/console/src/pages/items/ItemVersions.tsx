import { useState } from 'react';
import { Schemas } from '../../api/client';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { itemMessages } from './messages';
import { VersionFields } from './VersionFields';

/** The item's versions, newest first; the one selected (the current one at first) is shown in full. */
export function ItemVersions({ versions, current }: { versions: Schemas['ItemVersionView'][]; current: number }) {
  const t = useMessages(itemMessages);
  const date = useDateTime();
  const [chosen, setChosen] = useState<number | null>(null);
  const selected = versions.find((v) => v.version === (chosen ?? current)) ?? versions[0];
  if (!selected) return null;
  return (
    <div className="item-versions">
      <ul className="items-plain item-version-list" aria-label={t('versionList')}>
        {versions.map((version) => (
          <li key={version.id}>
            <button
              type="button"
              aria-pressed={version.version === selected.version}
              onClick={() => setChosen(version.version)}
            >
              <strong>{t('versionN', { version: version.version })}</strong>
              {version.version === current && <> · {t('current')}</>}
              <br />
              <span className="item-version-meta">
                {version.released ? t('released') : t('notReleased')} · {date(version.createdAt)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <div className="item-version-detail">
        <h3>{t('showingVersion', { version: selected.version })}</h3>
        <p className="hint">
          {t('writtenBy', { name: selected.author.name, time: date(selected.createdAt) })}
          {selected.approvedBy && (
            <>
              {' · '}
              {t('approvedBy', { name: selected.approvedBy.name, time: date(selected.approvedAt) })}
            </>
          )}
        </p>
        <VersionFields version={selected} />
      </div>
    </div>
  );
}
