import { RefObject, useCallback, useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { useChange } from '../../components/useApi';
import { fromLocalInput } from '../../i18n/format';
import { useMessages, usePreferences } from '../../i18n/i18n';
import { useSession } from '../../session/session';
import { AudiencePicker, Partner } from './AudiencePicker';
import { BODY_ID, BodyEditor, BodyTab } from './BodyEditor';
import { buildRequest, BuiltRequest, ComposeForm, consentProblems, ItemRequest, previewRequest } from './compose-form';
import { ContentFields } from './ContentFields';
import { ErrorSummary, focusControl } from './ErrorSummary';
import { placeProblems, withProblems } from './field-errors';
import { IndicatorsTable, RowErrors } from './IndicatorsTable';
import { Caveat, CaveatsPicker, LabelPickers } from './LabelPickers';
import { composeMessages } from './messages';
import { EmbargoField, ProvenanceFields } from './ProvenanceFields';
import { RecipientPreview } from './RecipientPreview';
import { Refusal, usePreview } from './usePreview';

interface Props {
  /** The item a new version is written for; null for a new item. */
  itemId: string | null;
  initial: ComposeForm;
  partners: Partner[];
  caveats: Caveat[];
}

/** A refusal of the submission, with the form it was about. */
interface Submitted {
  refusal: Refusal;
  form: ComposeForm;
}

/** The API's 400 as a refusal; a 400 that names no field is listed at the top of the form. */
function refusalOf(error: ApiError, indicatorRows: number[]): Refusal {
  const details = error.details.length > 0 ? error.details : [{ field: '', message: error.message }];
  return { errors: placeProblems(details), indicatorRows };
}

/** The API's words per table row: the request's indicator positions read back as row keys. */
function rowErrorsOf(refusal: Refusal): RowErrors {
  return Object.fromEntries(
    Object.entries(refusal.errors.indicators).map(([index, problems]) => [
      refusal.indicatorRows[Number(index)],
      problems,
    ]),
  );
}

/**
 * Submission: POST /items (or PUT /items/:id), then the item's page; a 400 is kept with the form it
 * was about (and the error summary that lists it is focused), any other failure in the API's words.
 */
function useSubmit(itemId: string | null, summaryRef: RefObject<HTMLDivElement | null>) {
  const navigate = useNavigate();
  const [refused, setRefused] = useState<Submitted | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const mutation = useChange(
    (body: ItemRequest) => {
      const request = body as Schemas['CreateItemDto'];
      return itemId
        ? unwrap(api.PUT('/items/{id}', { params: { path: { id: itemId } }, body: request }))
        : unwrap(api.POST('/items', { body: request }));
    },
    [['items']],
  );

  useEffect(() => {
    if (refused) summaryRef.current?.focus();
  }, [refused, summaryRef]);

  /** `blocked`: problems the form found itself; then nothing is sent, and they are listed as a refusal. */
  function submit(form: ComposeForm, built: BuiltRequest, blocked: Refusal | null) {
    setFailure(null);
    if (blocked) {
      setRefused({ refusal: blocked, form });
      return;
    }
    mutation.mutate(built.body, {
      onSuccess: (item) => void navigate(`/items/${item.id}`),
      onError: (error) => {
        if (error instanceof ApiError && error.status === 400)
          setRefused({ refusal: refusalOf(error, built.indicatorRows), form });
        else setFailure(error);
      },
    });
  }

  return { submit, submitted: { refused, pending: mutation.isPending }, failure };
}

/** The compose form beside its live recipient preview; submission publishes (or updates) the item. */
export function ComposeEditor({ itemId, initial, partners, caveats }: Props) {
  const t = useMessages(composeMessages);
  const { timeZone } = usePreferences();
  const { hasRole } = useSession();
  const [form, setForm] = useState(initial);
  const [bodyTab, setBodyTab] = useState<BodyTab>('write');
  const summaryRef = useRef<HTMLDivElement>(null);
  const change = useCallback((patch: Partial<ComposeForm>) => setForm((current) => ({ ...current, ...patch })), []);

  const { submit, submitted, failure } = useSubmit(itemId, summaryRef);
  const toInstant = (local: string) => fromLocalInput(local, timeZone)?.toISOString() ?? null;
  const built = buildRequest(form, toInstant);
  const preview = usePreview(form.tlp ? previewRequest(built, t('composeTitle')) : null);
  // What the form checks itself (an incomplete consent), ahead of what the latest preview's refusal says.
  const own = consentProblems(form).map(({ field, problem }) => ({ field, message: t(problem) }));
  const current: Refusal = { ...preview.refusal, errors: withProblems(preview.refusal.errors, own) };
  // The submission's refusal while the form is as submitted; then what the form and the latest preview say.
  const { refused } = submitted;
  const refusal = refused && refused.form === form ? refused.refusal : current;
  const fixed = !!refused && refused.form !== form && !preview.pending && current.errors.all.length === 0;
  const summary = refused && !fixed ? refused : null;
  const sections = { form, change, errors: refusal.errors };

  function jump(id: string) {
    if (id === BODY_ID) setBodyTab('write');
    window.requestAnimationFrame(() => focusControl(id));
  }

  return (
    <>
      {summary && (
        <ErrorSummary
          ref={summaryRef}
          problems={summary.refusal.errors.all}
          indicatorRows={summary.refusal.indicatorRows}
          tableRows={form.indicators.map((row) => row.key)}
          jump={jump}
        />
      )}
      {!hasRole('analyst') && <p className="notice">{t('onlyAnalysts')}</p>}
      <div className="split compose">
        <form
          className="compose-form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            submit(form, built, own.length > 0 ? current : null);
          }}
        >
          <h2>{t('content')}</h2>
          <ContentFields {...sections} update={itemId !== null} />
          <BodyEditor {...sections} tab={bodyTab} setTab={setBodyTab} />
          <h2>{t('indicators')}</h2>
          <div id="compose-indicators">
            <IndicatorsTable {...sections} rowErrors={rowErrorsOf(refusal)} />
          </div>
          <h2>{t('handling')}</h2>
          <LabelPickers {...sections} />
          <CaveatsPicker {...sections} caveats={caveats} />
          <h2>{t('audience')}</h2>
          <AudiencePicker {...sections} partners={partners} />
          <h2>{t('provenance')}</h2>
          <ProvenanceFields {...sections} partners={partners} />
          <h2>{t('embargo')}</h2>
          <EmbargoField {...sections} />
          <div className="compose-submit">
            <p className="hint" id="compose-submit-hint">
              {t('submitHint')}
            </p>
            <ErrorMessage error={failure} />
            <button
              type="submit"
              className="primary"
              aria-describedby="compose-submit-hint"
              disabled={submitted.pending || !hasRole('analyst')}
            >
              {submitted.pending ? t('submitting') : itemId ? t('submitUpdate') : t('submit')}
            </button>
          </div>
        </form>
        <RecipientPreview state={preview} tlpChosen={form.tlp !== ''} />
      </div>
    </>
  );
}
