// 清单: the responsibility list (what each department must provide, backed by published resources or not), the
// demand list (needs raised by departments and the public, answered with resources), the negative list (what
// may not be shared or opened, with its legal basis) and the coverage report per department.
import { useCallback, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Popconfirm,
  Progress,
  Radio,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  TreeSelect,
  Typography,
  type TableColumnsType,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { del, errorMessage, get, patch, post } from '../../api.ts';
import { hasRole, useAuth } from '../../auth.tsx';
import { formatDate, formatDateTime, formatNumber } from '../../format.ts';
import { useOrgs, useOrgTreeSelect } from '../../orgs.ts';
import { CommentModal, orDash, ResourcePicker, useName } from './common.tsx';
import {
  DEMAND_STATUSES,
  type Coverage,
  type CoverageRow,
  type Demand,
  type DemandStatus,
  type NegativeEntry,
  type ResourceBrief,
  type Responsibility,
} from './types.ts';

const TABS = ['responsibilities', 'demands', 'negative', 'coverage'] as const;

export default function ListsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((k) => k === params.get('tab')) ?? 'responsibilities';
  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('catalog.lists.title')}</h1>}>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'responsibilities' ? {} : { tab: k }, { replace: true })}
        items={TABS.map((k) => ({
          key: k,
          label: t(`catalog.lists.tabs.${k}`),
          children:
            k === 'responsibilities' ? (
              <Responsibilities />
            ) : k === 'demands' ? (
              <Demands />
            ) : k === 'negative' ? (
              <Negative />
            ) : (
              <CoverageTab />
            ),
        }))}
      />
    </Card>
  );
}

function ResourceLinks({ items }: { items: ResourceBrief[] }) {
  const name = useName();
  if (!items.length) return <>—</>;
  return (
    <Space orientation="vertical" size={0}>
      {items.map((r) => (
        <Link key={r.id} to={`/catalog/resources/${r.id}`}>
          {name(r)}
        </Link>
      ))}
    </Space>
  );
}

// ------------------------------------------------------------------------------------------ responsibilities

interface RespForm {
  orgId?: string;
  nameZh: string;
  nameEn?: string;
  description?: string;
  legalBasis?: string;
  resourceIds?: string[];
}

function Responsibilities() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const name = useName();
  const { orgs } = useOrgs();
  const orgTree = useOrgTreeSelect(orgs.filter((o) => o.kind === 'department' || o.kind === 'unit' || o.kind === 'authority'));
  const [orgId, setOrgId] = useState<string | undefined>();
  const [items, setItems] = useState<Responsibility[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Responsibility | 'new' | null>(null);
  const editor = hasRole(me, 'authority_admin', 'provider_clerk');

  const load = useCallback(async () => {
    setError(null);
    try {
      setItems((await get<{ items: Responsibility[] }>('/api/lists/responsibilities', { orgId })).items);
    } catch (e) {
      setError(errorMessage(e));
      setItems([]);
    }
  }, [orgId]);

  useEffect(() => {
    void load();
  }, [load]);

  const columns: TableColumnsType<Responsibility> = [
    { title: t('catalog.lists.department'), key: 'org', width: 170, render: (_v, r) => name(r.org) },
    {
      title: t('catalog.lists.duty'),
      key: 'name',
      render: (_v, r) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{name(r)}</Typography.Text>
          {r.description && <Typography.Text type="secondary">{r.description}</Typography.Text>}
        </Space>
      ),
    },
    { title: t('catalog.lists.legalBasis'), dataIndex: 'legalBasis', key: 'basis', width: 240, render: (v: string) => orDash(v) },
    { title: t('catalog.lists.resources'), key: 'res', render: (_v, r) => <ResourceLinks items={r.resources} /> },
    {
      title: t('catalog.lists.backed'),
      key: 'backed',
      render: (_v, r) =>
        r.backed ? <Tag color="green">{t('catalog.lists.isBacked')}</Tag> : <Tag color="orange">{t('catalog.lists.notBacked')}</Tag>,
    },
  ];
  if (editor)
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      render: (_v, r) => (
        <Space size={0}>
          <Button type="link" size="small" onClick={() => setEditing(r)} aria-label={`${t('common.edit')}: ${name(r)}`}>
            {t('common.edit')}
          </Button>
          <Popconfirm
            title={t('catalog.lists.deleteConfirm', { name: name(r) })}
            okText={t('common.ok')}
            cancelText={t('common.cancel')}
            onConfirm={async () => {
              try {
                await del(`/api/lists/responsibilities/${r.id}`);
                message.success(t('catalog.lists.deleted'));
                await load();
              } catch (e) {
                message.error(errorMessage(e));
              }
            }}
          >
            <Button type="link" size="small" danger aria-label={`${t('common.delete')}: ${name(r)}`}>
              {t('common.delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    });

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
        <Space>
          <label htmlFor="resp-org">{t('catalog.lists.department')}</label>
          <TreeSelect
            id="resp-org"
            treeData={orgTree}
            allowClear
            showSearch
            treeNodeFilterProp="title"
            treeDefaultExpandAll
            style={{ width: 260 }}
            placeholder={t('common.all')}
            value={orgId}
            onChange={(v) => setOrgId(v)}
          />
        </Space>
        {editor && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('catalog.lists.addDuty')}
          </Button>
        )}
      </Space>
      {error && <Alert type="error" showIcon title={error} />}
      <Table<Responsibility>
        rowKey="id"
        size="small"
        loading={!items}
        columns={columns}
        dataSource={items ?? []}
        data-testid="responsibilities-table"
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('common.total', { total }) }}
      />
      {editing && (
        <ResponsibilityModal
          item={editing === 'new' ? null : editing}
          authority={hasRole(me, 'authority_admin')}
          orgTree={orgTree}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            message.success(t('common.saved'));
            void load();
          }}
        />
      )}
    </Space>
  );
}

