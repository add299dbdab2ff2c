import { PapBadge, TlpBadge } from '../../components/labels';
import { useDateTime } from '../../i18n/format';
import { Translate, useMessages } from '../../i18n/i18n';
import type { DiffIndicator, DiffProvenance, DiffVersion } from '../approvals/version-diff';
import { AudienceNames, useAudienceNames } from './audience';
import { FieldWord, fieldMessages } from './messages';
import { wordFor } from './words';

/** Every field of one version, as written: the item page's version view and a first version under review. */
export function VersionFields({ version }: { version: DiffVersion }) {
  const t = useMessages(fieldMessages);
  const date = useDateTime();
  const names = useAudienceNames();
  const { audience } = version;
  return (
    <dl className="item-version-fields">
      <dt>{t('title')}</dt>
      <dd>{version.title}</dd>
      <dt>{t('summary')}</dt>
      <dd>{version.summary || t('notSet')}</dd>
      <dt>{t('tlp')}</dt>
      <dd>
        <TlpBadge label={version.tlp} />
      </dd>
      <dt>{t('pap')}</dt>
      <dd>{version.pap ? <PapBadge label={version.pap} /> : t('notSet')}</dd>
      <dt>{t('severity')}</dt>
      <dd>{version.severity ? wordFor(t, 'severity', version.severity) : t('notSet')}</dd>
      <dt>{t('audience')}</dt>
      <dd>
        <AudienceList t={t} names={names} audience={audience} />
      </dd>
      <dt>{t('caveats')}</dt>
      <dd>{version.caveats.length ? version.caveats.join(', ') : t('none')}</dd>
      <dt>{t('indicators')}</dt>
      <dd>
        {version.indicators.length ? (
          <ul className="items-plain">
            {version.indicators.map((indicator) => (
              <li key={`${indicator.type}:${indicator.value}`}>
                <IndicatorText indicator={indicator} />
              </li>
            ))}
          </ul>
        ) : (
          t('none')
        )}
      </dd>
      <dt>{t('provenance')}</dt>
      <dd>{version.provenance ? <ProvenanceText provenance={version.provenance} /> : t('none')}</dd>
      <dt>{t('releaseAt')}</dt>
      <dd>{version.releaseAt ? date(version.releaseAt) : t('noEmbargo')}</dd>
      <dt>{t('body')}</dt>
      <dd>
        <pre className="item-body">{version.body}</pre>
      </dd>
    </dl>
  );
}

/** The non-empty parts of an audience, named. */
function audienceParts(t: Translate<FieldWord>, names: AudienceNames, audience: Partial<DiffVersion['audience']>) {
  return [
    { label: t('communities'), values: [...(audience.communities ?? [])] },
    { label: t('organisations'), values: (audience.organisations ?? []).map(names.organisation) },
    { label: t('contacts'), values: (audience.contacts ?? []).map(names.contact) },
  ].filter((part) => part.values.length > 0);
}

function AudienceList(props: { t: Translate<FieldWord>; names: AudienceNames; audience: DiffVersion['audience'] }) {
  const parts = audienceParts(props.t, props.names, props.audience);
  const { t } = props;
  if (parts.length === 0) return <>{t('none')}</>;
  return (
    <ul className="items-plain">
      {parts.map((part) => (
        <li key={part.label}>
          {part.label}: {part.values.join(', ')}
        </li>
      ))}
    </ul>
  );
}

export function IndicatorText({ indicator }: { indicator: DiffIndicator }) {
  return (
    <>
      <span className="mono">
        {indicator.type} {indicator.value}
      </span>
      {indicator.description ? ` — ${indicator.description}` : ''}
    </>
  );
}

/** Who the material came from and with which label, and the originator's consent with the audience it covers. */
export function ProvenanceText({ provenance }: { provenance: DiffProvenance }) {
  const t = useMessages(fieldMessages);
  const names = useAudienceNames();
  const consent = provenance.consent;
  const covered = consent ? audienceParts(t, names, consent.audience) : [];
  return (
    <>
      {t('provenanceText', { originator: provenance.originator, label: provenance.label })}
      {consent && <>; {t('consentText', { reference: consent.reference })}</>}
      {covered.length > 0 && <> ({covered.map((part) => `${part.label}: ${part.values.join(', ')}`).join('; ')})</>}
    </>
  );
}
