import { api, Schemas, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { useChange } from '../../components/useApi';
import { PartnerStatus, PartnersTranslate, usePartnersMessages, word } from './partner-parts';

type OrganisationView = Schemas['OrganisationView'];
type ChannelView = Schemas['ChannelView'];

/** A channel with the contact it belongs to (null: a team channel). */
export interface HeldChannel {
  readonly channel: ChannelView;
  readonly contact: { id: string; name: string } | null;
}

/** The organisation's team channels, then each contact's personal channels. */
export function heldChannels(organisation: OrganisationView): HeldChannel[] {
  return [
    ...organisation.channels.map((channel) => ({ channel, contact: null })),
    ...organisation.contacts.flatMap((contact) =>
      contact.channels.map((channel) => ({ channel, contact: { id: contact.id, name: contact.name } })),
    ),
  ];
}

/** "Pull feed channel of Team" / "E-mail channel of Jane Doe", to name a channel's buttons. */
export function channelName(t: PartnersTranslate, held: HeldChannel, organisation: string): string {
  return t('channelLabel', { kind: word(t, 'channel', held.channel.kind), holder: held.contact?.name ?? organisation });
}

function ChannelStatusButton({
  organisationId,
  held,
  label,
}: {
  organisationId: string;
  held: HeldChannel;
  label: string;
}) {
  const t = usePartnersMessages();
  const change = useChange(
    (status: 'active' | 'suspended') =>
      unwrap(
        api.PATCH('/organisations/{id}/channels/{channelId}', {
          params: { path: { id: organisationId, channelId: held.channel.id } },
          body: { status },
        }),
      ),
    [['organisations'], ['keys']],
  );
  const suspended = held.channel.status === 'suspended';
  return (
    <>
      <button
        type="button"
        disabled={change.isPending}
        onClick={() => change.mutate(suspended ? 'active' : 'suspended')}
      >
        {suspended ? t('reinstate') : t('suspend')}
        <span className="visually-hidden"> {label}</span>
      </button>
      <ErrorMessage error={change.error} />
    </>
  );
}

/** Every channel, personal or not, with its state; administrators suspend and reinstate them. */
export function ChannelsSection({ organisation, isAdmin }: { organisation: OrganisationView; isAdmin: boolean }) {
  const t = usePartnersMessages();
  const channels = heldChannels(organisation);
  return (
    <section aria-labelledby="channels-title">
      <h2 id="channels-title">{t('channels')}</h2>
      <table>
        <caption>{t('channelsCaption', { name: organisation.name })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('channelKind')}</th>
            <th scope="col">{t('address')}</th>
            <th scope="col">{t('holder')}</th>
            <th scope="col">{t('redistributesHeader')}</th>
            <th scope="col">{t('status')}</th>
            {isAdmin && <th scope="col">{t('actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {channels.map((held) => (
            <tr key={held.channel.id}>
              <th scope="row">{word(t, 'channel', held.channel.kind)}</th>
              <td className="mono">{held.channel.address ?? '—'}</td>
              <td>{held.contact ? t('personalOf', { name: held.contact.name }) : t('team')}</td>
              <td>{held.channel.redistributes ? t('yes') : t('no')}</td>
              <td>
                <PartnerStatus status={held.channel.status} />
              </td>
              {isAdmin && (
                <td>
                  <ChannelStatusButton
                    organisationId={organisation.id}
                    held={held}
                    label={channelName(t, held, organisation.name)}
                  />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
