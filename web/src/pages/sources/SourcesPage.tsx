// 数据源: a department's source-database connections (PostgreSQL, MySQL/MariaDB). Provider clerks and the
// authority admin add, edit, test and delete them; auditors read. The password goes to the server and never
// comes back: the edit form never shows it and asks for it again when the address or the account changes.
import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import { ApiOutlined, DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { del, errorMessage, get, patch, post } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { canEdit } from '../../access.ts';
import { formatDateTime } from '../../format.ts';
import { useOrgName } from '../../orgs.ts';
import { applyServerError } from '../../forms.ts';
import { DEFAULT_PORTS, KIND_LABELS, SOURCE_KINDS, type Connection, type SourceKind, type TestResult } from './types.ts';

type TestState = { running: true } | { running: false; result: TestResult } | { running: false; error: string };

export default function SourcesPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const orgName = useOrgName();
  const editable = !!me && canEdit('sources', me.roles);
  const [items, setItems] = useState<Connection[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ conn: Connection | null } | null>(null);
  const [tests, setTests] = useState<Record<string, TestState>>({});

  const load = useCallback(async () => {
    try {
      setItems((await get<{ items: Connection[] }>('/api/sources')).items);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const test = async (c: Connection) => {
    setTests((s) => ({ ...s, [c.id]: { running: true } }));
    try {
      const result = await post<TestResult>(`/api/sources/${c.id}/test`);
      setTests((s) => ({ ...s, [c.id]: { running: false, result } }));
    } catch (e) {
      setTests((s) => ({ ...s, [c.id]: { running: false, error: errorMessage(e) } }));
    }
  };

  const remove = async (c: Connection) => {
    try {
      await del(`/api/sources/${c.id}`);
      message.success(t('sources.deleted', { name: c.name }));
      void load();
    } catch (e) {
      message.error(errorMessage(e));
    }
  };

  const actionsColumn: TableColumnsType<Connection>[number] = {
    title: t('common.actions'),
    key: 'actions',
    fixed: 'right',
    render: (_v, c) => (
      <Space size={4} wrap>
        <Button
          size="small"
          icon={<ApiOutlined />}
          loading={tests[c.id]?.running}
          onClick={() => void test(c)}
          data-testid={`source-test-${c.name}`}
        >
          {t('sources.test')}
        </Button>
        <Button
          size="small"
          icon={<EditOutlined />}
          onClick={() => setEditing({ conn: c })}
          aria-label={t('sources.editNamed', { name: c.name })}
        >
          {t('common.edit')}
        </Button>
        <Popconfirm
          title={t('sources.deleteConfirm', { name: c.name })}
          description={c.specCount ? t('sources.deleteInUse', { count: c.specCount }) : undefined}
          okText={t('common.delete')}
          cancelText={t('common.cancel')}
          okButtonProps={{ danger: true }}
          onConfirm={() => remove(c)}
        >
          <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('sources.deleteNamed', { name: c.name })}>
            {t('common.delete')}
          </Button>
        </Popconfirm>
      </Space>
    ),
  };

  const columns: TableColumnsType<Connection> = [
    { title: t('sources.name'), dataIndex: 'name', key: 'name' },
    { title: t('sources.kind'), dataIndex: 'kind', key: 'kind', width: 150, render: (k: SourceKind) => <Tag>{KIND_LABELS[k]}</Tag> },
    {
      title: t('sources.address'),
      key: 'address',
      render: (_v, c) => (
        <Space orientation="vertical" size={0}>
          <span className="mono">
            {c.host}:{c.port}/{c.database}
          </span>
          {c.options.ssl && <Typography.Text type="secondary">{t('sources.sslOn')}</Typography.Text>}
        </Space>
      ),
    },
    { title: t('sources.user'), dataIndex: 'user', key: 'user', render: (u: string) => <span className="mono">{u}</span> },
    { title: t('sources.org'), key: 'org', render: (_v, c) => orgName(c.org) },
    { title: t('sources.specCount'), dataIndex: 'specCount', key: 'specs', width: 90 },
    { title: t('sources.createdAt'), dataIndex: 'createdAt', key: 'createdAt', width: 170, render: (v: string) => formatDateTime(v) },
    ...(editable ? [actionsColumn] : []),
  ];

  return (
    <Card
      title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('sources.title')}</h1>}
      extra={
        editable ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ conn: null })} data-testid="source-add">
            {t('sources.add')}
          </Button>
        ) : (
          <Tag>{t('common.readOnly')}</Tag>
        )
      }
    >
      <Typography.Paragraph type="secondary">{t('sources.intro')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Table
        rowKey="id"
        size="small"
        loading={!items && !error}
        dataSource={items ?? []}
        columns={columns}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        data-testid="sources-table"
        locale={{ emptyText: t('sources.none') }}
        expandable={{
          showExpandColumn: false,
          expandedRowKeys: Object.entries(tests)
            .filter(([, s]) => !s.running)
            .map(([id]) => id),
          expandedRowRender: (c) => <TestOutcome state={tests[c.id]} />,
        }}
      />
      {editing && (
        <ConnectionModal
          conn={editing.conn}
          onClose={() => setEditing(null)}
          onSaved={(c) => {
            setEditing(null);
            setTests(({ [c.id]: _dropped, ...rest }) => rest);
            message.success(t('sources.saved', { name: c.name }));
            void load();
          }}
        />
      )}
    </Card>
  );
}

