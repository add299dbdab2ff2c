import { RouteObject } from 'react-router-dom';

/** The console's screens, under /console; each is loaded when first opened, so sign-in stays light. */
export const ROUTES: RouteObject[] = [
  { path: 'items', lazy: async () => ({ Component: (await import('./pages/items/ItemsPage')).ItemsPage }) },
  { path: 'items/:id', lazy: async () => ({ Component: (await import('./pages/items/ItemPage')).ItemPage }) },
  { path: 'compose', lazy: async () => ({ Component: (await import('./pages/compose/ComposePage')).ComposePage }) },
  {
    path: 'items/:id/update',
    lazy: async () => ({ Component: (await import('./pages/compose/ComposePage')).ComposePage }),
  },
  {
    path: 'approvals',
    lazy: async () => ({ Component: (await import('./pages/approvals/ApprovalsPage')).ApprovalsPage }),
  },
  {
    path: 'partners/*',
    lazy: async () => ({ Component: (await import('./pages/partners/PartnersPage')).PartnersPage }),
  },
  {
    path: 'operations',
    lazy: async () => ({ Component: (await import('./pages/operations/OperationsPage')).OperationsPage }),
  },
];
