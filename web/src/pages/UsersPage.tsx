// 用户管理: search and filter users; the authority admin creates, edits, disables/enables, unlocks them and
// resets passwords. Auditors and security officers get the same table read-only.
import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  TreeSelect,
  Typography,
  type TableColumnsType,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import FilterActions from '../components/FilterActions.tsx';
import { errorMessage, get, patch, post } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { canEdit } from '../access.ts';
import { applyServerError } from '../forms.ts';
import { formatDateTime, formatUntil } from '../format.ts';
import { useOrgName, useOrgs, useOrgTreeSelect } from '../orgs.ts';
import { ROLES, type Page, type Role, type UserRow } from '../types.ts';

interface Filters {
  q?: string;
  orgId?: string;
  role?: Role;
  status?: string;
}

interface UserForm {
  username: string;
  displayName: string;
  orgId: string;
  roles: Role[];
  password: string;
}

const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;

function isLocked(u: UserRow): boolean {
  return !!u.lockedUntil && new Date(u.lockedUntil).getTime() > Date.now();
}

export default function UsersPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { modal, message } = AntApp.useApp();
  const editable = !!me && canEdit('users', me.roles);
  const orgName = useOrgName();
  const { orgs } = useOrgs();
  const orgTree = useOrgTreeSelect(orgs);

  const [filterForm] = Form.useForm<Filters>();
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [data, setData] = useState<Page<UserRow>>({ items: [], total: 0 });
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const [editing, setEditing] = useState<UserRow | 'new' | null>(null);
  const [resetting, setResetting] = useState<UserRow | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setData(await get<Page<UserRow>>('/api/users', { ...filters, page, pageSize }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  }, [filters, page, pageSize]);

  useEffect(() => {
    void load();
  }, [load]);

  const roleOptions = ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }));
  const statusOptions = [
    { value: 'active', label: t('users.statusActive') },
    { value: 'disabled', label: t('users.statusDisabled') },
    { value: 'locked', label: t('users.statusLockedFilter') },
  ];

  const confirmAction = (u: UserRow, action: 'disable' | 'enable' | 'unlock') => {
    modal.confirm({
      title: t(`users.${action}`),
      content: t(`users.${action}Confirm`, { username: u.username }),
      okText: t('common.ok'),
      cancelText: t('common.cancel'),
      okButtonProps: { danger: action === 'disable' },
      onOk: async () => {
        try {
          await post(`/api/users/${u.id}/${action}`);
          message.success(t(`users.${action === 'disable' ? 'disabled' : action === 'enable' ? 'enabled' : 'unlocked'}`));
          await load();
        } catch (e) {
          message.error(errorMessage(e));
        }
      },
    });
  };

  const columns: TableColumnsType<UserRow> = [
    {
      title: t('users.username'),
      dataIndex: 'username',
      key: 'username',
      render: (v: string) => <Typography.Text strong>{v}</Typography.Text>,
    },
    { title: t('users.displayName'), dataIndex: 'displayName', key: 'displayName' },
    { title: t('users.org'), key: 'org', render: (_v, u) => orgName(u.org) },
    {
      title: t('users.roles'),
      key: 'roles',
      render: (_v, u) => (
        <Space size={[0, 4]} wrap>
          {u.roles.map((r) => (
            <Tag key={r} color="blue">
              {t(`roles.${r}`)}
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      title: t('users.status'),
      key: 'status',
      render: (_v, u) => (
        <Space size={[0, 4]} wrap>
          {u.status === 'disabled' ? (
            <Tag color="default">{t('users.statusDisabled')}</Tag>
          ) : (
            <Tag color="green">{t('users.statusActive')}</Tag>
          )}
          {isLocked(u) && <Tag color="orange">{t('users.statusLocked', { time: formatUntil(u.lockedUntil) })}</Tag>}
        </Space>
      ),
    },
    { title: t('users.lastLoginAt'), dataIndex: 'lastLoginAt', key: 'lastLoginAt', render: (v: string | null) => formatDateTime(v) || '—' },
  ];
  if (editable) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      render: (_v, u) => (
        <Space size={0} wrap>
          <Button type="link" size="small" onClick={() => setEditing(u)} aria-label={`${t('common.edit')} ${u.username}`}>
            {t('common.edit')}
          </Button>
          {u.status === 'disabled' ? (
            <Button type="link" size="small" onClick={() => confirmAction(u, 'enable')} aria-label={`${t('users.enable')} ${u.username}`}>
              {t('users.enable')}
            </Button>
          ) : (
            <Button
              type="link"
              size="small"
              danger
              disabled={u.id === me?.id}
              onClick={() => confirmAction(u, 'disable')}
              aria-label={`${t('users.disable')} ${u.username}`}
            >
              {t('users.disable')}
            </Button>
          )}
          {isLocked(u) && (
            <Button type="link" size="small" onClick={() => confirmAction(u, 'unlock')} aria-label={`${t('users.unlock')} ${u.username}`}>
              {t('users.unlock')}
            </Button>
          )}
          <Button type="link" size="small" onClick={() => setResetting(u)} aria-label={`${t('users.resetPassword')} ${u.username}`}>
            {t('users.resetPassword')}
          </Button>
        </Space>
      ),
    });
  }

  return (
    <Card
      title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('users.title')}</h1>}
      extra={
        editable && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="user-create">
            {t('users.create')}
          </Button>
        )
      }
    >
      {!editable && <Alert type="info" showIcon title={t('users.readOnlyNote')} style={{ marginBottom: 16 }} />}
      <Form
        form={filterForm}
        name="userFilters"
        layout="inline"
        onFinish={(v) => {
          setFilters({ q: v.q?.trim() || undefined, orgId: v.orgId, role: v.role, status: v.status });
          setPage(1);
        }}
        style={{ marginBottom: 16, rowGap: 8 }}
        aria-label={t('users.searchLabel')}
      >
        <Form.Item name="q" label={t('users.searchLabel')}>
          <Input placeholder={t('users.searchPlaceholder')} allowClear style={{ width: 180 }} />
        </Form.Item>
        <Form.Item name="orgId" label={t('users.filterOrg')}>
          <TreeSelect
            treeData={orgTree}
            allowClear
            showSearch
            treeNodeFilterProp="title"
            treeDefaultExpandAll
            style={{ width: 220 }}
            placeholder={t('common.all')}
          />
        </Form.Item>
        <Form.Item name="role" label={t('users.filterRole')}>
          <Select
            options={roleOptions}
            allowClear
            showSearch
            optionFilterProp="label"
            style={{ width: 200 }}
            placeholder={t('common.all')}
          />
        </Form.Item>
        <Form.Item name="status" label={t('users.filterStatus')}>
          <Select options={statusOptions} allowClear style={{ width: 120 }} placeholder={t('common.all')} />
        </Form.Item>
        <FilterActions
          onReset={() => {
            filterForm.resetFields();
            setFilters({});
            setPage(1);
          }}
        />
      </Form>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<UserRow>
        rowKey="id"
        columns={columns}
        dataSource={data.items}
        loading={loading}
        data-testid="users-table"
        scroll={{ x: 'max-content' }}
        pagination={{
          current: page,
          pageSize,
          total: data.total,
          showSizeChanger: true,
          showTotal: (total) => t('common.total', { total }),
          onChange: (p, s) => {
            setPage(p);
            setPageSize(s);
          },
        }}
      />
      {editing && (
        <UserModal
          user={editing === 'new' ? null : editing}
          orgTree={orgTree}
          roleOptions={roleOptions}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void load();
          }}
        />
      )}
      {resetting && <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />}
    </Card>
  );
}

