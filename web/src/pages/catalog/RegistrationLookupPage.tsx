// 登记证书查询 (public, no login): anyone looks a registration certificate up by its registration number or
// query code and sees what was registered, by whom, until when, and the content hash of the registered metadata.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, Card, Descriptions, Form, Input, Segmented, Space, Tag, Typography } from 'antd';
import { SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage, get } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { formatDateTime } from '../../format.ts';
import LangSwitch from '../../components/LangSwitch.tsx';
import { useEn } from './common.tsx';
import type { LookupResult } from './types.ts';

type By = 'number' | 'queryCode';

export default function RegistrationLookupPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const en = useEn();
  const [by, setBy] = useState<By>('number');
  const [form] = Form.useForm<{ value: string }>();
  const [result, setResult] = useState<LookupResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const lookup = async ({ value }: { value: string }) => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await get<LookupResult>('/api/registrations/certificates/lookup', { [by]: value.trim() }));
    } catch (e) {
      setError(e instanceof ApiError && e.status === 404 ? t('catalog.lookup.notFound') : errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main style={{ minHeight: '100vh', background: '#f5f7fa', padding: '32px 16px' }}>
      <Space orientation="vertical" size="large" style={{ width: 720, maxWidth: '100%', margin: '0 auto', display: 'flex' }}>
        <Space style={{ width: '100%', justifyContent: 'space-between' }}>
          <Link to={me ? '/' : '/login'} style={{ fontSize: 18, fontWeight: 600 }}>
            {t('app.name')}
          </Link>
          <Space>
            {!me && <Link to="/login">{t('login.submit')}</Link>}
            <LangSwitch />
          </Space>
        </Space>
        <Card
          title={
            <h1 style={{ fontSize: 20, margin: 0 }}>
              <SafetyCertificateOutlined /> {t('catalog.lookup.title')}
            </h1>
          }
        >
          <Typography.Paragraph type="secondary">{t('catalog.lookup.intro')}</Typography.Paragraph>
          <Form form={form} layout="vertical" onFinish={lookup} data-testid="lookup-form" requiredMark={false}>
            <Form.Item label={t('catalog.lookup.by')}>
              <Segmented
                value={by}
                onChange={(v) => {
                  setBy(v as By);
                  setResult(null);
                  setError(null);
                }}
                options={[
                  { value: 'number', label: t('catalog.registration.number') },
                  { value: 'queryCode', label: t('catalog.registration.queryCode') },
                ]}
              />
            </Form.Item>
            <Form.Item
              name="value"
              label={by === 'number' ? t('catalog.registration.number') : t('catalog.registration.queryCode')}
              rules={[
                {
                  required: true,
                  whitespace: true,
                  message: t('common.required', {
                    field: by === 'number' ? t('catalog.registration.number') : t('catalog.registration.queryCode'),
                  }),
                },
              ]}
              extra={by === 'number' ? t('catalog.lookup.numberHint') : t('catalog.lookup.codeHint')}
            >
              <Input size="large" className="mono" maxLength={40} autoFocus data-testid="lookup-input" />
            </Form.Item>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />} loading={busy} data-testid="lookup-submit">
              {t('catalog.lookup.submit')}
            </Button>
          </Form>
        </Card>
        <div aria-live="polite">
          {error && <Alert type="warning" showIcon title={error} data-testid="lookup-error" />}
          {result && (
            <Card title={t('catalog.lookup.result')} data-testid="lookup-result">
              <Descriptions column={1} bordered size="small">
                <Descriptions.Item label={t('catalog.registration.number')}>
                  <span className="mono">{result.number}</span>
                </Descriptions.Item>
                <Descriptions.Item label={t('catalog.registration.certStatus')}>
                  <Tag color={result.status === 'valid' ? 'success' : result.status === 'revoked' ? 'error' : 'default'}>
                    {t(`catalog.registration.certStatuses.${result.status}`)}
                  </Tag>
                </Descriptions.Item>
                <Descriptions.Item label={t('catalog.lookup.resource')}>
                  {en ? result.resourceNameEn || result.resourceName : result.resourceName}{' '}
                  <span className="mono">({result.resourceCode})</span>
                </Descriptions.Item>
                <Descriptions.Item label={t('catalog.fields.providerOrg')}>
                  {en ? result.providerEn || result.provider : result.provider}
                </Descriptions.Item>
                <Descriptions.Item label={t('catalog.registration.issuedAt')}>{formatDateTime(result.issuedAt)}</Descriptions.Item>
                <Descriptions.Item label={t('catalog.registration.validUntil')}>{result.validUntil}</Descriptions.Item>
                <Descriptions.Item label={t('catalog.registration.contentHash')}>
                  <Typography.Text className="mono" copyable>
                    {result.contentHash}
                  </Typography.Text>
                </Descriptions.Item>
              </Descriptions>
            </Card>
          )}
        </div>
      </Space>
    </main>
  );
}
