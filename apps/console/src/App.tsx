import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router-dom';
import { Loading } from './components/common';
import { useMessages } from './i18n/i18n';
import { commonMessages } from './components/messages';
import { Shell } from './layout/Shell';
import { SessionProvider, useSession } from './session/session';
import { SignIn } from './session/SignIn';
import { ROUTES } from './routes';

// Enrolment (and its QR code library) is needed once per member: loaded only then.
const EnrolTotp = lazy(async () => ({ default: (await import('./session/EnrolTotp')).EnrolTotp }));

const queries = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: true, staleTime: 2_000 } },
});

function NotFound() {
  const t = useMessages(commonMessages);
  return <p>{t('notFound')}</p>;
}

/** Where the console opens: a reporter's own reports, a team member's items. */
function Home() {
  const { hasRole } = useSession();
  return <Navigate to={hasRole('reporter') ? '/reports' : '/items'} replace />;
}

const router = createBrowserRouter(
  [
    {
      path: '/',
      element: <Shell />,
      children: [{ index: true, element: <Home /> }, ...ROUTES, { path: '*', element: <NotFound /> }],
    },
  ],
  { basename: '/console' },
);

function Gate() {
  const { session } = useSession();
  if (session === undefined) return <Loading />;
  if (session === null) return <SignIn />;
  if (session.stage === 'enrol')
    return (
      <Suspense fallback={<Loading />}>
        <EnrolTotp />
      </Suspense>
    );
  return <RouterProvider router={router} />;
}

export function App() {
  return (
    <QueryClientProvider client={queries}>
      <SessionProvider>
        <Gate />
      </SessionProvider>
    </QueryClientProvider>
  );
}
