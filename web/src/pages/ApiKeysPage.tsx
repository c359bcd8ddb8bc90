// API 密钥: the user's AppKey/AppSecret pairs for machine clients. The secret is shown once, at creation.
import { useCallback, useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Form, Input, Modal, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { del, errorMessage, get, post } from '../api.ts';
import { applyServerError } from '../forms.ts';
import { formatDateTime } from '../format.ts';
import type { ApiKey } from '../types.ts';
import { SecretOnceModal } from '../components/SecretOnceModal.tsx';

interface Created {
  id: string;
  appKey: string;
  appSecret: string;
}

export default function ApiKeysPage() {
  const { t } = useTranslation();
  const { modal, message } = AntApp.useApp();
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const r = await get<ApiKey[] | { items: ApiKey[] }>('/api/api-keys');
      setKeys(Array.isArray(r) ? r : r.items);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const remove = (k: ApiKey) =>
    modal.confirm({
      title: t('apiKeys.revoke'),
      content: t('apiKeys.revokeConfirm', { name: k.name }),
      okText: t('apiKeys.revoke'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await del(`/api/api-keys/${k.id}`);
          message.success(t('apiKeys.revoked'));
          await load();
        } catch (e) {
          message.error(errorMessage(e));
        }
      },
    });

  const columns: TableColumnsType<ApiKey> = [
    { title: t('apiKeys.name'), dataIndex: 'name', key: 'name' },
    {
      title: t('apiKeys.appKey'),
      dataIndex: 'appKey',
      key: 'appKey',
      render: (v: string) => (
        <Typography.Text className="mono" copyable>
          {v}
        </Typography.Text>
      ),
    },
    {
      title: t('apiKeys.fingerprint'),
      dataIndex: 'secretSha256Prefix',
      key: 'fingerprint',
      render: (v?: string) => (v ? <span className="mono">{v}</span> : '—'),
    },
    {
      title: t('apiKeys.status'),
      key: 'status',
      render: (_v, k) =>
        k.revokedAt ? (
          <Tag>{t('apiKeys.statusRevoked', { time: formatDateTime(k.revokedAt) })}</Tag>
        ) : (
          <Tag color="green">{t('apiKeys.statusActive')}</Tag>
        ),
    },
    { title: t('apiKeys.createdAt'), dataIndex: 'createdAt', key: 'createdAt', render: (v?: string) => formatDateTime(v) || '—' },
    { title: t('apiKeys.lastUsedAt'), dataIndex: 'lastUsedAt', key: 'lastUsedAt', render: (v?: string | null) => formatDateTime(v) || '—' },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_v, k) =>
        k.revokedAt ? null : (
          <Button type="link" danger size="small" onClick={() => remove(k)} aria-label={`${t('apiKeys.revoke')} ${k.name}`}>
            {t('apiKeys.revoke')}
          </Button>
        ),
    },
  ];

  return (
    <Card
      title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('apiKeys.title')}</h1>}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="apikey-create">
          {t('apiKeys.create')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t('apiKeys.intro')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<ApiKey> rowKey="id" columns={columns} dataSource={keys} loading={loading} pagination={false} scroll={{ x: 'max-content' }} />
      {creating && (
        <CreateKeyModal
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            setCreated(c);
            void load();
          }}
        />
      )}
      <SecretOnceModal secret={created} onClose={() => setCreated(null)} testId="apikey-secret" />
    </Card>
  );
}

function CreateKeyModal({ onClose, onCreated }: { onClose(): void; onCreated(c: Created): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ name: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: { name: string }) => {
    setBusy(true);
    setError(null);
    try {
      onCreated(await post<Created>('/api/api-keys', { name: v.name.trim() }));
    } catch (e) {
      if (!applyServerError(form, e, ['name'])) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('apiKeys.create')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
    >
      <Form form={form} name="apiKeyCreate" layout="vertical" onFinish={submit}>
        <Form.Item
          name="name"
          label={t('apiKeys.name')}
          rules={[{ required: true, whitespace: true, max: 100, message: t('apiKeys.nameRequired') }]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
