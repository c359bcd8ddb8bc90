// The public portal's frame (issue 7 §1): header with search box, navigation, language switch and 登录/注册 or
// the user menu (with the way to the workbench), the page, a footer. Keyboard users get a skip link and a visible
// focus ring; the search box has a label.
import { useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { Button, Dropdown, Input } from 'antd';
import { DownOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth.tsx';
import LangSwitch from '../components/LangSwitch.tsx';
import './portal.css';

const NAV = [
  { to: '/data/search', key: 'catalog' },
  { to: '/data/departments', key: 'departments' },
  { to: '/data/topics', key: 'topics' },
  { to: '/data/demands', key: 'demands' },
  { to: '/data/reuses', key: 'reuses' },
  { to: '/data/openness', key: 'openness' },
] as const;

export function PortalSearchBox({ id, size, initial = '' }: { id: string; size?: 'large'; initial?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [q, setQ] = useState(initial);
  return (
    <form
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        navigate(`/data/search?q=${encodeURIComponent(q.trim())}`);
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        {t('portalweb.search.label')}
      </label>
      <Input.Search
        id={id}
        size={size}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        placeholder={t('portalweb.search.placeholder')}
        enterButton={t('portalweb.search.button')}
        onSearch={(v) => navigate(`/data/search?q=${encodeURIComponent(v.trim())}`)}
        data-testid={`${id}-input`}
      />
    </form>
  );
}

export default function PortalLayout() {
  const { t } = useTranslation();
  const { me, logout } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  // The home and search pages have their own search box.
  const home = ['/data', '/data/', '/data/search'].includes(location.pathname);
  const next = encodeURIComponent(location.pathname + location.search);
  return (
    <div className="portal">
      <a className="skip-link" href="#portal-main">
        {t('app.skipToContent')}
      </a>
      <header className="portal-header">
        <Link to="/data" className="portal-brand">
          {t('portalweb.brand')}
        </Link>
        <nav aria-label={t('portalweb.nav.label')} className="portal-nav">
          <ul>
            {NAV.map((n) => (
              <li key={n.key}>
                <NavLink to={n.to}>{t(`portalweb.nav.${n.key}`)}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        {!home && (
          <div className="portal-header-search">
            <PortalSearchBox id="portal-header-q" key={location.key} />
          </div>
        )}
        <div className="portal-header-end">
          <LangSwitch ghost />
          {me ? (
            <Dropdown
              menu={{
                items: [
                  { key: 'workbench', label: <Link to="/">{t('portalweb.user.workbench')}</Link> },
                  { key: 'developer', label: <Link to="/data/developer">{t('portalweb.user.developer')}</Link> },
                  { type: 'divider' },
                  {
                    key: 'logout',
                    label: t('portalweb.user.logout'),
                    onClick: () => void logout().then(() => navigate('/data')),
                  },
                ],
              }}
            >
              <Button type="text" className="portal-user" data-testid="portal-user">
                {me.displayName} <DownOutlined />
              </Button>
            </Dropdown>
          ) : (
            <>
              <Link to={`/login?next=${next}`} data-testid="portal-login">
                {t('portalweb.user.login')}
              </Link>
              <Link to="/data/register" data-testid="portal-register">
                {t('portalweb.user.register')}
              </Link>
            </>
          )}
        </div>
      </header>
      <main id="portal-main" className="portal-main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="portal-footer">
        <p style={{ margin: 0 }}>{t('portalweb.footer.text')}</p>
        <p style={{ margin: '4px 0 0' }}>
          <a href="/sitemap.xml">{t('portalweb.footer.sitemap')}</a> · <a href="/api/docs">{t('portalweb.footer.api')}</a> ·{' '}
          <Link to="/data/developer">{t('portalweb.footer.developer')}</Link>
        </p>
      </footer>
    </div>
  );
}