function ResponsibilityModal({
  item,
  authority,
  orgTree,
  onClose,
  onDone,
}: {
  item: Responsibility | null;
  authority: boolean;
  orgTree: ReturnType<typeof useOrgTreeSelect>;
  onClose(): void;
  onDone(): void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<RespForm>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: RespForm) => {
    setBusy(true);
    setError(null);
    try {
      const body = {
        nameZh: v.nameZh.trim(),
        nameEn: v.nameEn?.trim() ?? '',
        description: v.description?.trim() ?? '',
        legalBasis: v.legalBasis?.trim() ?? '',
        resourceIds: v.resourceIds ?? [],
      };
      if (item) await patch(`/api/lists/responsibilities/${item.id}`, body);
      else await post('/api/lists/responsibilities', { ...body, ...(authority && v.orgId ? { orgId: v.orgId } : {}) });
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={item ? t('catalog.lists.editDuty') : t('catalog.lists.addDuty')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      width={640}
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={
          item
            ? {
                nameZh: item.nameZh,
                nameEn: item.nameEn,
                description: item.description,
                legalBasis: item.legalBasis,
                resourceIds: item.resources.map((r) => r.id),
              }
            : {}
        }
      >
        {authority && !item && (
          <Form.Item
            name="orgId"
            label={t('catalog.lists.department')}
            rules={[{ required: true, message: t('common.required', { field: t('catalog.lists.department') }) }]}
          >
            <TreeSelect treeData={orgTree} showSearch treeNodeFilterProp="title" treeDefaultExpandAll />
          </Form.Item>
        )}
        <Form.Item
          name="nameZh"
          label={t('catalog.lists.duty')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('catalog.lists.duty') }) }]}
        >
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="nameEn" label={t('catalog.fields.nameEn')}>
          <Input maxLength={300} />
        </Form.Item>
        <Form.Item name="description" label={t('catalog.lists.description')}>
          <Input.TextArea rows={2} maxLength={4000} />
        </Form.Item>
        <Form.Item name="legalBasis" label={t('catalog.lists.legalBasis')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Form.Item name="resourceIds" label={t('catalog.lists.resources')}>
          <ResourcePicker multiple initial={item?.resources} ariaLabel={t('catalog.lists.resources')} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}

// ------------------------------------------------------------------------------------------ demands

