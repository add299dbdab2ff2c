import { useParams } from 'react-router-dom';
import { api, ApiError, unwrap } from '../../api/client';
import { ErrorMessage, Loading, PageTitle } from '../../components/common';
import { useRead } from '../../components/useApi';
import { useSession } from '../../session/session';
import { ChannelsSection } from './ChannelsSection';
import { ContactsSection } from './ContactsSection';
import { CredentialsSection } from './CredentialsSection';
import { KeysSection } from './KeysSection';
import { OrganisationDetails } from './OrganisationDetails';
import { PartnerStatus, usePartnersMessages } from './partner-parts';
import { PartnersNav } from './PartnersNav';

/** One organisation: details, keys, channels, feed credentials (administrators) and contacts. */
export function OrganisationPage() {
  const t = usePartnersMessages();
  const { id = '' } = useParams();
  const { hasRole } = useSession();
  const isAdmin = hasRole('admin');
  const organisation = useRead(['organisations', id], () =>
    unwrap(api.GET('/organisations/{id}', { params: { path: { id } } })),
  );
  if (organisation.isPending) return <Loading />;
  if (!organisation.data) {
    const missing = organisation.error instanceof ApiError && [400, 404].includes(organisation.error.status);
    return (
      <>
        <PageTitle title={t('title')} />
        <PartnersNav />
        {missing ? <p role="alert">{t('notFound')}</p> : <ErrorMessage error={organisation.error} />}
      </>
    );
  }
  const found = organisation.data;
  return (
    <>
      <PageTitle title={found.name}>
        <PartnerStatus status={found.status} />
      </PageTitle>
      <PartnersNav />
      <ErrorMessage error={organisation.error} />
      <OrganisationDetails organisation={found} isAdmin={isAdmin} />
      <KeysSection organisation={found} isAdmin={isAdmin} />
      <ChannelsSection organisation={found} isAdmin={isAdmin} />
      {isAdmin && <CredentialsSection organisation={found} />}
      <ContactsSection organisation={found} isAdmin={isAdmin} />
    </>
  );
}
