// 我的应用与密钥: a department's applications (systems) that call the data gateway, each with its keys. A key's
// AppSecret is shown once, when it is issued; disabling an application stops all its keys at the next call.
import { useCallback, useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Form, Input, Modal, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { del, errorMessage, get, patch, post } from '../../api.ts';
import { hasRole, useAuth } from '../../auth.tsx';
import { applyServerError } from '../../forms.ts';
import { formatDateTime } from '../../format.ts';
import type { Application } from './types.ts';
import { SecretOnceModal } from '../../components/SecretOnceModal.tsx';

interface AppKey {
  id: string;
  name: string;
  appKey: string;
  username: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface NewKey {
  id: string;
  name: string;
  appKey: string;
  appSecret: string;
}

export default function ApplicationsPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const editable = hasRole(me, 'consumer_clerk', 'provider_clerk', 'authority_admin');
  const [apps, setApps] = useState<Application[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState<'app' | { appId: string } | null>(null);
  const [created, setCreated] = useState<NewKey | null>(null);
  const [reload, setReload] = useState(0);

  const load = useCallback(async () => {
    try {
      setApps((await get<{ items: Application[] }>('/api/applications')).items);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
      setApps([]);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const toggle = async (a: Application) => {
    try {
      await patch(`/api/applications/${a.id}`, { state: a.state === 'active' ? 'disabled' : 'active' });
      message.success(t(a.state === 'active' ? 'applications.disabled' : 'applications.enabled'));
      await load();
    } catch (e) {
      message.error(errorMessage(e));
    }
  };

  const columns: TableColumnsType<Application> = [
    {
      title: t('applications.name'),
      key: 'name',
      render: (_v, a) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{a.name}</Typography.Text>
          {a.description && <Typography.Text type="secondary">{a.description}</Typography.Text>}
        </Space>
      ),
    },
    {
      title: t('applications.state'),
      key: 'state',
      render: (_v, a) => <Tag color={a.state === 'active' ? 'success' : 'default'}>{t(`applications.states.${a.state}`)}</Tag>,
    },
    { title: t('apiKeys.createdAt'), key: 'created', render: (_v, a) => formatDateTime(a.createdAt) },
    ...(editable
      ? [
          {
            title: t('common.actions'),
            key: 'ops',
            render: (_v: unknown, a: Application) => (
              <Space>
                <Button
                  size="small"
                  disabled={a.state !== 'active'}
                  onClick={() => setCreating({ appId: a.id })}
                  data-testid="app-key-create"
                >
                  {t('applications.newKey')}
                </Button>
                <Button size="small" danger={a.state === 'active'} onClick={() => void toggle(a)} data-testid="app-toggle">
                  {t(a.state === 'active' ? 'applications.disable' : 'applications.enable')}
                </Button>
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <Card
      title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('applications.title')}</h1>}
      extra={
        editable && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating('app')} data-testid="app-create">
            {t('applications.create')}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">{t('applications.intro')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<Application>
        rowKey="id"
        size="small"
        loading={!apps}
        columns={columns}
        dataSource={apps ?? []}
        pagination={false}
        data-testid="applications"
        scroll={{ x: 'max-content' }}
        expandable={{ expandedRowRender: (a) => <Keys appId={a.id} editable={editable} reload={reload} /> }}
      />
      {creating && (
        <NameModal
          kind={creating === 'app' ? 'app' : 'key'}
          onClose={() => setCreating(null)}
          onSubmit={async (name, description) => {
            if (creating === 'app') {
              await post('/api/applications', { name, description });
              message.success(t('applications.created'));
              await load();
            } else {
              setCreated(await post<NewKey>(`/api/applications/${creating.appId}/keys`, { name }));
              setReload((n) => n + 1);
            }
          }}
        />
      )}
      <SecretOnceModal secret={created} onClose={() => setCreated(null)} testId="app-key-secret" />
    </Card>
  );
}

/** The keys of one application (loaded when its row opens, again after a key is issued). */
function Keys({ appId, editable, reload }: { appId: string; editable: boolean; reload: number }) {
  const { t } = useTranslation();
  const { modal, message } = AntApp.useApp();
  const [keys, setKeys] = useState<AppKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setKeys((await get<{ keys: AppKey[] }>(`/api/applications/${appId}`)).keys);
    } catch (e) {
      setError(errorMessage(e));
      setKeys([]);
    }
  }, [appId]);
  useEffect(() => {
    void load();
  }, [load, reload]);

  const revoke = (k: AppKey) =>
    modal.confirm({
      title: t('apiKeys.revoke'),
      content: t('apiKeys.revokeConfirm', { name: k.name }),
      okText: t('apiKeys.revoke'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await del(`/api/applications/${appId}/keys/${k.id}`);
          message.success(t('apiKeys.revoked'));
          await load();
        } catch (e) {
          message.error(errorMessage(e));
        }
      },
    });

  return (
    <>
      {error && <Alert type="error" showIcon title={error} />}
      <Table<AppKey>
        rowKey="id"
        size="small"
        loading={!keys}
        pagination={false}
        dataSource={keys ?? []}
        locale={{ emptyText: t('applications.noKeys') }}
        columns={[
          { title: t('apiKeys.name'), dataIndex: 'name' },
          { title: t('apiKeys.appKey'), key: 'key', render: (_v, k) => <span className="mono">{k.appKey}</span> },
          { title: t('applications.issuedBy'), dataIndex: 'username' },
          { title: t('apiKeys.createdAt'), key: 'created', render: (_v, k) => formatDateTime(k.createdAt) },
          { title: t('apiKeys.lastUsedAt'), key: 'used', render: (_v, k) => formatDateTime(k.lastUsedAt) || '—' },
          {
            title: t('apiKeys.status'),
            key: 'status',
            render: (_v, k) =>
              k.revokedAt ? (
                <Tag>{t('apiKeys.statusRevoked', { time: formatDateTime(k.revokedAt) })}</Tag>
              ) : (
                <Tag color="success">{t('apiKeys.statusActive')}</Tag>
              ),
          },
          ...(editable
            ? [
                {
                  title: t('common.actions'),
                  key: 'ops',
                  render: (_v: unknown, k: AppKey) =>
                    !k.revokedAt && (
                      <Button size="small" danger onClick={() => revoke(k)}>
                        {t('apiKeys.revoke')}
                      </Button>
                    ),
                },
              ]
            : []),
        ]}
      />
    </>
  );
}

function NameModal({
  kind,
  onClose,
  onSubmit,
}: {
  kind: 'app' | 'key';
  onClose(): void;
  onSubmit(name: string, description: string): Promise<void>;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ name: string; description?: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: { name: string; description?: string }) => {
    setBusy(true);
    setError(null);
    try {
      await onSubmit(v.name.trim(), v.description?.trim() ?? '');
      onClose();
    } catch (e) {
      if (!applyServerError(form, e, ['name', 'description'])) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const label = kind === 'app' ? t('applications.name') : t('apiKeys.name');
  return (
    <Modal
      open
      title={kind === 'app' ? t('applications.create') : t('applications.newKey')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
        <Form.Item
          name="name"
          label={label}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: label }) }]}
        >
          <Input maxLength={100} autoFocus />
        </Form.Item>
        {kind === 'app' && (
          <Form.Item name="description" label={t('applications.description')}>
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
        )}
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
