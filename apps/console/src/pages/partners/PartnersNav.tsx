import { NavLink } from 'react-router-dom';
import { usePartnersMessages } from './partner-parts';

/** The partner screens: the organisations and the key renewal report. */
export function PartnersNav() {
  const t = usePartnersMessages();
  return (
    <nav aria-label={t('sections')} className="partners-nav">
      <ul>
        <li>
          <NavLink to="/partners" end>
            {t('organisations')}
          </NavLink>
        </li>
        <li>
          <NavLink to="/partners/keys">{t('keyRenewal')}</NavLink>
        </li>
      </ul>
    </nav>
  );
}
