// 目录采集 (issue 7 §8, data authority; auditors read): other portals whose catalogs are harvested — a CKAN API or
// a DCAT-AP feed — each with the department that receives the datasets, its schedule, what it holds now
// (datasets in force, withdrawn) and its last run (pages, created / updated / unchanged / withdrawn, or the
// reason it failed). "Harvest now" queues a run and the row follows it until it ends; a row opens its history.
import { useEffect, useState } from 'react';
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
import { CloudDownloadOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, patch, post } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { formatDateTime, formatNumber } from '../../format.ts';
import { applyServerError } from '../../forms.ts';
import { useList } from '../../loaders.ts';
import { useOrgs, useOrgTreeSelect } from '../../orgs.ts';
import { useCategories, useName } from '../catalog/common.tsx';
import { canEdit } from '../../access.ts';

type RunStatus = 'queued' | 'running' | 'ok' | 'failed' | 'skipped';
interface Run {
  id: string;
  trigger: 'manual' | 'schedule';
  status: RunStatus;
  pages: number;
  seen: number;
  created: number;
  updated: number;
  unchanged: number;
  withdrawn: number;
  error: { reason: string; message?: string; status?: number; url?: string; page?: number; item?: string } | null;
  createdAt: string;
  finishedAt: string | null;
}
interface Source {
  id: string;
  name: string;
  kind: 'ckan' | 'dcat';
  url: string;
  owner: { id: string; code: string; nameZh: string; nameEn: string };
  schedule: { cron: string; nextRunAt: string | null } | null;
  state: 'active' | 'disabled';
  datasets: number;
  withdrawn: number;
  lastRun: Run | null;
}

const POLL_MS = 1500;
const STATUS_COLORS: Record<RunStatus, string> = {
  queued: 'default',
  running: 'processing',
  ok: 'success',
  failed: 'error',
  skipped: 'warning',
};
const REASONS = [
  'network',
  'timeout',
  'http',
  'redirect_loop',
  'too_many_redirects',
  'forbidden_address',
  'too_large',
  'malformed',
  'too_many_pages',
  'too_many_datasets',
  'invalid_dataset',
  'interrupted',
];

function RunStatusTag({ status }: { status: RunStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status]} data-testid="run-status">
      {t(`harvest.status.${status}`)}
    </Tag>
  );
}

function useRunText() {
  const { t } = useTranslation();
  return (r: Run) => {
    if (r.status === 'failed' && r.error) {
      const why = REASONS.includes(r.error.reason) ? t(`harvest.reasons.${r.error.reason}`) : r.error.reason;
      const where = [
        r.error.page ? t('harvest.atPage', { page: r.error.page }) : '',
        r.error.status ? `HTTP ${r.error.status}` : '',
        r.error.message ?? '',
      ]
        .filter(Boolean)
        .join('；');
      return where ? `${why}（${where}）` : why;
    }
    if (r.status === 'queued' || r.status === 'running') return t('harvest.progress', { pages: r.pages, seen: formatNumber(r.seen) });
    return t('harvest.counts', {
      created: formatNumber(r.created),
      updated: formatNumber(r.updated),
      unchanged: formatNumber(r.unchanged),
      withdrawn: formatNumber(r.withdrawn),
    });
  };
}

function History({ sourceId }: { sourceId: string }) {
  const { t } = useTranslation();
  const text = useRunText();
  const { items } = useList<Run>(`/api/harvest/sources/${sourceId}/runs`);
  return (
    <Table<Run>
      size="small"
      rowKey="id"
      pagination={false}
      loading={!items}
      dataSource={items ?? []}
      columns={[
        { title: t('harvest.col.time'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v), width: 170 },
        { title: t('harvest.col.trigger'), dataIndex: 'trigger', render: (v: string) => t(`harvest.trigger.${v}`), width: 90 },
        { title: t('harvest.col.status'), dataIndex: 'status', render: (s: RunStatus) => <RunStatusTag status={s} />, width: 100 },
        { title: t('harvest.col.outcome'), key: 'outcome', render: (_v, r) => text(r) },
      ]}
    />
  );
}