const DEMAND_COLORS: Record<DemandStatus, string> = { open: 'processing', answered: 'success', closed: 'default', rejected: 'error' };

interface DemandForm {
  title: string;
  description?: string;
  neededFields?: string[];
  purpose?: string;
  targetOrgId?: string;
}

function Demands() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const name = useName();
  const { orgs } = useOrgs();
  const orgTree = useOrgTreeSelect(orgs.filter((o) => o.kind === 'department' || o.kind === 'unit' || o.kind === 'authority'));
  const [status, setStatus] = useState<DemandStatus | undefined>();
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ items: Demand[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [acting, setActing] = useState<{ d: Demand; action: 'reject' | 'close' | 'reopen' } | null>(null);
  const [answering, setAnswering] = useState<Demand | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setData(await get<{ items: Demand[]; total: number }>('/api/lists/demands', { status, page, pageSize: 20 }));
    } catch (e) {
      setError(errorMessage(e));
      setData({ items: [], total: 0 });
    }
  }, [status, page]);

  useEffect(() => {
    void load();
  }, [load]);

  const columns: TableColumnsType<Demand> = [
    {
      title: t('catalog.lists.demandTitle'),
      dataIndex: 'title',
      key: 'title',
      render: (v: string) => <Typography.Text strong>{v}</Typography.Text>,
    },
    {
      title: t('catalog.lists.raiser'),
      key: 'raiser',
      render: (_v, d) => (d.raiserOrg ? name(d.raiserOrg) : t(`catalog.lists.raiserKinds.${d.raiserKind}`)),
    },
    {
      title: t('catalog.lists.target'),
      key: 'target',
      render: (_v, d) => (d.targetOrg ? name(d.targetOrg) : <Tag>{t('catalog.lists.unrouted')}</Tag>),
    },
    {
      title: t('catalog.fields.status'),
      key: 'status',
      render: (_v, d) => <Tag color={DEMAND_COLORS[d.status]}>{t(`catalog.lists.demandStatus.${d.status}`)}</Tag>,
    },
    { title: t('catalog.lists.raisedAt'), key: 'at', render: (_v, d) => formatDate(d.createdAt) },
    {
      title: t('catalog.lists.answerDays'),
      key: 'days',
      render: (_v, d) => (d.answerWorkingDays == null ? '—' : t('catalog.lists.workingDays', { count: d.answerWorkingDays })),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      render: (_v, d) => (
        <Space size={0} wrap>
          {d.allowedTransitions.map((a) => (
            <Button
              key={a}
              type="link"
              size="small"
              danger={a === 'reject'}
              onClick={() => (a === 'answer' ? setAnswering(d) : setActing({ d, action: a }))}
              aria-label={`${t(`catalog.lists.demandActions.${a}`)}: ${d.title}`}
            >
              {t(`catalog.lists.demandActions.${a}`)}
            </Button>
          ))}
        </Space>
      ),
    },
  ];

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
        <Space>
          <label htmlFor="demand-status">{t('catalog.fields.status')}</label>
          <Select
            id="demand-status"
            allowClear
            placeholder={t('common.all')}
            style={{ width: 160 }}
            value={status}
            onChange={(v) => {
              setStatus(v);
              setPage(1);
            }}
            options={DEMAND_STATUSES.map((s) => ({ value: s, label: t(`catalog.lists.demandStatus.${s}`) }))}
          />
        </Space>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t('catalog.lists.raiseDemand')}
        </Button>
      </Space>
      {error && <Alert type="error" showIcon title={error} />}
      <Table<Demand>
        rowKey="id"
        size="small"
        loading={!data}
        columns={columns}
        dataSource={data?.items ?? []}
        data-testid="demands-table"
        scroll={{ x: 'max-content' }}
        expandable={{ expandedRowRender: (d) => <DemandDetail d={d} /> }}
        pagination={{
          current: page,
          pageSize: 20,
          total: data?.total ?? 0,
          hideOnSinglePage: true,
          onChange: setPage,
          showTotal: (total) => t('common.total', { total }),
        }}
      />
      {creating && (
        <DemandModal
          orgTree={orgTree}
          onClose={() => setCreating(false)}
          onDone={() => {
            setCreating(false);
            message.success(t('catalog.lists.demandRaised'));
            void load();
          }}
        />
      )}
      <CommentModal
        open={!!acting}
        title={acting ? `${t(`catalog.lists.demandActions.${acting.action}`)}: ${acting.d.title}` : ''}
        label={acting?.action === 'reject' ? t('catalog.lists.reason') : t('catalog.comment')}
        danger={acting?.action === 'reject'}
        onSubmit={async (text) => {
          if (!acting) return;
          const body = acting.action === 'reject' ? { reason: text } : { comment: text };
          await post(`/api/lists/demands/${acting.d.id}/${acting.action}`, body);
          message.success(t('common.saved'));
          await load();
        }}
        onClose={() => setActing(null)}
      />
      {answering && (
        <AnswerModal
          demand={answering}
          onClose={() => setAnswering(null)}
          onDone={() => {
            setAnswering(null);
            message.success(t('common.saved'));
            void load();
          }}
        />
      )}
    </Space>
  );
}

