// Providers (antd locale, i18n, session), the router and the route-level code splitting.
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { App as AntApp, ConfigProvider } from 'antd';
import zh_CN from 'antd/locale/zh_CN';
import en_US from 'antd/locale/en_US';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { AuthProvider, useAuth } from './auth.tsx';
import { canSee, PAGES, type PageKey } from './access.ts';
import AppLayout from './AppLayout.tsx';
import { NotFound, Forbidden } from './components/Result.tsx';
import Loading from './components/Loading.tsx';

const LoginPage = lazy(() => import('./pages/LoginPage.tsx'));
const HomePage = lazy(() => import('./pages/HomePage.tsx'));
const UsersPage = lazy(() => import('./pages/UsersPage.tsx'));
const OrgsPage = lazy(() => import('./pages/OrgsPage.tsx'));
const LedgerPage = lazy(() => import('./pages/LedgerPage.tsx'));
const CalendarPage = lazy(() => import('./pages/CalendarPage.tsx'));
const ApiKeysPage = lazy(() => import('./pages/ApiKeysPage.tsx'));
const NotificationsPage = lazy(() => import('./pages/NotificationsPage.tsx'));
const CatalogSearchPage = lazy(() => import('./pages/catalog/CatalogSearchPage.tsx'));
const ResourceDetailPage = lazy(() => import('./pages/catalog/ResourceDetailPage.tsx'));
const ResourceEditorPage = lazy(() => import('./pages/catalog/ResourceEditorPage.tsx'));
const ReviewQueuePage = lazy(() => import('./pages/catalog/ReviewQueuePage.tsx'));
const ElementsPage = lazy(() => import('./pages/catalog/ElementsPage.tsx'));
const ListsPage = lazy(() => import('./pages/catalog/ListsPage.tsx'));
const RegistrationsPage = lazy(() => import('./pages/catalog/RegistrationsPage.tsx'));
const RegistrationLookupPage = lazy(() => import('./pages/catalog/RegistrationLookupPage.tsx'));
const DatasetPage = lazy(() => import('./pages/datasets/DatasetPage.tsx'));
const DatasetsPage = lazy(() => import('./pages/datasets/DatasetsPage.tsx'));
const SourcesPage = lazy(() => import('./pages/sources/SourcesPage.tsx'));
const RequestWizardPage = lazy(() => import('./pages/sharing/RequestWizardPage.tsx'));
const RequestsPage = lazy(() => import('./pages/sharing/RequestsPage.tsx'));
const RequestDetailPage = lazy(() => import('./pages/sharing/RequestDetailPage.tsx'));
const GrantsPage = lazy(() => import('./pages/sharing/GrantsPage.tsx'));
const SharingManagePage = lazy(() => import('./pages/sharing/ManagePage.tsx'));
const ApplicationsPage = lazy(() => import('./pages/sharing/ApplicationsPage.tsx'));
const MyDataUsesPage = lazy(() => import('./pages/sharing/MyDataUsesPage.tsx'));
const FederationGrantsPage = lazy(() => import('./pages/federation/GrantsPage.tsx'));
const FederationLinksPage = lazy(() => import('./pages/federation/LinksPage.tsx'));
const OpenApplyPage = lazy(() => import('./portal/apply/ApplyPage.tsx'));
const OpenApplicationsPage = lazy(() => import('./pages/openapply/ApplicationsPage.tsx'));
const OpenApplicationDetailPage = lazy(() => import('./pages/openapply/DetailPage.tsx'));
const FeedbackDeskPage = lazy(() => import('./pages/feedback/FeedbackDeskPage.tsx'));
const DemandsPage = lazy(() => import('./portal/feedback/DemandsPage.tsx'));
const DemandPage = lazy(() => import('./portal/feedback/DemandPage.tsx'));
const ReusesPage = lazy(() => import('./portal/feedback/ReusesPage.tsx'));
const ReusePage = lazy(() => import('./portal/feedback/ReusePage.tsx'));
const HarvestPage = lazy(() => import('./pages/harvest/HarvestPage.tsx'));
// The public portal (issue 7 §1): its own layout, no login needed.
const PortalLayout = lazy(() => import('./portal/PortalLayout.tsx'));
const PortalHome = lazy(() => import('./portal/PortalHome.tsx'));
const PortalSearch = lazy(() => import('./portal/PortalSearch.tsx'));
const PortalDataset = lazy(() => import('./portal/PortalDataset.tsx'));
const PortalGroup = lazy(() => import('./portal/PortalGroup.tsx'));
const PortalRegister = lazy(() => import('./portal/PortalRegister.tsx'));
const PortalDeveloper = lazy(() => import('./portal/PortalDeveloper.tsx'));
const OpennessPage = lazy(() => import('./portal/openness/OpennessPage.tsx'));

