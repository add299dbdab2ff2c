import { FormEvent, useState } from 'react';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { Field, fieldProps } from '../../components/Field';
import { useChange } from '../../components/useApi';
import { PartnersTranslate, usePartnersMessages, word } from './partner-parts';
import {
  CHANNEL_KINDS,
  ChannelForm,
  ChannelKind,
  emptyRegistration,
  newChannel,
  ORGANISATION_KINDS,
  OrganisationKind,
  PARTNER_SCOPES,
  PartnerScope,
  registrationBody,
  RegistrationForm,
  Relation,
  RELATIONS,
  toggleScope,
} from './registration-form';

type OrganisationView = Schemas['OrganisationView'];

/** Scope checkboxes for a feed key (registration, contacts, new credentials). */
export function ScopeChoice(props: {
  id: string;
  scopes: readonly PartnerScope[];
  onChange: (scopes: PartnerScope[]) => void;
  error?: string | null;
}) {
  const t = usePartnersMessages();
  return (
    <fieldset className="partners-scopes" aria-describedby={props.error ? `${props.id}-error` : undefined}>
      <legend>{t('scopes')}</legend>
      {PARTNER_SCOPES.map((scope) => (
        <label key={scope} className="inline">
          <input
            type="checkbox"
            checked={props.scopes.includes(scope)}
            onChange={(e) => props.onChange(toggleScope(props.scopes, scope, e.target.checked))}
          />
          {word(t, 'scope', scope)}
        </label>
      ))}
      {props.error && (
        <p id={`${props.id}-error`} className="field-error">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}

function ChannelFields(props: {
  index: number;
  channel: ChannelForm;
  error: ApiError | null;
  onChange: (channel: ChannelForm) => void;
  onRemove: (() => void) | null;
  t: PartnersTranslate;
}) {
  const { index, channel, error, onChange, t } = props;
  const id = `register-channel-${index}`;
  const problem = (field: string) => error?.forField(`channels.${index}.${field}`) ?? null;
  const addressError = problem('address') ?? error?.forField('channels.address') ?? null;
  return (
    <fieldset className="partners-channel">
      <legend>{t('channelN', { n: index + 1 })}</legend>
      <div className="row">
        <Field id={`${id}-kind`} label={t('channelKind')} error={problem('kind')}>
          <select
            {...fieldProps(`${id}-kind`, problem('kind'))}
            value={channel.kind}
            onChange={(e) => onChange({ ...channel, kind: e.target.value as ChannelKind })}
          >
            {CHANNEL_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {word(t, 'channel', kind)}
              </option>
            ))}
          </select>
        </Field>
        {channel.kind !== 'feed' && (
          <Field id={`${id}-address`} label={t('address')} hint={t(`addressHint_${channel.kind}`)} error={addressError}>
            <input
              {...fieldProps(`${id}-address`, addressError, true)}
              type={channel.kind === 'email' ? 'email' : 'url'}
              required
              value={channel.address}
              onChange={(e) => onChange({ ...channel, address: e.target.value })}
            />
          </Field>
        )}
        {channel.kind === 'webhook' && (
          <Field id={`${id}-secret`} label={t('secret')} hint={t('secretHint')} error={problem('secret')}>
            <input
              {...fieldProps(`${id}-secret`, problem('secret'), true)}
              type="password"
              autoComplete="off"
              value={channel.secret}
              onChange={(e) => onChange({ ...channel, secret: e.target.value })}
            />
          </Field>
        )}
      </div>
      <label className="inline">
        <input
          type="checkbox"
          checked={channel.redistributes}
          onChange={(e) => onChange({ ...channel, redistributes: e.target.checked })}
        />
        {t('redistributes')}
      </label>
      {channel.kind === 'feed' && (
        <ScopeChoice
          id={`${id}-scopes`}
          scopes={channel.scopes}
          error={problem('scopes')}
          onChange={(scopes) => onChange({ ...channel, scopes })}
        />
      )}
      {props.onRemove && (
        <button type="button" onClick={props.onRemove}>
          {t('removeChannel', { n: index + 1 })}
        </button>
      )}
    </fieldset>
  );
}

function OrganisationFields(props: {
  form: RegistrationForm;
  set: (change: Partial<RegistrationForm>) => void;
  error: ApiError | null;
}) {
  const t = usePartnersMessages();
  const { form, set, error } = props;
  const problem = (field: string) => error?.forField(field) ?? null;
  return (
    <>
      <div className="row">
        <Field id="register-name" label={t('name')} error={problem('name')}>
          <input
            {...fieldProps('register-name', problem('name'))}
            required
            value={form.name}
            onChange={(e) => set({ name: e.target.value })}
          />
        </Field>
        <Field id="register-kind" label={t('kind')} error={problem('kind')}>
          <select
            {...fieldProps('register-kind', problem('kind'))}
            value={form.kind}
            onChange={(e) => set({ kind: e.target.value as OrganisationKind })}
          >
            {ORGANISATION_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {word(t, 'kind', kind)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="register-relation" label={t('relation')} error={problem('relation')}>
          <select
            {...fieldProps('register-relation', problem('relation'))}
            value={form.relation}
            onChange={(e) => set({ relation: e.target.value as Relation })}
          >
            {RELATIONS.map((relation) => (
              <option key={relation} value={relation}>
                {word(t, 'relation', relation)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="register-country" label={t('country')} hint={t('countryHint')} error={problem('country')}>
          <input
            {...fieldProps('register-country', problem('country'), true)}
            maxLength={2}
            value={form.country}
            onChange={(e) => set({ country: e.target.value })}
          />
        </Field>
      </div>
      <div className="row">
        <Field id="register-communities" label={t('communities')} hint={t('listHint')} error={problem('communities')}>
          <input
            {...fieldProps('register-communities', problem('communities'), true)}
            value={form.communities}
            onChange={(e) => set({ communities: e.target.value })}
          />
        </Field>
        <Field
          id="register-accreditations"
          label={t('accreditations')}
          hint={t('listHint')}
          error={problem('accreditations')}
        >
          <input
            {...fieldProps('register-accreditations', problem('accreditations'), true)}
            value={form.accreditations}
            onChange={(e) => set({ accreditations: e.target.value })}
          />
        </Field>
      </div>
    </>
  );
}

/** The armored key and, optionally, the fingerprint it must have: shared by registration, contacts and key replacement. */
export function KeyFields(props: {
  id: string;
  publicKey: string;
  fingerprint: string;
  onChange: (change: { publicKey?: string; fingerprint?: string }) => void;
  error: ApiError | null;
  hint?: string;
}) {
  const t = usePartnersMessages();
  const keyError = props.error?.forField('publicKey') ?? null;
  const fingerprintError = props.error?.forField('fingerprint') ?? null;
  return (
    <>
      <Field id={`${props.id}-key`} label={t('publicKey')} hint={props.hint ?? t('publicKeyHint')} error={keyError}>
        <textarea
          {...fieldProps(`${props.id}-key`, keyError, true)}
          className="mono partners-key-input"
          required
          spellCheck={false}
          value={props.publicKey}
          onChange={(e) => props.onChange({ publicKey: e.target.value })}
        />
      </Field>
      <Field
        id={`${props.id}-fingerprint`}
        label={t('fingerprint')}
        hint={t('fingerprintHint')}
        error={fingerprintError}
      >
        <input
          {...fieldProps(`${props.id}-fingerprint`, fingerprintError, true)}
          className="mono"
          value={props.fingerprint}
          onChange={(e) => props.onChange({ fingerprint: e.target.value })}
        />
      </Field>
    </>
  );
}

/** POST /organisations from the DTO's fields; the answer (with its one-time keys) goes to `onRegistered`. */
export function RegisterOrganisation(props: {
  onRegistered: (organisation: OrganisationView) => void;
  onCancel: () => void;
}) {
  const t = usePartnersMessages();
  const [form, setForm] = useState<RegistrationForm>(emptyRegistration);
  const set = (change: Partial<RegistrationForm>) => setForm((current) => ({ ...current, ...change }));
  const register = useChange(
    // The generated type makes every field with a default required (scopes on every channel), but the
    // API refuses scopes on a channel that is not a feed: the body leaves out what a channel does not take.
    (body: RegistrationForm) =>
      unwrap(api.POST('/organisations', { body: registrationBody(body) as Schemas['CreateOrganisationDto'] })),
    [['organisations'], ['keys']],
  );
  const error = register.error instanceof ApiError ? register.error : null;
  const setChannel = (index: number, channel: ChannelForm) =>
    set({ channels: form.channels.map((c, i) => (i === index ? channel : c)) });

  function submit(event: FormEvent) {
    event.preventDefault();
    register.mutate(form, { onSuccess: props.onRegistered });
  }

  return (
    <form className="partners-form" onSubmit={submit} aria-labelledby="register-title" noValidate>
      <h2 id="register-title">{t('registerTitle')}</h2>
      <ErrorMessage error={register.error} />
      <OrganisationFields form={form} set={set} error={error} />
      <KeyFields
        id="register"
        publicKey={form.publicKey}
        fingerprint={form.fingerprint}
        onChange={(change) => set(change)}
        error={error}
      />
      <h3>{t('channels')}</h3>
      {error?.forField('channels') && !error.details.some((d) => /^channels\.\d/.test(d.field)) && (
        <p className="field-error">{error.forField('channels')}</p>
      )}
      {form.channels.map((channel, index) => (
        <ChannelFields
          key={index}
          index={index}
          channel={channel}
          error={error}
          t={t}
          onChange={(next) => setChannel(index, next)}
          onRemove={
            form.channels.length > 1 ? () => set({ channels: form.channels.filter((_, i) => i !== index) }) : null
          }
        />
      ))}
      <p className="toolbar">
        <button type="button" onClick={() => set({ channels: [...form.channels, newChannel('email')] })}>
          {t('addChannel')}
        </button>
      </p>
      <p className="toolbar">
        <button type="submit" className="primary" disabled={register.isPending}>
          {register.isPending ? t('registering') : t('registerSubmit')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('cancel')}
        </button>
      </p>
    </form>
  );
}
