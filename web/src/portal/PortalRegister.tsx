// 注册: self-registration of a member of the public (POST /api/auth/register), then log in and go to the
// developer page. Errors from the server land on their field.
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, post } from '../api.ts';
import { applyServerError } from '../forms.ts';
import { useAuth } from '../auth.tsx';

interface Values {
  username: string;
  displayName?: string;
  password: string;
  confirm: string;
}

export default function PortalRegister() {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const { me, refresh } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (me)
    return (
      <Alert
        type="info"
        title={t('portalweb.register.signedIn')}
        action={<Link to="/data/developer">{t('portalweb.user.developer')}</Link>}
      />
    );

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      await post('/api/auth/register', { username: v.username, displayName: v.displayName || undefined, password: v.password });
      await post('/api/auth/login', { username: v.username, password: v.password });
      await refresh();
      navigate('/data/developer');
    } catch (e) {
      if (!applyServerError(form, e, ['username', 'password', 'displayName'])) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card style={{ maxWidth: 520, margin: '0 auto' }}>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('portalweb.register.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('portalweb.register.lead')}</Typography.Paragraph>
      {error && <Alert type="error" title={error} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark>
        <Form.Item
          name="username"
          label={t('portalweb.register.username')}
          extra={t('portalweb.register.usernameHelp')}
          rules={[{ required: true, message: t('portalweb.register.required') }]}
        >
          <Input autoComplete="username" data-testid="register-username" />
        </Form.Item>
        <Form.Item name="displayName" label={t('portalweb.register.displayName')}>
          <Input autoComplete="nickname" maxLength={100} />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('portalweb.register.password')}
          extra={t('portalweb.register.passwordHelp')}
          rules={[{ required: true, message: t('portalweb.register.required') }]}
        >
          <Input.Password autoComplete="new-password" data-testid="register-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('portalweb.register.confirm')}
          dependencies={['password']}
          rules={[
            { required: true, message: t('portalweb.register.required') },
            ({ getFieldValue }) => ({
              validator: (_, v) =>
                !v || v === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('portalweb.register.mismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="register-confirm" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} block data-testid="register-submit">
          {t('portalweb.register.submit')}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16 }}>
        {t('portalweb.register.haveAccount')} <Link to="/login?next=%2Fdata">{t('portalweb.user.login')}</Link>
      </Typography.Paragraph>
    </Card>
  );
}
