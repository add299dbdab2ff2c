import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, Schemas, unwrap } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/common';
import { useRead } from '../../components/useApi';
import { useSession } from '../../session/session';
import { matchesSearch } from './organisation-filter';
import { OneTimeSecret } from './OneTimeSecret';
import { KeyExpiry, Names, PartnerStatus, PartnersTranslate, useNow, usePartnersMessages, word } from './partner-parts';
import { RegisterOrganisation } from './RegisterOrganisation';
import { oneTimeValues } from './registration-form';

type OrganisationView = Schemas['OrganisationView'];

/** What registration answered: the organisation, and each key or secret it hands out this once. */
function Registered({ organisation, onDone }: { organisation: OrganisationView; onDone: () => void }) {
  const t = usePartnersMessages();
  const values = oneTimeValues(organisation.channels);
  return (
    <section className="partners-registered" aria-labelledby="registered-title">
      <h2 id="registered-title">{t('registered', { name: organisation.name })}</h2>
      {values.length > 0 && <h3>{t('oneTimeTitle')}</h3>}
      {values.map((value) => (
        <OneTimeSecret
          key={`${value.channelId}-${value.what}`}
          value={value.value}
          label={
            value.what === 'apiKey'
              ? t('apiKeyFor', {
                  channel: word(t, 'channel', value.channelKind),
                  scopes: value.scopes.map((s) => word(t, 'scope', s)).join(', '),
                })
              : t('secretFor', { address: value.address ?? '' })
          }
        />
      ))}
      <p className="toolbar">
        <Link to={`/partners/${organisation.id}`}>{t('openOrganisation', { name: organisation.name })}</Link>
        <button type="button" onClick={onDone}>
          {t('hide')}
        </button>
      </p>
    </section>
  );
}

function OrganisationTable({ organisations, t }: { organisations: OrganisationView[]; t: PartnersTranslate }) {
  const now = useNow();
  return (
    <table>
      <caption>{t('listCaption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('name')}</th>
          <th scope="col">{t('kind')}</th>
          <th scope="col">{t('relation')}</th>
          <th scope="col">{t('country')}</th>
          <th scope="col">{t('communities')}</th>
          <th scope="col">{t('accreditations')}</th>
          <th scope="col">{t('status')}</th>
          <th scope="col">{t('keyExpiry')}</th>
        </tr>
      </thead>
      <tbody>
        {organisations.map((organisation) => (
          <tr key={organisation.id}>
            <th scope="row">
              <Link to={`/partners/${organisation.id}`}>{organisation.name}</Link>
            </th>
            <td>{word(t, 'kind', organisation.kind)}</td>
            <td>{word(t, 'relation', organisation.relation)}</td>
            <td>{organisation.country ?? '—'}</td>
            <td>
              <Names values={organisation.communities} />
            </td>
            <td>
              <Names values={organisation.accreditations} />
            </td>
            <td>
              <PartnerStatus status={organisation.status} />
            </td>
            <td>
              <KeyExpiry dates={organisation.key} now={now} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every partner organisation, searchable; administrators register new ones here. */
export function OrganisationList() {
  const t = usePartnersMessages();
  const { hasRole } = useSession();
  const isAdmin = hasRole('admin');
  const [query, setQuery] = useState('');
  const [registering, setRegistering] = useState(false);
  const [registered, setRegistered] = useState<OrganisationView | null>(null);
  const organisations = useRead(['organisations'], () => unwrap(api.GET('/organisations')));
  const all = organisations.data ?? [];
  const shown = all.filter((organisation) => matchesSearch(organisation, query));

  return (
    <>
      {isAdmin ? (
        <p className="toolbar">
          {!registering && (
            <button type="button" className="primary" onClick={() => setRegistering(true)}>
              {t('register')}
            </button>
          )}
        </p>
      ) : (
        <p className="hint">{t('readOnly')}</p>
      )}
      {registered && <Registered organisation={registered} onDone={() => setRegistered(null)} />}
      {isAdmin && registering && (
        <RegisterOrganisation
          onCancel={() => setRegistering(false)}
          onRegistered={(organisation) => {
            setRegistering(false);
            setRegistered(organisation);
          }}
        />
      )}
      <h2>{t('organisations')}</h2>
      <div className="partners-search">
        <label htmlFor="partners-search">{t('search')}</label>
        <input
          id="partners-search"
          type="search"
          aria-describedby="partners-search-hint"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <p id="partners-search-hint" className="hint">
          {t('searchHint')}
        </p>
      </div>
      <ErrorMessage error={organisations.error} />
      {organisations.isPending && <Loading />}
      {organisations.data && (
        <>
          <p role="status" aria-live="polite" className="hint">
            {t('shown', { shown: shown.length, total: all.length })}
          </p>
          {shown.length === 0 ? <p>{t('none')}</p> : <OrganisationTable organisations={shown} t={t} />}
        </>
      )}
    </>
  );
}
