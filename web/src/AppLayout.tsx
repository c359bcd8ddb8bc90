// The shell around every page after login: header (brand, bell, language, user menu), the role-driven side
// menu and the content area.
import { Suspense, useState } from 'react';
import { App as AntApp, Badge, Button, Dropdown, Layout, Menu, Space, type MenuProps } from 'antd';
import {
  ApiOutlined,
  AppstoreOutlined,
  ControlOutlined,
  ExportOutlined,
  ImportOutlined,
  CloudSyncOutlined,
  EyeOutlined,
  InboxOutlined,
  SafetyCertificateOutlined,
  SendOutlined,
  ShareAltOutlined,
  BookOutlined,
  CheckSquareOutlined,
  CloudServerOutlined,
  DatabaseOutlined,
  FileProtectOutlined,
  OrderedListOutlined,
  AuditOutlined,
  BellOutlined,
  CalendarOutlined,
  ApartmentOutlined,
  HomeOutlined,
  KeyOutlined,
  LockOutlined,
  LogoutOutlined,
  MailOutlined,
  TableOutlined,
  TeamOutlined,
  UserOutlined,
  MessageOutlined,
} from '@ant-design/icons';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useAuth } from './auth.tsx';
import { visiblePages, type PageKey } from './access.ts';
import { UnreadProvider, useUnread } from './unread.tsx';
import LangSwitch from './components/LangSwitch.tsx';
import ChangePasswordModal from './components/ChangePasswordModal.tsx';
import InboxDrawer from './components/InboxDrawer.tsx';
import Loading from './components/Loading.tsx';
import { errorMessage } from './api.ts';

const ICONS: Record<PageKey, React.ReactNode> = {
  home: <HomeOutlined />,
  catalog: <DatabaseOutlined />,
  catalogResource: <DatabaseOutlined />,
  catalogNew: <DatabaseOutlined />,
  catalogEdit: <DatabaseOutlined />,
  catalogData: <DatabaseOutlined />,
  datasets: <TableOutlined />,
  sources: <CloudServerOutlined />,
  review: <CheckSquareOutlined />,
  elements: <BookOutlined />,
  lists: <OrderedListOutlined />,
  registrations: <FileProtectOutlined />,
  sharingNew: <SendOutlined />,
  sharingMine: <ShareAltOutlined />,
  sharingIncoming: <InboxOutlined />,
  sharingRequest: <ShareAltOutlined />,
  sharingGrants: <SafetyCertificateOutlined />,
  sharingManage: <ControlOutlined />,
  applications: <AppstoreOutlined />,
  myDataUses: <EyeOutlined />,
  federationGrants: <ExportOutlined />,
  federationLinks: <ImportOutlined />,
  feedbackDesk: <MessageOutlined />,
  harvest: <CloudSyncOutlined />,
  users: <TeamOutlined />,
  orgs: <ApartmentOutlined />,
  ledger: <AuditOutlined />,
  calendar: <CalendarOutlined />,
  apiKeys: <ApiOutlined />,
  notifications: <MailOutlined />,
  openApply: <FileProtectOutlined />,
  openApplyMine: <FileProtectOutlined />,
  openApplyIncoming: <InboxOutlined />,
  openApplyDetail: <FileProtectOutlined />,
  openApplyOverview: <ControlOutlined />,
};

function Bell({ onOpen }: { onOpen(): void }) {
  const { t } = useTranslation();
  const { count } = useUnread();
  return (
    <Badge count={count} size="small" offset={[-4, 4]}>
      <Button
        type="text"
        data-testid="notification-bell"
        aria-label={count ? t('header.notificationsUnread', { count }) : t('header.notifications')}
        icon={<BellOutlined style={{ color: '#fff', fontSize: 18 }} />}
        onClick={onOpen}
      />
    </Badge>
  );
}

function Shell() {
  const { t, i18n } = useTranslation();
  const { me, logout } = useAuth();
  const { modal, message } = AntApp.useApp();
  const location = useLocation();
  const navigate = useNavigate();
  const [pwOpen, setPwOpen] = useState(false);
  const [inboxOpen, setInboxOpen] = useState(false);
  const [collapsed, setCollapsed] = useState(false);
  if (!me) return null;

  const pages = visiblePages(me.roles);
  const selected = pages
    .filter((p) => (p.path === '/' ? location.pathname === '/' : location.pathname.startsWith(p.path)))
    .map((p) => p.key);

  const items: MenuProps['items'] = pages.map((p) => ({
    key: p.key,
    icon: ICONS[p.key],
    label: (
      <Link to={p.path} data-testid={`menu-${p.key}`}>
        {t(`menu.${p.key}`)}
      </Link>
    ),
  }));

  const userItems: MenuProps['items'] = [
    { key: 'password', icon: <LockOutlined />, label: t('header.changePassword') },
    { key: 'apiKeys', icon: <KeyOutlined />, label: t('header.apiKeys') },
    { type: 'divider' },
    { key: 'logout', icon: <LogoutOutlined />, label: t('header.logout') },
    { key: 'logoutAll', icon: <LogoutOutlined />, label: t('header.logoutAll'), danger: true },
  ];

  const onUserMenu: MenuProps['onClick'] = ({ key }) => {
    if (key === 'password') setPwOpen(true);
    else if (key === 'apiKeys') navigate('/api-keys');
    else if (key === 'logout') void logout(false).then(() => navigate('/login'));
    else if (key === 'logoutAll')
      modal.confirm({
        title: t('header.logoutAll'),
        content: t('header.logoutAllConfirm'),
        okText: t('common.ok'),
        cancelText: t('common.cancel'),
        onOk: async () => {
          try {
            await logout(true);
            message.success(t('header.loggedOutAll'));
            navigate('/login');
          } catch (e) {
            message.error(errorMessage(e));
          }
        },
      });
  };

  const orgName = me.org ? (i18n.language === 'en' ? me.org.nameEn : me.org.nameZh) : '';

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, paddingInline: 24 }}>
        <Link to="/" className="brand" data-testid="brand">
          {t('app.name')}
        </Link>
        <span style={{ color: 'rgba(255,255,255,0.65)', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
          {orgName}
        </span>
        <div style={{ flex: 1 }} />
        <Space size="middle">
          <Bell onOpen={() => setInboxOpen(true)} />
          <LangSwitch ghost />
          <Dropdown menu={{ items: userItems, onClick: onUserMenu }} trigger={['click']} autoFocus>
            <Button
              ghost
              icon={<UserOutlined />}
              data-testid="user-menu"
              aria-label={t('header.userMenu', { name: me.displayName })}
              aria-haspopup="menu"
            >
              {me.displayName}
            </Button>
          </Dropdown>
        </Space>
      </Layout.Header>
      <Layout>
        <Layout.Sider theme="light" width={208} breakpoint="lg" collapsible collapsed={collapsed} onCollapse={setCollapsed}>
          <nav aria-label={t('menu.main')}>
            <Menu mode="inline" items={items} selectedKeys={selected} data-testid="side-menu" style={{ borderInlineEnd: 0 }} />
          </nav>
        </Layout.Sider>
        <Layout.Content id="main" tabIndex={-1} style={{ padding: 24, outline: 'none' }}>
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
      <ChangePasswordModal open={pwOpen} onClose={() => setPwOpen(false)} />
      <InboxDrawer open={inboxOpen} onClose={() => setInboxOpen(false)} />
    </Layout>
  );
}

export default function AppLayout() {
  return (
    <UnreadProvider>
      <Shell />
    </UnreadProvider>
  );
}
