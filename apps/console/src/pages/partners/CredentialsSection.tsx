import { useState } from 'react';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/common';
import { useChange, useRead } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { HeldChannel, heldChannels } from './ChannelsSection';
import { OneTimeSecret } from './OneTimeSecret';
import { PartnersTranslate, usePartnersMessages, word } from './partner-parts';
import { ScopeChoice } from './RegisterOrganisation';
import { DEFAULT_SCOPES, PartnerScope } from './registration-form';

type OrganisationView = Schemas['OrganisationView'];
type CredentialView = Schemas['CredentialView'];
type IssuedCredentialView = Schemas['IssuedCredentialView'];

interface ChannelRef {
  organisationId: string;
  channelId: string;
}

const credentialsKey = (ref: ChannelRef) => ['organisations', ref.organisationId, 'credentials', ref.channelId];

function scopesText(t: PartnersTranslate, scopes: readonly string[]): string {
  return scopes.map((scope) => word(t, 'scope', scope)).join(', ');
}

/** Rotate (a new key at once, the old one stops) and revoke (after a confirmation). */
function CredentialActions(props: {
  credential: CredentialView;
  channel: ChannelRef;
  onIssued: (issued: IssuedCredentialView) => void;
}) {
  const t = usePartnersMessages();
  const { credential, channel } = props;
  const path = { id: channel.organisationId, channelId: channel.channelId, credentialId: credential.id };
  const [confirming, setConfirming] = useState(false);
  const rotate = useChange(
    () =>
      unwrap(
        api.POST('/organisations/{id}/channels/{channelId}/credentials/{credentialId}/rotate', { params: { path } }),
      ),
    [credentialsKey(channel)],
  );
  const revoke = useChange(
    () =>
      unwrap(api.DELETE('/organisations/{id}/channels/{channelId}/credentials/{credentialId}', { params: { path } })),
    [credentialsKey(channel)],
  );
  const context = <span className="visually-hidden"> {credential.prefix}…</span>;
  if (credential.revokedAt) return null;
  if (confirming)
    return (
      <div role="group" aria-label={t('revoke')} className="partners-confirm">
        <p>{t('confirmRevoke', { prefix: credential.prefix })}</p>
        <p className="toolbar">
          <button type="button" className="danger" disabled={revoke.isPending} onClick={() => revoke.mutate(undefined)}>
            {t('confirmRevokeButton')}
            {context}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            {t('cancel')}
          </button>
        </p>
        <ErrorMessage error={revoke.error} />
      </div>
    );
  return (
    <>
      <p className="toolbar">
        <button
          type="button"
          disabled={rotate.isPending}
          onClick={() => rotate.mutate(undefined, { onSuccess: props.onIssued })}
        >
          {t('rotate')}
          {context}
        </button>
        <button type="button" onClick={() => setConfirming(true)}>
          {t('revoke')}
          {context}
        </button>
      </p>
      <ErrorMessage error={rotate.error} />
    </>
  );
}

function CredentialTable(props: {
  credentials: CredentialView[];
  channel: ChannelRef;
  caption: string;
  onIssued: (issued: IssuedCredentialView) => void;
}) {
  const t = usePartnersMessages();
  const date = useDateTime();
  if (props.credentials.length === 0) return <p>{t('noCredentials')}</p>;
  return (
    <table>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('prefix')}</th>
          <th scope="col">{t('scopes')}</th>
          <th scope="col">{t('created')}</th>
          <th scope="col">{t('lastUsed')}</th>
          <th scope="col">{t('status')}</th>
          <th scope="col">{t('actions')}</th>
        </tr>
      </thead>
      <tbody>
        {props.credentials.map((credential) => (
          <tr key={credential.id}>
            <th scope="row">
              <code className="mono">{credential.prefix}…</code>
            </th>
            <td>{scopesText(t, credential.scopes)}</td>
            <td>{date(credential.createdAt)}</td>
            <td>{credential.lastUsedAt ? date(credential.lastUsedAt) : t('never')}</td>
            <td>
              {credential.revokedAt ? (
                <span className="state partners-status-suspended">
                  {t('revoked')} {date(credential.revokedAt)}
                </span>
              ) : (
                <span className="state partners-status-active">{t('live')}</span>
              )}
            </td>
            <td>
              <CredentialActions credential={credential} channel={props.channel} onIssued={props.onIssued} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One pull channel's credentials: list, create, rotate, revoke; a new key is shown once. */
function ChannelCredentials({ organisation, held }: { organisation: OrganisationView; held: HeldChannel }) {
  const t = usePartnersMessages();
  const ref = { organisationId: organisation.id, channelId: held.channel.id };
  const channel = held.contact ? t('personalFeed', { name: held.contact.name }) : t('teamFeed');
  const [scopes, setScopes] = useState<PartnerScope[]>([...DEFAULT_SCOPES]);
  const [issued, setIssued] = useState<IssuedCredentialView | null>(null);
  const path = { id: ref.organisationId, channelId: ref.channelId };
  const credentials = useRead(credentialsKey(ref), () =>
    unwrap(api.GET('/organisations/{id}/channels/{channelId}/credentials', { params: { path } })),
  );
  const create = useChange(
    (body: { scopes: PartnerScope[] }) =>
      unwrap(api.POST('/organisations/{id}/channels/{channelId}/credentials', { params: { path }, body })),
    [credentialsKey(ref)],
  );
  const titleId = `credentials-${held.channel.id}`;
  return (
    <section aria-labelledby={titleId} className="partners-credentials">
      <h3 id={titleId}>{t('credentialsOf', { channel })}</h3>
      {issued && (
        <OneTimeSecret
          label={t('newKeyFor', { channel, scopes: scopesText(t, issued.scopes) })}
          value={issued.apiKey}
          onDone={() => setIssued(null)}
        />
      )}
      <ErrorMessage error={credentials.error} />
      {credentials.isPending && <Loading />}
      {credentials.data && (
        <CredentialTable
          credentials={credentials.data}
          channel={ref}
          caption={t('credentialsCaption', { channel })}
          onIssued={setIssued}
        />
      )}
      <form
        className="partners-inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate({ scopes }, { onSuccess: setIssued });
        }}
      >
        <ScopeChoice
          id={`${titleId}-scopes`}
          scopes={scopes}
          onChange={setScopes}
          error={create.error instanceof ApiError ? create.error.forField('scopes') : null}
        />
        <button type="submit" disabled={create.isPending}>
          {t('createCredential')}
          <span className="visually-hidden"> ({channel})</span>
        </button>
        <ErrorMessage error={create.error} />
      </form>
    </section>
  );
}

/** Credentials of each pull channel (team and personal), for administrators only. */
export function CredentialsSection({ organisation }: { organisation: OrganisationView }) {
  const t = usePartnersMessages();
  const feeds = heldChannels(organisation).filter((held) => held.channel.kind === 'feed');
  if (feeds.length === 0) return null;
  return (
    <section aria-labelledby="credentials-title">
      <h2 id="credentials-title">{t('credentials')}</h2>
      <p className="hint">{t('credentialsHint')}</p>
      {feeds.map((held) => (
        <ChannelCredentials key={held.channel.id} organisation={organisation} held={held} />
      ))}
    </section>
  );
}