const ELEMENTS: Record<PageKey, ReactNode> = {
  home: <HomePage />,
  catalog: <CatalogSearchPage />,
  catalogResource: <ResourceDetailPage />,
  catalogNew: <ResourceEditorPage />,
  catalogEdit: <ResourceEditorPage />,
  catalogData: <DatasetPage />,
  datasets: <DatasetsPage />,
  sources: <SourcesPage />,
  review: <ReviewQueuePage />,
  elements: <ElementsPage />,
  lists: <ListsPage />,
  registrations: <RegistrationsPage />,
  sharingNew: <RequestWizardPage />,
  sharingMine: <RequestsPage box="mine" />,
  sharingIncoming: <RequestsPage box="incoming" />,
  sharingRequest: <RequestDetailPage />,
  sharingGrants: <GrantsPage />,
  sharingManage: <SharingManagePage />,
  applications: <ApplicationsPage />,
  myDataUses: <MyDataUsesPage />,
  federationGrants: <FederationGrantsPage />,
  federationLinks: <FederationLinksPage />,
  feedbackDesk: <FeedbackDeskPage />,
  harvest: <HarvestPage />,
  users: <UsersPage />,
  orgs: <OrgsPage />,
  ledger: <LedgerPage />,
  calendar: <CalendarPage />,
  apiKeys: <ApiKeysPage />,
  notifications: <NotificationsPage />,
  openApply: <OpenApplyPage />,
  openApplyMine: <OpenApplicationsPage box="mine" />,
  openApplyIncoming: <OpenApplicationsPage box="incoming" />,
  openApplyDetail: <OpenApplicationDetailPage />,
  openApplyOverview: <OpenApplicationsPage box="all" />,
};

function Guarded({ page }: { page: PageKey }) {
  const { me } = useAuth();
  const def = PAGES.find((p) => p.key === page)!;
  if (!me) return null;
  return canSee(def, me.roles) ? ELEMENTS[page] : <Forbidden />;
}

function RequireLogin({ children }: { children: ReactNode }) {
  const { me, loading } = useAuth();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!me) {
    const next = location.pathname + location.search;
    // Anonymous visitors of / land on the public portal; deeper workbench links ask for a login.
    return <Navigate to={next === '/' ? '/data' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

function TitleSync() {
  const { t, i18n } = useTranslation();
  useEffect(() => {
    document.title = t('app.name');
  }, [t, i18n.language]);
  return null;
}

function AppRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        {/* Public: a registration certificate is looked up without logging in. */}
        <Route path="/registration/lookup" element={<RegistrationLookupPage />} />
        {/* Public: the open data portal (web/src/portal, docs/portal.md). */}
        <Route path="/data" element={<PortalLayout />}>
          <Route index element={<PortalHome />} />
          <Route path="search" element={<PortalSearch />} />
          <Route path="datasets/:key" element={<PortalDataset />} />
          <Route path="departments" element={<PortalGroup kind="departments" />} />
          <Route path="departments/:code" element={<PortalGroup kind="departments" />} />
          <Route path="topics" element={<PortalGroup kind="topics" />} />
          <Route path="topics/:code" element={<PortalGroup kind="topics" />} />
          <Route path="register" element={<PortalRegister />} />
          <Route path="developer" element={<PortalDeveloper />} />
          {/* Demands, error reports and reuses (issue 7 §3, §4): read without login. */}
          <Route path="demands" element={<DemandsPage />} />
          <Route path="demands/:id" element={<DemandPage />} />
          <Route path="reuses" element={<ReusesPage />} />
          <Route path="reuses/:id" element={<ReusePage />} />
          {/* Openness statistics and the 开放数林-style self-evaluation (issue 7 §9). */}
          <Route path="openness" element={<OpennessPage />} />
          <Route path="*" element={<NotFound />} />
        </Route>
        <Route
          element={
            <RequireLogin>
              <AppLayout />
            </RequireLogin>
          }
        >
          {PAGES.map((p) => (
            <Route key={p.key} path={p.path} element={<Guarded page={p.key} />} />
          ))}
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

export default function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider
      locale={i18n.language === 'en' ? en_US : zh_CN}
      theme={{ token: { colorPrimary: '#1d5fbf' } }}
      button={{ autoInsertSpace: false }}
    >
      <AntApp>
        <TitleSync />
        <BrowserRouter>
          <AuthProvider>
            <AppRoutes />
          </AuthProvider>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}