function DemandDetail({ d }: { d: Demand }) {
  const { t } = useTranslation();
  const [full, setFull] = useState<Demand | null>(null);
  useEffect(() => {
    get<Demand>(`/api/lists/demands/${d.id}`)
      .then(setFull)
      .catch(() => setFull(d));
  }, [d]);
  const x = full ?? d;
  return (
    <Descriptions size="small" column={1} bordered>
      <Descriptions.Item label={t('catalog.lists.description')}>{orDash(x.description)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.lists.neededFields')}>
        {orDash(
          x.neededFields.length ? (
            <Space wrap size={[4, 4]}>
              {x.neededFields.map((f) => (
                <Tag key={f}>{f}</Tag>
              ))}
            </Space>
          ) : null,
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.lists.purpose')}>{orDash(x.purpose)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.lists.reply')}>
        {orDash(x.reply)}
        {x.respondedAt && <Typography.Text type="secondary"> · {formatDateTime(x.respondedAt)}</Typography.Text>}
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.lists.answerResources')}>
        <ResourceLinks items={x.resources} />
      </Descriptions.Item>
      {x.matches && (
        <Descriptions.Item label={t('catalog.lists.matches')}>
          <ResourceLinks items={x.matches} />
        </Descriptions.Item>
      )}
    </Descriptions>
  );
}

function DemandModal({ orgTree, onClose, onDone }: { orgTree: ReturnType<typeof useOrgTreeSelect>; onClose(): void; onDone(): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<DemandForm>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: DemandForm) => {
    setBusy(true);
    setError(null);
    try {
      await post('/api/lists/demands', {
        title: v.title.trim(),
        description: v.description?.trim() ?? '',
        neededFields: v.neededFields ?? [],
        purpose: v.purpose?.trim() ?? '',
        targetOrgId: v.targetOrgId ?? null,
      });
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('catalog.lists.raiseDemand')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      width={640}
    >
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item
          name="title"
          label={t('catalog.lists.demandTitle')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('catalog.lists.demandTitle') }) }]}
        >
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="description" label={t('catalog.lists.description')}>
          <Input.TextArea rows={3} maxLength={4000} />
        </Form.Item>
        <Form.Item name="neededFields" label={t('catalog.lists.neededFields')} extra={t('catalog.editor.keywordsHint')}>
          <Select mode="tags" open={false} suffixIcon={null} tokenSeparators={[',', '，', '、']} />
        </Form.Item>
        <Form.Item name="purpose" label={t('catalog.lists.purpose')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Form.Item name="targetOrgId" label={t('catalog.lists.target')} extra={t('catalog.lists.targetHint')}>
          <TreeSelect treeData={orgTree} allowClear showSearch treeNodeFilterProp="title" treeDefaultExpandAll />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}

