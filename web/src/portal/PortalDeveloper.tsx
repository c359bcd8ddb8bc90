// 开发者: a signed-in member of the public manages their API keys here; the AppKey doubles as the application
// token (X-App-Token) that raises the anonymous rate limit of the public read APIs (docs/portal.md).
import { Alert, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth.tsx';
import Loading from '../components/Loading.tsx';
import ApiKeysPage from '../pages/ApiKeysPage.tsx';

export default function PortalDeveloper() {
  const { t } = useTranslation();
  const { me, loading } = useAuth();
  if (loading) return <Loading />;
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('portalweb.developer.title')}
      </Typography.Title>
      <Typography.Paragraph>{t('portalweb.developer.lead')}</Typography.Paragraph>
      <pre className="portal-code">{`curl -H 'X-App-Token: <AppKey>' '${window.location.origin}/resource/<dataset-id>.json?$limit=10'`}</pre>
      {me ? (
        <ApiKeysPage />
      ) : (
        <Alert
          type="info"
          title={t('portalweb.developer.signIn')}
          action={
            <>
              <Link to="/login?next=%2Fdata%2Fdeveloper">{t('portalweb.user.login')}</Link>
              {' · '}
              <Link to="/data/register">{t('portalweb.user.register')}</Link>
            </>
          }
        />
      )}
    </>
  );
}
