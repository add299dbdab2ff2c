import { RouteObject } from 'react-router-dom';
import { ApprovalsPage } from './pages/approvals/ApprovalsPage';
import { ComposePage } from './pages/compose/ComposePage';
import { ItemPage } from './pages/items/ItemPage';
import { ItemsPage } from './pages/items/ItemsPage';
import { OperationsPage } from './pages/operations/OperationsPage';
import { PartnersPage } from './pages/partners/PartnersPage';

/** The console's screens, under /console. */
export const ROUTES: RouteObject[] = [
  { path: 'items', element: <ItemsPage /> },
  { path: 'items/:id', element: <ItemPage /> },
  { path: 'compose', element: <ComposePage /> },
  { path: 'items/:id/update', element: <ComposePage /> },
  { path: 'approvals', element: <ApprovalsPage /> },
  { path: 'partners/*', element: <PartnersPage /> },
  { path: 'operations', element: <OperationsPage /> },
];
