import { FormEvent, useState } from 'react';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { Field, fieldProps } from '../../components/Field';
import { useChange } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { Fingerprint, KeyExpiry, useNow, usePartnersMessages } from './partner-parts';
import { KeyFields } from './RegisterOrganisation';
import { groupFingerprint } from './key-health';
import { readableAlgorithm } from './key-algorithm';

type OrganisationView = Schemas['OrganisationView'];
type KeyView = Schemas['KeyView'];

interface HeldKey {
  /** null: the organisation's own key. */
  contactId: string | null;
  holder: string;
  key: KeyView | null;
}

function heldKeys(organisation: OrganisationView, organisationLabel: string): HeldKey[] {
  return [
    { contactId: null, holder: organisationLabel, key: organisation.key },
    ...organisation.contacts.map((contact) => ({ contactId: contact.id, holder: contact.name, key: contact.key })),
  ];
}

function KeyRow({ held, now }: { held: HeldKey; now: number }) {
  const t = usePartnersMessages();
  const date = useDateTime();
  const { key } = held;
  return (
    <tr>
      <th scope="row">{held.holder}</th>
      <td>
        <Fingerprint value={key?.fingerprint} />
      </td>
      <td title={key?.algorithm}>{key ? readableAlgorithm(key.algorithm) : '—'}</td>
      <td>{key ? `v${key.version}` : '—'}</td>
      <td>{key ? date(key.createdAt) : '—'}</td>
      <td>
        <KeyExpiry dates={key} now={now} />
      </td>
      <td>{key?.revokedAt ? <span className="warning">{date(key.revokedAt)}</span> : t('notRevoked')}</td>
      <td>{key ? key.modernOnly ? <span title={t('modernOnlyHint')}>{t('yes')}</span> : t('no') : '—'}</td>
    </tr>
  );
}

/** PUT …/key (the organisation's) or …/contacts/{contactId}/key, with an armored key pasted in. */
function ReplaceKey(props: { organisation: OrganisationView; keys: HeldKey[]; onClose: () => void }) {
  const { organisation, keys } = props;
  const t = usePartnersMessages();
  const [holder, setHolder] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  const replace = useChange(
    (input: { contactId: string; body: { publicKey: string; fingerprint?: string } }) => {
      const id = organisation.id;
      return input.contactId
        ? unwrap(
            api.PUT('/organisations/{id}/contacts/{contactId}/key', {
              params: { path: { id, contactId: input.contactId } },
              body: input.body,
            }),
          )
        : unwrap(api.PUT('/organisations/{id}/key', { params: { path: { id } }, body: input.body }));
    },
    [['organisations'], ['keys']],
  );
  const error = replace.error instanceof ApiError ? replace.error : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    const pinned = fingerprint.trim();
    replace.mutate(
      { contactId: holder, body: { publicKey: publicKey.trim(), ...(pinned ? { fingerprint: pinned } : {}) } },
      {
        onSuccess: () => {
          setPublicKey('');
          setFingerprint('');
        },
      },
    );
  }

  return (
    <form className="partners-form" onSubmit={submit} aria-labelledby="replace-key-title" noValidate>
      <h3 id="replace-key-title">{t('replaceKey')}</h3>
      <ErrorMessage error={replace.error} />
      <Field id="replace-key-holder" label={t('replaceKeyOf')}>
        <select {...fieldProps('replace-key-holder')} value={holder} onChange={(e) => setHolder(e.target.value)}>
          {keys.map((held) => (
            <option key={held.contactId ?? ''} value={held.contactId ?? ''}>
              {held.holder}
            </option>
          ))}
        </select>
      </Field>
      <KeyFields
        id="replace-key"
        publicKey={publicKey}
        fingerprint={fingerprint}
        hint={t('replaceKeyHint')}
        error={error}
        onChange={(change) => {
          if (change.publicKey !== undefined) setPublicKey(change.publicKey);
          if (change.fingerprint !== undefined) setFingerprint(change.fingerprint);
        }}
      />
      <p className="toolbar">
        <button type="submit" className="primary" disabled={replace.isPending}>
          {t('replaceKeySubmit')}
        </button>
        <button type="button" onClick={props.onClose}>
          {replace.isSuccess ? t('close') : t('cancel')}
        </button>
      </p>
      <p role="status" aria-live="polite">
        {replace.data &&
          t(`keyResult_${replace.data.result}`, { fingerprint: groupFingerprint(replace.data.key.fingerprint) })}
      </p>
    </form>
  );
}

/** The keys of the organisation and its contacts; administrators replace them. */
export function KeysSection({ organisation, isAdmin }: { organisation: OrganisationView; isAdmin: boolean }) {
  const t = usePartnersMessages();
  const now = useNow();
  const keys = heldKeys(organisation, t('organisationKey', { name: organisation.name }));
  const [replacing, setReplacing] = useState(false);
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">{t('keys')}</h2>
      <table>
        <caption>{t('keysCaption', { name: organisation.name })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('holder')}</th>
            <th scope="col">{t('fingerprintHeader')}</th>
            <th scope="col">{t('algorithm')}</th>
            <th scope="col">{t('version')}</th>
            <th scope="col">{t('created')}</th>
            <th scope="col">{t('expires')}</th>
            <th scope="col">{t('revokedAt')}</th>
            <th scope="col">{t('modernOnly')}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((held) => (
            <KeyRow key={held.contactId ?? 'organisation'} held={held} now={now} />
          ))}
        </tbody>
      </table>
      <p className="hint">{t('modernOnlyHint')}</p>
      {isAdmin &&
        (replacing ? (
          <ReplaceKey
            organisation={organisation}
            keys={keys.filter((held) => held.key !== null)}
            onClose={() => setReplacing(false)}
          />
        ) : (
          <p className="toolbar">
            <button type="button" onClick={() => setReplacing(true)}>
              {t('replaceKey')}
            </button>
          </p>
        ))}
    </section>
  );
}
