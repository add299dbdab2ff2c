import { RouteObject } from 'react-router-dom';

/** The console's screens, under /console; each is loaded when first opened, so sign-in stays light. */
export const ROUTES: RouteObject[] = [
  { path: 'inbox', lazy: async () => ({ Component: (await import('./pages/inbox/InboxPage')).InboxPage }) },
  {
    path: 'inbox/:id',
    lazy: async () => ({ Component: (await import('./pages/inbox/SubmissionPage')).SubmissionPage }),
  },
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
  {
    path: 'phone-report',
    lazy: async () => ({ Component: (await import('./pages/portal/ReportPages')).PhoneReportPage }),
  },
  {
    path: 'partner-feeds',
    lazy: async () => ({ Component: (await import('./pages/partner-feeds/PartnerFeedsPage')).PartnerFeedsPage }),
  },
  // The reporters' portal: a contact's portal account reaches these only.
  {
    path: 'report-incident',
    lazy: async () => ({ Component: (await import('./pages/portal/ReportPages')).IncidentReportPage }),
  },
  {
    path: 'support-request',
    lazy: async () => ({ Component: (await import('./pages/portal/ReportPages')).SupportRequestPage }),
  },
  { path: 'reports', lazy: async () => ({ Component: (await import('./pages/portal/MyReportsPage')).MyReportsPage }) },
];