function TestOutcome({ state }: { state: TestState | undefined }) {
  const { t } = useTranslation();
  if (!state || state.running) return null;
  if ('error' in state)
    return <Alert type="error" showIcon title={t('sources.testFailed')} description={state.error} data-testid="source-test-result" />;
  const r = state.result;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="source-test-result">
      <Alert type="success" showIcon title={t('sources.testOk', { version: r.serverVersion, ms: r.latencyMs })} />
      {r.privileged && <Alert type="warning" showIcon title={t('sources.privileged')} />}
    </Space>
  );
}

interface FormValues {
  name: string;
  kind: SourceKind;
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  ssl: boolean;
}

const FIELDS = ['name', 'kind', 'host', 'port', 'database', 'user', 'password'];

function ConnectionModal({ conn, onClose, onSaved }: { conn: Connection | null; onClose(): void; onSaved(c: Connection): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const kind = Form.useWatch('kind', form);
  const host = Form.useWatch('host', form);
  const port = Form.useWatch('port', form);
  const user = Form.useWatch('user', form);
  // A stored password never follows a new address or account: the server asks for it again, so does the form.
  const moved =
    !!conn &&
    ((kind !== undefined && kind !== conn.kind) ||
      (host !== undefined && host.trim() !== conn.host) ||
      (port !== undefined && port !== conn.port) ||
      (user !== undefined && user.trim() !== conn.user));

  const submit = async (v: FormValues) => {
    setBusy(true);
    setError(null);
    const values = {
      name: v.name.trim(),
      kind: v.kind,
      host: v.host.trim(),
      port: v.port,
      database: v.database.trim(),
      user: v.user.trim(),
      options: { ssl: v.ssl },
    };
    try {
      let saved: Connection;
      if (conn) {
        const body: Record<string, unknown> = {};
        for (const [k, val] of Object.entries(values)) {
          const before = k === 'options' ? conn.options : conn[k as keyof Connection];
          if (JSON.stringify(val) !== JSON.stringify(before)) body[k] = val;
        }
        if (v.password) body.password = v.password;
        saved = await patch<Connection>(`/api/sources/${conn.id}`, body);
      } else {
        saved = await post<Connection>('/api/sources', { ...values, password: v.password ?? '' });
      }
      onSaved(saved);
    } catch (e) {
      if (!applyServerError(form, e, FIELDS)) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      width={640}
      title={conn ? t('sources.editTitle', { name: conn.name }) : t('sources.add')}
      onCancel={onClose}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      okButtonProps={{ 'data-testid': 'source-save' } as Record<string, string>}
      destroyOnHidden
    >
      <Form<FormValues>
        form={form}
        name="sourceForm"
        layout="vertical"
        onFinish={submit}
        initialValues={
          conn
            ? {
                name: conn.name,
                kind: conn.kind,
                host: conn.host,
                port: conn.port,
                database: conn.database,
                user: conn.user,
                ssl: conn.options.ssl,
              }
            : { kind: 'postgresql', port: DEFAULT_PORTS.postgresql, ssl: false }
        }
        onValuesChange={(changed: Partial<FormValues>) => {
          // A new kind brings its default port when the port was still the other kind's default.
          if (changed.kind) {
            const p = form.getFieldValue('port') as number | undefined;
            if (p === undefined || Object.values(DEFAULT_PORTS).includes(p)) form.setFieldValue('port', DEFAULT_PORTS[changed.kind]);
          }
        }}
      >
        <Form.Item
          name="name"
          label={t('sources.name')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('sources.name') }) }]}
        >
          <Input maxLength={100} />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="kind" label={t('sources.kind')} rules={[{ required: true }]}>
              <Select options={SOURCE_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="ssl" valuePropName="checked" label={t('sources.ssl')} tooltip={t('sources.sslHint')}>
              <Checkbox>{t('sources.sslRequire')}</Checkbox>
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col xs={24} md={16}>
            <Form.Item
              name="host"
              label={t('sources.host')}
              tooltip={t('sources.hostHint')}
              rules={[
                { required: true, whitespace: true, message: t('common.required', { field: t('sources.host') }) },
                { pattern: /^\s*[A-Za-z0-9][A-Za-z0-9.:_-]*\s*$/, message: t('sources.hostInvalid') },
              ]}
            >
              <Input maxLength={253} placeholder="db.example.gov.cn" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item
              name="port"
              label={t('sources.port')}
              rules={[{ required: true, message: t('common.required', { field: t('sources.port') }) }]}
            >
              <InputNumber min={1} max={65535} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              name="database"
              label={t('sources.database')}
              rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('sources.database') }) }]}
            >
              <Input maxLength={128} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="user"
              label={t('sources.user')}
              tooltip={t('sources.userHint')}
              rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('sources.user') }) }]}
            >
              <Input maxLength={128} autoComplete="off" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="password"
          label={t('sources.password')}
          extra={conn ? (moved ? t('sources.passwordAgain') : t('sources.passwordKeep')) : t('sources.passwordStored')}
          rules={[{ required: moved, message: t('sources.passwordAgain') }]}
          dependencies={['kind', 'host', 'port', 'user']}
        >
          <Input.Password maxLength={1024} autoComplete="new-password" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
