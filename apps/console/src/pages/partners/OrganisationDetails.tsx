import { FormEvent, useState } from 'react';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { Field, fieldProps } from '../../components/Field';
import { useChange } from '../../components/useApi';
import { parseList } from './organisation-filter';
import { Fingerprint, KeyExpiry, Names, PartnerStatus, useNow, usePartnersMessages, word } from './partner-parts';

type OrganisationView = Schemas['OrganisationView'];
type OrganisationChange = { status?: 'active' | 'suspended'; communities?: string[]; accreditations?: string[] };

/** PATCH /organisations/{id}, refreshing the organisation, the list and the key report. */
export function useOrganisationChange(id: string) {
  return useChange(
    (body: OrganisationChange) => unwrap(api.PATCH('/organisations/{id}', { params: { path: { id } }, body })),
    [['organisations'], ['keys']],
  );
}

/** Communities and accreditations, changed together with one Save. */
function ListsForm({ organisation }: { organisation: OrganisationView }) {
  const t = usePartnersMessages();
  const [communities, setCommunities] = useState(organisation.communities.join(', '));
  const [accreditations, setAccreditations] = useState(organisation.accreditations.join(', '));
  const change = useOrganisationChange(organisation.id);
  const error = change.error instanceof ApiError ? change.error : null;
  const communitiesError = error?.forField('communities') ?? null;
  const accreditationsError = error?.forField('accreditations') ?? null;

  function submit(event: FormEvent) {
    event.preventDefault();
    change.mutate({ communities: parseList(communities), accreditations: parseList(accreditations) });
  }

  return (
    <form className="partners-form" onSubmit={submit} aria-labelledby="lists-title" noValidate>
      <h3 id="lists-title">{t('editLists')}</h3>
      <ErrorMessage error={change.error} />
      <div className="row">
        <Field id="lists-communities" label={t('communities')} hint={t('listHint')} error={communitiesError}>
          <input
            {...fieldProps('lists-communities', communitiesError, true)}
            value={communities}
            onChange={(e) => setCommunities(e.target.value)}
          />
        </Field>
        <Field id="lists-accreditations" label={t('accreditations')} hint={t('listHint')} error={accreditationsError}>
          <input
            {...fieldProps('lists-accreditations', accreditationsError, true)}
            value={accreditations}
            onChange={(e) => setAccreditations(e.target.value)}
          />
        </Field>
      </div>
      <p className="toolbar">
        <button type="submit" disabled={change.isPending}>
          {change.isPending ? t('saving') : t('save')}
        </button>
        <span role="status" aria-live="polite">
          {change.isSuccess ? t('saved') : ''}
        </span>
      </p>
    </form>
  );
}

function SuspendOrganisation({ organisation }: { organisation: OrganisationView }) {
  const t = usePartnersMessages();
  const change = useOrganisationChange(organisation.id);
  const suspended = organisation.status === 'suspended';
  return (
    <div className="partners-admin">
      <p className="toolbar">
        <button
          type="button"
          className={suspended ? undefined : 'danger'}
          aria-describedby="suspend-hint"
          disabled={change.isPending}
          onClick={() => change.mutate({ status: suspended ? 'active' : 'suspended' })}
        >
          {suspended ? t('reinstateOrganisation') : t('suspendOrganisation')}
        </button>
      </p>
      <p id="suspend-hint" className="hint">
        {t('suspendHint')}
      </p>
      <ErrorMessage error={change.error} />
    </div>
  );
}

/** The organisation's own details; administrators suspend or reinstate it and change its lists. */
export function OrganisationDetails({ organisation, isAdmin }: { organisation: OrganisationView; isAdmin: boolean }) {
  const t = usePartnersMessages();
  const now = useNow();
  return (
    <section aria-labelledby="details-title">
      <h2 id="details-title">{t('details')}</h2>
      <dl className="partners-details">
        <dt>{t('kind')}</dt>
        <dd>{word(t, 'kind', organisation.kind)}</dd>
        <dt>{t('relation')}</dt>
        <dd>{word(t, 'relation', organisation.relation)}</dd>
        <dt>{t('country')}</dt>
        <dd>{organisation.country ?? '—'}</dd>
        <dt>{t('communities')}</dt>
        <dd>
          <Names values={organisation.communities} />
        </dd>
        <dt>{t('accreditations')}</dt>
        <dd>
          <Names values={organisation.accreditations} />
        </dd>
        <dt>{t('status')}</dt>
        <dd>
          <PartnerStatus status={organisation.status} />
        </dd>
        <dt>{t('key')}</dt>
        <dd>
          <Fingerprint value={organisation.key?.fingerprint} />
          {organisation.key && ' — '}
          <KeyExpiry dates={organisation.key} now={now} />
        </dd>
      </dl>
      {isAdmin && (
        <>
          <SuspendOrganisation organisation={organisation} />
          <ListsForm organisation={organisation} />
        </>
      )}
    </section>
  );
}
