import { Route, Routes } from 'react-router-dom';
import { PageTitle } from '../../components/common';
import { KeyRenewal } from './KeyRenewal';
import { OrganisationList } from './OrganisationList';
import { OrganisationPage } from './OrganisationPage';
import { usePartnersMessages } from './partner-parts';
import { PartnersNav } from './PartnersNav';

function PartnersHome() {
  const t = usePartnersMessages();
  return (
    <>
      <PageTitle title={t('title')} />
      <PartnersNav />
      <OrganisationList />
    </>
  );
}

/** /partners (the organisations), /partners/keys (key renewal), /partners/:id (one organisation). */
export function PartnersPage() {
  return (
    <Routes>
      <Route index element={<PartnersHome />} />
      <Route path="keys" element={<KeyRenewal />} />
      <Route path=":id" element={<OrganisationPage />} />
    </Routes>
  );
}
