import { Navigate, NavLink, Outlet, useLocation } from 'react-router-dom';
import { LANGUAGES, Language, useMessages, usePreferences } from '../i18n/i18n';
import { commonMessages } from '../components/messages';
import { Role, useSession } from '../session/session';

const TIME_ZONES = [
  'Europe/Paris',
  'UTC',
  'Europe/London',
  'Europe/Brussels',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Singapore',
];

type PortalLabel = 'phoneReport' | 'partnerFeeds' | 'reportIncident' | 'askSupport' | 'myReports';

interface NavEntry {
  to: string;
  label: 'inbox' | 'items' | 'compose' | 'approvals' | 'partners' | 'operations' | PortalLabel;
  roles: Role[];
}

/** What each role sees; the API refuses the same calls to anyone else anyway. */
export const NAVIGATION: NavEntry[] = [
  { to: '/items', label: 'items', roles: ['analyst', 'approver', 'admin'] },
  { to: '/compose', label: 'compose', roles: ['analyst'] },
  { to: '/approvals', label: 'approvals', roles: ['approver'] },
  { to: '/inbox', label: 'inbox', roles: ['analyst', 'approver', 'admin'] },
  { to: '/phone-report', label: 'phoneReport', roles: ['analyst'] },
  { to: '/partners', label: 'partners', roles: ['admin', 'analyst', 'approver'] },
  { to: '/partner-feeds', label: 'partnerFeeds', roles: ['admin', 'analyst', 'approver'] },
  { to: '/operations', label: 'operations', roles: ['admin'] },
  // A reporter (a contact's portal account) sees these only.
  { to: '/report-incident', label: 'reportIncident', roles: ['reporter'] },
  { to: '/support-request', label: 'askSupport', roles: ['reporter'] },
  { to: '/reports', label: 'myReports', roles: ['reporter'] },
];

/** The screens of the reporters' portal. */
const REPORTER_PATHS = NAVIGATION.filter((entry) => entry.roles.includes('reporter')).map((entry) => entry.to);

function Preferences() {
  const t = useMessages(commonMessages);
  const { language, setLanguage, timeZone, setTimeZone } = usePreferences();
  const zones = TIME_ZONES.includes(timeZone) ? TIME_ZONES : [timeZone, ...TIME_ZONES];
  return (
    <div className="preferences">
      <label htmlFor="language">{t('language')}</label>
      <select id="language" value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
        {LANGUAGES.map((code) => (
          <option key={code} value={code}>
            {code === 'en' ? 'English' : 'Français'}
          </option>
        ))}
      </select>
      <label htmlFor="time-zone">{t('timeZone')}</label>
      <select id="time-zone" value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
        {zones.map((zone) => (
          <option key={zone}>{zone}</option>
        ))}
      </select>
    </div>
  );
}

/** The frame of every screen: navigation for the user's roles, preferences, sign-out. */
export function Shell() {
  const t = useMessages(commonMessages);
  const { session, hasRole, signOut } = useSession();
  const { pathname } = useLocation();
  if (!session) return null;
  // A reporter's account opens the portal only: any other screen sends it to its reports.
  if (hasRole('reporter') && !REPORTER_PATHS.some((path) => pathname === path || pathname.startsWith(`${path}/`)))
    return <Navigate to="/reports" replace />;
  return (
    <>
      <a className="skip" href="#content">
        {t('skipToContent')}
      </a>
      <header className="top">
        <span className="brand">tlp-broker</span>
        <nav aria-label={t('mainNavigation')}>
          <ul>
            {NAVIGATION.filter((entry) => hasRole(...entry.roles)).map((entry) => (
              <li key={entry.to}>
                <NavLink to={entry.to}>{t(entry.label)}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <Preferences />
        <div className="account">
          <span>{t('signedInAs', { name: session.user.name, roles: session.user.roles.join(', ') })}</span>
          <button type="button" onClick={() => void signOut()}>
            {t('signOut')}
          </button>
          <button type="button" onClick={() => void signOut(true)}>
            {t('signOutEverywhere')}
          </button>
        </div>
      </header>
      <main id="content" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
