import { useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ErrorMessage, Loading, PageTitle } from '../../components/common';
import { useRead } from '../../components/useApi';
import { toLocalInput } from '../../i18n/format';
import { useMessages, usePreferences } from '../../i18n/i18n';
import { ComposeForm, emptyForm, formFromVersion } from './compose-form';
import { ComposeEditor } from './ComposeEditor';
import { composeMessages } from './messages';

/**
 * `/compose`: a new item. `/items/:id/update`: a new version of an item, the form filled from its
 * latest version (body included).
 */
export function ComposePage() {
  const { id } = useParams<{ id: string }>();
  const t = useMessages(composeMessages);
  const partners = useRead(['organisations'], () => unwrap(api.GET('/organisations')));
  const caveats = useRead(['caveats'], () => unwrap(api.GET('/caveats')));
  const update = useUpdateSource(id);
  const title = id ? t('updateTitle', { title: update.title ?? '…' }) : t('composeTitle');
  const failed = partners.error ?? caveats.error ?? update.error;

  if (failed) {
    return (
      <>
        <PageTitle title={title} />
        <p>{t('loadFailed')}</p>
        <ErrorMessage error={failed} />
      </>
    );
  }
  if (!partners.data || !caveats.data || (id && !update.form)) {
    return (
      <>
        <PageTitle title={title} />
        <Loading />
      </>
    );
  }
  return (
    <>
      <PageTitle title={title} />
      <ComposeEditor
        key={id ?? 'new'}
        itemId={id ?? null}
        initial={update.form ?? emptyForm()}
        partners={partners.data}
        caveats={caveats.data}
      />
    </>
  );
}

/** For an update: the item (its type and title) and its newest version, as the form to start from. */
function useUpdateSource(id: string | undefined): { form: ComposeForm | null; title: string | null; error: unknown } {
  const { timeZone } = usePreferences();
  const path = { params: { path: { id: id ?? '' } } };
  const item = useRead(['items', id], () => unwrap(api.GET('/items/{id}', path)), { enabled: !!id });
  const versions = useRead(['items', id, 'versions'], () => unwrap(api.GET('/items/{id}/versions', path)), {
    enabled: !!id,
    // The form is filled once: a refetch must not overwrite what the analyst is typing.
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const newest = versions.data ? [...versions.data].sort((a, b) => b.version - a.version)[0] : undefined;
  const form =
    item.data && newest
      ? formFromVersion(item.data.type, { ...newest, releaseAt: newest.releaseAt ?? null }, (instant) =>
          toLocalInput(instant, timeZone),
        )
      : null;
  return { form, title: item.data?.title ?? null, error: item.error ?? versions.error };
}
