import { FormEvent, forwardRef, useEffect, useRef, useState } from 'react';
import { api, ApiError, FieldProblem, Schemas, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { useChange } from '../../components/useApi';
import { useMessages, usePreferences } from '../../i18n/i18n';
import { portalMessages } from './messages';
import {
  buildReportRequest,
  emptyReportForm,
  formProblems,
  placeReportProblems,
  REPORT_KINDS,
  ReportField,
  ReportForm,
  ReportKind,
  ReportRequest,
} from './report-form';
import {
  controlId,
  DescriptionAndUrgency,
  FieldsProps,
  IncidentFields,
  SupportFields,
  TitleAndLabels,
} from './ReportFields';
import { ReportReceipt } from './ReportReceipt';
import { SenderFields } from './SenderFields';

/** Why the form was not sent: what the form found itself, or what the API refused. */
interface Refusal {
  fields: Partial<Record<ReportField, string[]>>;
  /** Every problem in order, with the control it is about (null: about no control of the form). */
  all: { field: ReportField | null; message: string }[];
}

/** Moves focus to a control; a group of radio buttons gives it to its first one. */
function focusControl(id: string): void {
  const element = document.getElementById(id);
  const focusable = element?.matches('input, select, textarea')
    ? element
    : element?.querySelector<HTMLElement>('input, select, textarea');
  focusable?.scrollIntoView({ block: 'center' });
  focusable?.focus();
}

/** The problems that kept the report from being sent, listed at the top, each linked to its control. */
const ProblemSummary = forwardRef<HTMLDivElement, { refusal: Refusal }>(function ProblemSummary({ refusal }, ref) {
  const t = useMessages(portalMessages);
  const count = refusal.all.length;
  return (
    <div className="compose-error-summary" ref={ref} tabIndex={-1} aria-labelledby="portal-problems-title">
      <h2 id="portal-problems-title">{count === 1 ? t('problemsOne') : t('problemsMany', { count })}</h2>
      <ul>
        {refusal.all.map((problem, index) => (
          <li key={index}>
            {problem.field ? (
              <a
                href={`#${controlId(problem.field)}`}
                onClick={(event) => {
                  event.preventDefault();
                  focusControl(controlId(problem.field!));
                }}
              >
                {t(problem.field)}: {problem.message}
              </a>
            ) : (
              problem.message
            )}
          </li>
        ))}
      </ul>
    </div>
  );
});

function apiRefusal(error: ApiError, form: ReportForm, staff: boolean): Refusal {
  const details: FieldProblem[] = error.details.length > 0 ? error.details : [{ field: '', message: error.message }];
  const placed = placeReportProblems(details, form, staff);
  const all = [
    ...Object.entries(placed.fields).flatMap(([field, messages]) =>
      messages.map((message) => ({ field: field as ReportField, message })),
    ),
    ...placed.other.map((problem) => ({
      field: null,
      message: problem.field ? `${problem.field}: ${problem.message}` : problem.message,
    })),
  ];
  return { fields: placed.fields, all };
}

/** POST /reports; a 400 becomes the refusal shown on the form, anything else the API's words. */
function useSend(staff: boolean) {
  const [receipt, setReceipt] = useState<Schemas['ReportReceiptView'] | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const send = useChange(
    (body: ReportRequest) => unwrap(api.POST('/reports', { body: body as Schemas['ReportDto'] })),
    [['reports']],
  );
  function submit(form: ReportForm, timeZone: string, translate: (problem: 'required' | 'unreadableDate') => string) {
    setFailure(null);
    const own = formProblems(form, staff, timeZone);
    if (own.length > 0) {
      const all = own.map(({ field, problem }) => ({ field, message: translate(problem) }));
      setRefusal({ fields: Object.fromEntries(all.map(({ field, message }) => [field, [message]])), all });
      return;
    }
    send.mutate(buildReportRequest(form, staff, timeZone), {
      onSuccess: (sent) => {
        setRefusal(null);
        setReceipt(sent);
      },
      onError: (error) => {
        if (error instanceof ApiError && error.status === 400) setRefusal(apiRefusal(error, form, staff));
        else setFailure(error);
      },
    });
  }
  return { submit, receipt, clearReceipt: () => setReceipt(null), refusal, failure, pending: send.isPending };
}

/** A team member's choice between the two forms. */
function KindChoice({ kind, onChange }: { kind: ReportKind; onChange(kind: ReportKind): void }) {
  const t = useMessages(portalMessages);
  return (
    <fieldset className="compose-group">
      <legend>{t('kind')}</legend>
      {REPORT_KINDS.map((value) => (
        <div key={value} className="compose-choice">
          <input
            type="radio"
            id={`report-kind-${value}`}
            name="report-kind"
            checked={kind === value}
            onChange={() => onChange(value)}
          />
          <label htmlFor={`report-kind-${value}`} className="inline">
            {t(`kind_${value}`)}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

interface Props {
  initialKind: ReportKind;
  /** A team member entering a report taken by phone: names the sender, and may switch forms. */
  staff: boolean;
}

/**
 * A reporting form, sent to POST /reports. Once sent, the reference takes its place (focused and
 * announced); a refusal is listed at the top (focused) and shown on each control it concerns.
 */
export function ReportComposer({ initialKind, staff }: Props) {
  const t = useMessages(portalMessages);
  const { timeZone } = usePreferences();
  const [form, setForm] = useState(() => emptyReportForm(initialKind));
  const { submit, receipt, clearReceipt, refusal, failure, pending } = useSend(staff);
  const receiptRef = useRef<HTMLDivElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (receipt) receiptRef.current?.focus();
  }, [receipt]);
  useEffect(() => {
    if (refusal) summaryRef.current?.focus();
  }, [refusal]);

  // The controls changed since the refusal: their problems are no longer shown on them (the summary stays).
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const fields: FieldsProps = {
    form,
    set: (patch) => {
      setForm((current) => ({ ...current, ...patch }));
      setEdited((current) => new Set([...current, ...Object.keys(patch)]));
    },
    problem: (field) => (edited.has(field) ? null : (refusal?.fields[field]?.join('; ') ?? null)),
  };
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setEdited(new Set());
    submit(form, timeZone, (problem) => t(problem === 'required' ? 'problemRequired' : 'problemUnreadableDate'));
  }
  function another() {
    setForm(emptyReportForm(form.kind));
    clearReceipt();
  }

  return (
    <>
      <div aria-live="polite">{receipt && <ReportReceipt ref={receiptRef} receipt={receipt} staff={staff} />}</div>
      {receipt ? (
        <p className="toolbar">
          <button type="button" onClick={another}>
            {t('another')}
          </button>
        </p>
      ) : (
        <form className="portal-form" onSubmit={onSubmit} noValidate aria-label={t(`kind_${form.kind}`)}>
          {refusal && <ProblemSummary ref={summaryRef} refusal={refusal} />}
          <ErrorMessage error={failure} />
          {staff && <KindChoice kind={form.kind} onChange={(kind) => fields.set({ kind })} />}
          {staff && <SenderFields {...fields} />}
          <TitleAndLabels {...fields} />
          {form.kind === 'investigation-incident' ? <IncidentFields {...fields} /> : <SupportFields {...fields} />}
          <DescriptionAndUrgency {...fields} />
          <p className="toolbar">
            <button type="submit" className="primary" disabled={pending}>
              {pending ? t('sending') : t('send')}
            </button>
          </p>
        </form>
      )}
    </>
  );
}