export default function HarvestPage() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { me } = useAuth();
  const name = useName();
  const text = useRunText();
  const editable = !!me && canEdit('harvest', me.roles);
  const { items, error, load } = useList<Source>('/api/harvest/sources');
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);

  // Follow queued and running harvests until they end.
  const active = (items ?? []).some((s) => s.lastRun && ['queued', 'running'].includes(s.lastRun.status));
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(id);
  }, [active, load]);

  const runNow = async (s: Source) => {
    setBusy(s.id);
    try {
      await post(`/api/harvest/sources/${s.id}/runs`, {});
      message.success(t('harvest.queued', { name: s.name }));
      await load();
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  const toggle = async (s: Source) => {
    try {
      await patch(`/api/harvest/sources/${s.id}`, { state: s.state === 'active' ? 'disabled' : 'active' });
      await load();
    } catch (e) {
      message.error(errorMessage(e));
    }
  };

  const columns: TableColumnsType<Source> = [
    {
      title: t('harvest.col.source'),
      key: 'source',
      render: (_v, s) => (
        <Space direction="vertical" size={0}>
          <Space>
            <Typography.Text strong>{s.name}</Typography.Text>
            <Tag>{s.kind === 'ckan' ? 'CKAN API' : 'DCAT-AP'}</Tag>
            {s.state === 'disabled' && <Tag>{t('harvest.disabled')}</Tag>}
          </Space>
          <Typography.Text type="secondary" copyable style={{ fontSize: 12 }}>
            {s.url}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('harvest.col.owner'), key: 'owner', render: (_v, s) => name(s.owner), width: 160 },
    {
      title: t('harvest.col.datasets'),
      key: 'datasets',
      width: 120,
      render: (_v, s) => (
        <Space direction="vertical" size={0}>
          <span data-testid="harvest-datasets">{formatNumber(s.datasets)}</span>
          {s.withdrawn > 0 && (
            <Typography.Text type="secondary">{t('harvest.withdrawnCount', { n: formatNumber(s.withdrawn) })}</Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t('harvest.col.schedule'),
      key: 'schedule',
      width: 170,
      render: (_v, s) =>
        s.schedule ? (
          <Space direction="vertical" size={0}>
            <code>{s.schedule.cron}</code>
            {s.schedule.nextRunAt && (
              <Typography.Text type="secondary">{t('harvest.next', { at: formatDateTime(s.schedule.nextRunAt) })}</Typography.Text>
            )}
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('harvest.onDemand')}</Typography.Text>
        ),
    },
    {
      title: t('harvest.col.lastRun'),
      key: 'last',
      render: (_v, s) =>
        s.lastRun ? (
          <Space direction="vertical" size={0} data-testid="harvest-last-run">
            <Space>
              <RunStatusTag status={s.lastRun.status} />
              <Typography.Text type="secondary">{formatDateTime(s.lastRun.finishedAt ?? s.lastRun.createdAt)}</Typography.Text>
            </Space>
            <Typography.Text type={s.lastRun.status === 'failed' ? 'danger' : undefined}>{text(s.lastRun)}</Typography.Text>
          </Space>
        ) : (
          '—'
        ),
    },
    ...(editable
      ? [
          {
            title: t('harvest.col.actions'),
            key: 'actions',
            width: 200,
            render: (_v: unknown, s: Source) => (
              <Space>
                <Button
                  size="small"
                  icon={<CloudDownloadOutlined />}
                  loading={busy === s.id}
                  disabled={s.state !== 'active' || (!!s.lastRun && ['queued', 'running'].includes(s.lastRun.status))}
                  onClick={() => void runNow(s)}
                >
                  {t('harvest.runNow')}
                </Button>
                <Button size="small" onClick={() => void toggle(s)}>
                  {s.state === 'active' ? t('harvest.disable') : t('harvest.enable')}
                </Button>
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <Card
      title={t('harvest.title')}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void load()} aria-label={t('harvest.reload')} />
          {editable && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
              {t('harvest.add')}
            </Button>
          )}
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t('harvest.intro')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<Source>
        rowKey="id"
        loading={!items}
        dataSource={items ?? []}
        columns={columns}
        pagination={false}
        expandable={{ expandedRowRender: (s) => <History sourceId={s.id} /> }}
      />
      {open && (
        <AddSource
          onClose={() => setOpen(false)}
          onDone={() => {
            setOpen(false);
            void load();
          }}
        />
      )}
    </Card>
  );
}

function AddSource({ onClose, onDone }: { onClose(): void; onDone(): void }) {
  const { t } = useTranslation();
  const name = useName();
  const [form] = Form.useForm();
  const [saving, setSaving] = useState(false);
  const { orgs } = useOrgs();
  const orgTree = useOrgTreeSelect(orgs.filter((o) => ['authority', 'department', 'unit'].includes(o.kind)));
  const categories = useCategories().filter((c) => c.enabled);
  const submit = async () => {
    const v = (await form.validateFields()) as Record<string, string>;
    setSaving(true);
    try {
      await post('/api/harvest/sources', { ...v, cron: v.cron?.trim() || null });
      onDone();
    } catch (e) {
      applyServerError(form, e, ['name', 'kind', 'url', 'ownerOrgId', 'subjectCategory', 'domainCategory', 'cron']);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open
      title={t('harvest.add')}
      onCancel={onClose}
      onOk={() => void submit()}
      confirmLoading={saving}
      okText={t('harvest.save')}
      width={640}
    >
      <Form form={form} layout="vertical" initialValues={{ kind: 'ckan' }}>
        <Form.Item name="name" label={t('harvest.form.name')} rules={[{ required: true, message: t('harvest.form.required') }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="kind" label={t('harvest.form.kind')} rules={[{ required: true }]}>
          <Select
            options={[
              { value: 'ckan', label: t('harvest.kind.ckan') },
              { value: 'dcat', label: t('harvest.kind.dcat') },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="url"
          label={t('harvest.form.url')}
          extra={t('harvest.form.urlHelp')}
          rules={[{ required: true, pattern: /^https?:\/\/.+/, message: t('harvest.form.urlInvalid') }]}
        >
          <Input maxLength={2000} placeholder="https://data.example.gov.cn/" />
        </Form.Item>
        <Form.Item
          name="ownerOrgId"
          label={t('harvest.form.owner')}
          extra={t('harvest.form.ownerHelp')}
          rules={[{ required: true, message: t('harvest.form.required') }]}
        >
          <TreeSelect treeData={orgTree} showSearch treeNodeFilterProp="title" treeDefaultExpandAll />
        </Form.Item>
        <Space style={{ width: '100%' }} size="middle">
          <Form.Item
            name="subjectCategory"
            label={t('harvest.form.subject')}
            rules={[{ required: true, message: t('harvest.form.required') }]}
            style={{ minWidth: 260 }}
          >
            <Select
              showSearch
              optionFilterProp="label"
              options={categories.map((c) => ({ value: c.code, label: `${name(c)}（${c.code}）` }))}
            />
          </Form.Item>
          <Form.Item
            name="domainCategory"
            label={t('harvest.form.domain')}
            rules={[{ required: true, message: t('harvest.form.required') }]}
            style={{ minWidth: 260 }}
          >
            <Select
              showSearch
              optionFilterProp="label"
              options={categories.filter((c) => c.kind === 'domain').map((c) => ({ value: c.code, label: `${name(c)}（${c.code}）` }))}
            />
          </Form.Item>
        </Space>
        <Form.Item name="cron" label={t('harvest.form.cron')} extra={t('harvest.form.cronHelp')}>
          <Input maxLength={100} placeholder="0 2 * * *" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Where a harvested resource came from: shown on its catalog and portal pages (nothing when it was not harvested). */
export function HarvestOrigin({ resourceId }: { resourceId: string }) {
  const { t } = useTranslation();
  const [origin, setOrigin] = useState<{
    source: { name: string; kind: string; url: string };
    remoteUrl: string | null;
    distributions: Array<{ url: string; format: string; title: string }>;
    harvestedAt: string;
  } | null>(null);
  useEffect(() => {
    get<NonNullable<typeof origin>>(`/api/harvest/origin/${resourceId}`)
      .then(setOrigin)
      .catch(() => setOrigin(null));
  }, [resourceId]);
  if (!origin) return null;
  return (
    <Alert
      type="info"
      showIcon
      data-testid="harvest-origin"
      title={t('harvest.origin.title', { name: origin.source.name, at: formatDateTime(origin.harvestedAt) })}
      description={
        <Space direction="vertical" size={2}>
          {origin.remoteUrl && (
            <a href={origin.remoteUrl} target="_blank" rel="noopener noreferrer nofollow">
              {t('harvest.origin.page')}
            </a>
          )}
          {origin.distributions.map((d) => (
            <a key={d.url} href={d.url} target="_blank" rel="noopener noreferrer nofollow">
              {d.title || d.url} {d.format && <Tag>{d.format}</Tag>}
            </a>
          ))}
        </Space>
      }
    />
  );
}