function AnswerModal({ demand, onClose, onDone }: { demand: Demand; onClose(): void; onDone(): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reply?: string; resourceIds?: string[] }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: { reply?: string; resourceIds?: string[] }) => {
    if (!v.reply?.trim() && !v.resourceIds?.length) {
      setError(t('catalog.lists.answerEmpty'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await post(`/api/lists/demands/${demand.id}/answer`, { reply: v.reply?.trim() ?? '', resourceIds: v.resourceIds ?? [] });
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={`${t('catalog.lists.demandActions.answer')}: ${demand.title}`}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      width={640}
    >
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ resourceIds: demand.resources.map((r) => r.id) }}>
        <Form.Item name="resourceIds" label={t('catalog.lists.answerResources')}>
          <ResourcePicker multiple initial={demand.resources} ariaLabel={t('catalog.lists.answerResources')} />
        </Form.Item>
        <Form.Item name="reply" label={t('catalog.lists.reply')}>
          <Input.TextArea rows={3} maxLength={4000} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}

// ------------------------------------------------------------------------------------------ negative list

function Negative() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const name = useName();
  const [includeRemoved, setIncludeRemoved] = useState(false);
  const [items, setItems] = useState<NegativeEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<NegativeEntry | null>(null);
  const authority = hasRole(me, 'authority_admin');

  const load = useCallback(async () => {
    setError(null);
    try {
      setItems((await get<{ items: NegativeEntry[] }>('/api/lists/negative', { includeRemoved })).items);
    } catch (e) {
      setError(errorMessage(e));
      setItems([]);
    }
  }, [includeRemoved]);

  useEffect(() => {
    void load();
  }, [load]);

  const columns: TableColumnsType<NegativeEntry> = [
    {
      title: t('catalog.lists.resource'),
      key: 'res',
      render: (_v, n) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/catalog/resources/${n.resource.id}`}>{name(n.resource)}</Link>
          <Typography.Text type="secondary" className="mono">
            {n.resource.code}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('catalog.lists.scope'), key: 'scope', render: (_v, n) => <Tag color="red">{t(`catalog.lists.scopes.${n.scope}`)}</Tag> },
    { title: t('catalog.lists.legalBasis'), dataIndex: 'legalBasis', key: 'basis' },
    { title: t('catalog.lists.note'), dataIndex: 'note', key: 'note', render: (v: string) => orDash(v) },
    {
      title: t('catalog.fields.status'),
      key: 'state',
      render: (_v, n) => (
        <Space size={[0, 4]} wrap>
          {n.removedAt ? (
            <Tag>{t('catalog.lists.removedAt', { date: formatDate(n.removedAt) })}</Tag>
          ) : (
            <Tag color="volcano">{t('catalog.lists.inForce')}</Tag>
          )}
          {n.attributeConflict && !n.removedAt && <Tag color="orange">{t('catalog.lists.attributeConflict')}</Tag>}
        </Space>
      ),
    },
    { title: t('catalog.lists.addedAt'), key: 'at', render: (_v, n) => formatDate(n.createdAt) },
  ];
  if (authority)
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      render: (_v, n) =>
        !n.removedAt && (
          <Button
            type="link"
            size="small"
            danger
            onClick={() => setRemoving(n)}
            aria-label={`${t('catalog.lists.remove')}: ${name(n.resource)}`}
          >
            {t('catalog.lists.remove')}
          </Button>
        ),
    });

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
        <Space>
          <Switch checked={includeRemoved} onChange={setIncludeRemoved} id="neg-removed" />
          <label htmlFor="neg-removed">{t('catalog.lists.includeRemoved')}</label>
        </Space>
        {authority && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
            {t('catalog.lists.addNegative')}
          </Button>
        )}
      </Space>
      {error && <Alert type="error" showIcon title={error} />}
      <Table<NegativeEntry>
        rowKey="id"
        size="small"
        loading={!items}
        columns={columns}
        dataSource={items ?? []}
        data-testid="negative-table"
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
      />
      {adding && (
        <NegativeModal
          onClose={() => setAdding(false)}
          onDone={() => {
            setAdding(false);
            message.success(t('common.saved'));
            void load();
          }}
        />
      )}
      <CommentModal
        open={!!removing}
        title={removing ? `${t('catalog.lists.remove')}: ${name(removing.resource)}` : ''}
        label={t('catalog.lists.reason')}
        danger
        onSubmit={async (reason) => {
          if (!removing) return;
          await post(`/api/lists/negative/${removing.id}/remove`, { reason });
          message.success(t('common.saved'));
          await load();
        }}
        onClose={() => setRemoving(null)}
      />
    </Space>
  );
}

function NegativeModal({ onClose, onDone }: { onClose(): void; onDone(): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ resourceId: string; scope: 'share' | 'open' | 'both'; legalBasis: string; note?: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      open
      title={t('catalog.lists.addNegative')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      width={640}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ scope: 'both' }}
        onFinish={async (v) => {
          setBusy(true);
          setError(null);
          try {
            await post('/api/lists/negative', {
              resourceId: v.resourceId,
              scope: v.scope,
              legalBasis: v.legalBasis.trim(),
              note: v.note?.trim() ?? '',
            });
            onDone();
          } catch (e) {
            setError(errorMessage(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item
          name="resourceId"
          label={t('catalog.lists.resource')}
          rules={[{ required: true, message: t('common.required', { field: t('catalog.lists.resource') }) }]}
        >
          <ResourcePicker ariaLabel={t('catalog.lists.resource')} />
        </Form.Item>
        <Form.Item name="scope" label={t('catalog.lists.scope')}>
          <Radio.Group
            options={(['share', 'open', 'both'] as const).map((s) => ({ value: s, label: t(`catalog.lists.scopes.${s}`) }))}
            optionType="button"
          />
        </Form.Item>
        <Form.Item
          name="legalBasis"
          label={t('catalog.lists.legalBasis')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('catalog.lists.legalBasis') }) }]}
        >
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Form.Item name="note" label={t('catalog.lists.note')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}

// ------------------------------------------------------------------------------------------ coverage

function CoverageTab() {
  const { t } = useTranslation();
  const name = useName();
  const [data, setData] = useState<Coverage | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<Coverage>('/api/elements/coverage')
      .then(setData)
      .catch((e) => setError(errorMessage(e)));
  }, []);
  if (error) return <Alert type="error" showIcon title={error} />;
  const days = (v: number | null) => (v == null ? '—' : t('catalog.lists.workingDays', { count: Number(v.toFixed(1)) }));
  const columns: TableColumnsType<CoverageRow> = [
    { title: t('catalog.lists.department'), key: 'org', render: (_v, r) => name(r.org) },
    {
      title: t('catalog.lists.coverage'),
      key: 'pct',
      width: 260,
      sorter: (a, b) => (a.backedPercent ?? -1) - (b.backedPercent ?? -1),
      render: (_v, r) =>
        r.backedPercent == null ? (
          <Typography.Text type="secondary">{t('catalog.lists.noDuties')}</Typography.Text>
        ) : (
          <Space orientation="vertical" size={0} style={{ width: '100%' }}>
            <Progress
              percent={Math.round(r.backedPercent)}
              size="small"
              status={r.backedPercent >= 100 ? 'success' : 'normal'}
              aria-label={`${name(r.org)} ${Math.round(r.backedPercent)}%`}
            />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('catalog.lists.backedOf', { backed: r.backedItems, total: r.responsibilityItems })}
            </Typography.Text>
          </Space>
        ),
    },
    {
      title: t('catalog.lists.openDemands'),
      dataIndex: 'openDemands',
      key: 'open',
      render: (v: number) => (v ? <Tag color="processing">{v}</Tag> : 0),
    },
    { title: t('catalog.lists.answeredDemands'), dataIndex: 'answeredDemands', key: 'answered' },
    { title: t('catalog.lists.medianDays'), key: 'median', render: (_v, r) => days(r.medianAnswerWorkingDays) },
    { title: t('catalog.lists.avgDays'), key: 'avg', render: (_v, r) => days(r.avgAnswerWorkingDays) },
  ];
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {data && data.unrouted.openDemands > 0 && (
        <Alert type="info" showIcon title={t('catalog.lists.unroutedDemands', { count: formatNumber(data.unrouted.openDemands) })} />
      )}
      <Table<CoverageRow>
        rowKey={(r) => r.org.id}
        size="small"
        loading={!data}
        columns={columns}
        dataSource={data?.items ?? []}
        pagination={false}
        data-testid="coverage-table"
        scroll={{ x: 'max-content' }}
      />
    </Space>
  );
}
