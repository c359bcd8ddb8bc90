import { useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Space, Tag, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError, errorMessage, get, post } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { formatUntil } from '../format.ts';
import LangSwitch from '../components/LangSwitch.tsx';
import type { Me, Meta } from '../types.ts';

interface Values {
  username: string;
  password: string;
}

function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export default function LoginPage() {
  const { t } = useTranslation();
  const { me, setMe } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [meta, setMeta] = useState<Meta | null>(null);

  useEffect(() => {
    get<Meta>('/api/meta')
      .then(setMeta)
      .catch(() => undefined);
  }, []);

  if (me) return <Navigate to={safeNext(params.get('next'))} replace />;

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      const res = await post<{ user: Me }>(
        '/api/auth/login',
        { username: v.username.trim(), password: v.password },
        { noAuthRedirect: true },
      );
      setMe(res.user);
      navigate(safeNext(params.get('next')), { replace: true });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'AUTH_LOCKED' && typeof e.details.lockedUntil === 'string') {
        setError(t('login.locked', { time: formatUntil(e.details.lockedUntil) }));
      } else setError(errorMessage(e));
      form.setFieldValue('password', '');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main
      style={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        background: 'linear-gradient(135deg, #0f3d7a 0%, #1d5fbf 60%, #4a8fe0 100%)',
        padding: 16,
      }}
    >
      <div style={{ position: 'absolute', top: 16, right: 16 }}>
        <LangSwitch ghost />
      </div>
      <Space orientation="vertical" size="large" style={{ width: 400, maxWidth: '100%' }}>
        <div style={{ textAlign: 'center', color: '#fff' }}>
          <h1 style={{ margin: 0, fontSize: 30, color: '#fff' }}>{t('app.name')}</h1>
          <div style={{ opacity: 0.85 }}>{t('app.tagline')}</div>
        </div>
        <Card title={<h2 style={{ margin: 0, fontSize: 18 }}>{t('login.title')}</h2>}>
          <Form form={form} name="login" layout="vertical" onFinish={submit} requiredMark={false} data-testid="login-form">
            <Form.Item
              name="username"
              label={t('login.username')}
              rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}
            >
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus size="large" />
            </Form.Item>
            <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" />
            </Form.Item>
            {error && <Alert type="error" showIcon title={error} role="alert" data-testid="login-error" style={{ marginBottom: 16 }} />}
            <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="login-submit">
              {t('login.submit')}
            </Button>
          </Form>
        </Card>
        {meta?.demo && meta.demoPassword && (
          <Card size="small" title={t('login.demoTitle')} data-testid="demo-hint">
            <Typography.Paragraph style={{ marginBottom: 8 }}>{t('login.demoHint', { password: meta.demoPassword })}</Typography.Paragraph>
            <Space wrap size={[4, 4]}>
              {meta.demoLogins.map((u) => (
                <Button
                  key={u.username}
                  size="small"
                  aria-label={t('login.demoUse', { username: u.username })}
                  title={t(`roles.${u.role}`)}
                  onClick={() => {
                    form.setFieldsValue({ username: u.username, password: meta.demoPassword ?? '' });
                    setError(null);
                  }}
                >
                  {u.username}
                </Button>
              ))}
            </Space>
            <div style={{ marginTop: 8 }}>
              {meta.demoLogins
                .filter((u, i, a) => a.findIndex((x) => x.role === u.role) === i)
                .map((u) => (
                  <Tag key={u.role} style={{ marginBottom: 4 }}>
                    {meta.demoLogins
                      .filter((x) => x.role === u.role)
                      .map((x) => x.username)
                      .join(' / ')}
                    {' · '}
                    {t(`roles.${u.role}`)}
                  </Tag>
                ))}
            </div>
          </Card>
        )}
      </Space>
    </main>
  );
}
