import { FormEvent, ReactNode, useRef, useState } from 'react';
import { PAP_LABELS, TLP_LABELS } from '@tlp-broker/tlp/labels';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { PapBadge, TlpBadge } from '../../components/labels';
import { useChange } from '../../components/useApi';
import { useMessages } from '../../i18n/i18n';
import { GroupField } from '../compose/LabelPickers';
import { FormProblems, useFocusProblem, useFocusWhen } from './focus';
import { triageMessages } from './messages';
import { labelOf, SubmissionDetail } from './submission-words';
import { placeProblems } from './triage-rules';

type Tlp = Schemas['ConfirmLabelDto']['tlp'];
type Pap = NonNullable<Schemas['ConfirmLabelDto']['pap']>;

function Choice(props: { name: string; value: string; checked: boolean; onChoose(): void; children: ReactNode }) {
  const id = `${props.name}-${props.value.replace(/[^a-z0-9]+/gi, '-') || 'keep'}`;
  return (
    <div className="compose-choice">
      <input type="radio" id={id} name={props.name} checked={props.checked} onChange={props.onChoose} />
      <label htmlFor={id} className="inline">
        {props.children}
      </label>
    </div>
  );
}

/**
 * The label and PAP as the source confirmed them (by phone, by a signed reply): the assumed label
 * becomes the confirmed one, and drafting an item is then possible.
 */
export function ConfirmLabel({ submission }: { submission: SubmissionDetail }) {
  const t = useMessages(triageMessages);
  const current = labelOf(submission);
  const [tlp, setTlp] = useState<Tlp>((current.tlp as Tlp | null) ?? 'TLP:AMBER');
  const [pap, setPap] = useState<Pap | ''>('');
  const confirm = useChange(
    (body: Schemas['ConfirmLabelDto']) =>
      unwrap(api.POST('/submissions/{id}/label', { params: { path: { id: submission.id } }, body })),
    [['submission', submission.id], ['submissions']],
  );
  const form = useRef<HTMLFormElement>(null);
  const done = useFocusWhen<HTMLParagraphElement>(confirm.data);
  useFocusProblem(form, confirm.error);
  const problems = placeProblems(confirm.error instanceof ApiError ? confirm.error.details : [], {
    tlp: ['tlp'],
    pap: ['pap'],
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    confirm.mutate({ tlp, ...(pap ? { pap } : {}) });
  }

  return (
    <form ref={form} className="inbox-form" onSubmit={submit} noValidate aria-labelledby="confirm-label-title">
      <h3 id="confirm-label-title">{current.assumed ? t('confirmLabelTitle') : t('correctLabelTitle')}</h3>
      <p className="hint">{t('confirmLabelHint')}</p>
      <GroupField id="confirm-tlp" legend={t('tlpConfirmed')} error={problems.byField.tlp} className="compose-labels">
        {TLP_LABELS.map((label) => (
          <Choice key={label} name="confirm-tlp" value={label} checked={tlp === label} onChoose={() => setTlp(label)}>
            <TlpBadge label={label} />
          </Choice>
        ))}
      </GroupField>
      <GroupField id="confirm-pap" legend={t('papConfirmed')} error={problems.byField.pap} className="compose-labels">
        <Choice name="confirm-pap" value="" checked={pap === ''} onChoose={() => setPap('')}>
          {current.pap ? t('papKeep', { pap: current.pap }) : t('papKeepNone')}
        </Choice>
        {PAP_LABELS.map((label) => (
          <Choice key={label} name="confirm-pap" value={label} checked={pap === label} onChoose={() => setPap(label)}>
            <PapBadge label={label} />
          </Choice>
        ))}
      </GroupField>
      <FormProblems error={confirm.error} other={problems.other} />
      <div className="toolbar">
        <button type="submit" className="primary" disabled={confirm.isPending}>
          {t('confirmLabel')}
        </button>
      </div>
      {confirm.data && (
        <p role="status" className="notice" ref={done} tabIndex={-1}>
          {t('labelConfirmed', { tlp: confirm.data.tlp ?? '—', pap: confirm.data.pap ?? t('noPapShort') })}
        </p>
      )}
    </form>
  );
}