function UserModal({
  user,
  orgTree,
  roleOptions,
  onClose,
  onSaved,
}: {
  user: UserRow | null;
  orgTree: ReturnType<typeof useOrgTreeSelect>;
  roleOptions: { value: Role; label: string }[];
  onClose(): void;
  onSaved(): void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<UserForm>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const isNew = !user;

  const submit = async (v: UserForm) => {
    setBusy(true);
    setError(null);
    try {
      if (isNew) {
        await post('/api/users', {
          username: v.username.trim(),
          displayName: v.displayName.trim(),
          orgId: v.orgId,
          roles: v.roles,
          password: v.password,
        });
        message.success(t('users.created', { username: v.username.trim() }));
      } else {
        await patch(`/api/users/${user.id}`, { displayName: v.displayName.trim(), orgId: v.orgId, roles: v.roles });
        message.success(t('common.saved'));
      }
      onSaved();
    } catch (e) {
      if (!applyServerError(form, e, ['username', 'displayName', 'orgId', 'roles', 'password'])) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={isNew ? t('users.createTitle') : t('users.editTitle', { username: user.username })}
      okText={isNew ? t('common.create') : t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'user-form-submit' }}
    >
      <Form
        form={form}
        name="userForm"
        layout="vertical"
        onFinish={submit}
        data-testid="user-form"
        initialValues={user ? { displayName: user.displayName, orgId: user.org?.id, roles: user.roles } : { roles: [] }}
      >
        {isNew && (
          <Form.Item
            name="username"
            label={t('users.username')}
            extra={t('users.usernameRule')}
            rules={[
              { required: true, message: t('common.required', { field: t('users.username') }) },
              { pattern: USERNAME_RE, message: t('users.usernameRule') },
            ]}
          >
            <Input autoComplete="off" />
          </Form.Item>
        )}
        <Form.Item
          name="displayName"
          label={t('users.displayName')}
          rules={[{ required: true, whitespace: true, max: 100, message: t('common.required', { field: t('users.displayName') }) }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="orgId" label={t('users.org')} rules={[{ required: true, message: t('users.orgRequired') }]}>
          <TreeSelect treeData={orgTree} showSearch treeNodeFilterProp="title" treeDefaultExpandAll />
        </Form.Item>
        <Form.Item
          name="roles"
          label={t('users.roles')}
          rules={[{ required: true, type: 'array', min: 1, message: t('users.rolesRequired') }]}
        >
          <Select mode="multiple" options={roleOptions} optionFilterProp="label" />
        </Form.Item>
        {isNew && (
          <Form.Item
            name="password"
            label={t('users.password')}
            extra={t('users.passwordHint')}
            rules={[
              { required: true, message: t('common.required', { field: t('users.password') }) },
              { min: 10, message: t('users.passwordHint') },
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        )}
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}

function ResetPasswordModal({ user, onClose }: { user: UserRow; onClose(): void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ password: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (v: { password: string }) => {
    setBusy(true);
    setError(null);
    try {
      await post(`/api/users/${user.id}/reset-password`, { password: v.password });
      message.success(t('users.passwordReset'));
      onClose();
    } catch (e) {
      if (!applyServerError(form, e, ['password'])) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('users.resetTitle', { username: user.username })}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
    >
      <Form form={form} name="resetPassword" layout="vertical" onFinish={submit}>
        <Form.Item
          name="password"
          label={t('users.newPassword')}
          extra={t('users.passwordHint')}
          rules={[
            { required: true, message: t('common.required', { field: t('users.newPassword') }) },
            { min: 10, message: t('users.passwordHint') },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
