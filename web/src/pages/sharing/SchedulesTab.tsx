// 定时交付 (the grants page's tab): my organization's scheduled bulk deliveries — a resource held with a bulk grant,
// a cron in China time (presets: daily 02:00, Mondays, the 1st of the month; or custom), full or incremental, CSV
// or Parquet, run as one of our applications' keys — with the next run, the last run and its outcome, pause /
// resume / delete / run now, and each schedule's runs with the file and manifest to download.
import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Empty,
  Form,
  Input,
  Modal,
  Radio,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
  type TableColumnsType,
} from 'antd';
import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { del, errorMessage, get, post } from '../../api.ts';
import { hasRole, useAuth } from '../../auth.tsx';
import { formatBytes } from '../../components/UploadDropzone.tsx';
import ShortHash from '../../components/ShortHash.tsx';
import { formatDateTime, formatNumber } from '../../format.ts';
import { applyServerError } from '../../forms.ts';
import { useName } from '../catalog/common.tsx';
import { useResources } from './common.tsx';
import type { Application, Entitlement } from './types.ts';

type ScheduleState = 'active' | 'paused' | 'failing';
type RunState = 'queued' | 'running' | 'done' | 'no_change' | 'failed' | 'skipped';
interface ErrorView {
  code: string;
  message: string;
  at: string | null;
}

export interface Schedule {
  id: string;
  applicationId: string;
  apiKeyId: string;
  resourceId: string;
  name: string;
  cron: string;
  timeZone: string;
  mode: 'full' | 'incremental';
  format: 'csv' | 'parquet';
  businessRef: string | null;
  state: ScheduleState;
  nextRunAt: string | null;
  lastVersion: number | null;
  lastRunAt: string | null;
  lastRunState: RunState | null;
  lastError: ErrorView | null;
  createdAt: string;
}

interface Run {
  id: string;
  trigger: 'schedule' | 'manual';
  state: RunState;
  dueAt: string | null;
  mode: string | null;
  sinceVersion: number | null;
  version: number | null;
  rowCount: number | null;
  bytes: number | null;
  sha256: string | null;
  error: ErrorView | null;
  fileUrl: string | null;
  manifestUrl: string | null;
  createdAt: string;
  finishedAt: string | null;
}

const BASE = '/api/gateway/extract-schedules';
/** The presets of the form (02:00 China time: the platform's quiet hours). */
export const CRON_PRESETS = { daily: '0 2 * * *', weekly: '0 2 * * 1', monthly: '0 2 1 * *' } as const;
type Preset = keyof typeof CRON_PRESETS | 'custom';
const STATE_COLORS: Record<ScheduleState, string> = { active: 'success', paused: 'default', failing: 'error' };
const RUN_COLORS: Record<RunState, string> = {
  queued: 'processing',
  running: 'processing',
  done: 'success',
  no_change: 'default',
  failed: 'error',
  skipped: 'warning',
};
const POLL_MS = 2000;

function RunStateTag({ state }: { state: RunState }) {
  const { t } = useTranslation();
  return (
    <Tag color={RUN_COLORS[state]} data-testid="schedule-run-state">
      {t(`schedules.runStates.${state}`)}
    </Tag>
  );
}

/** The cron in words when it is one of the presets, else the expression itself. */
function CronText({ cron }: { cron: string }) {
  const { t } = useTranslation();
  const preset = (Object.keys(CRON_PRESETS) as Array<keyof typeof CRON_PRESETS>).find((k) => CRON_PRESETS[k] === cron);
  return preset ? (
    <Tooltip title={cron}>
      <span>{t(`schedules.presets.${preset}`)}</span>
    </Tooltip>
  ) : (
    <span className="mono">{cron}</span>
  );
}

export default function SchedulesTab() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message, modal } = AntApp.useApp();
  const name = useName();
  const editable = hasRole(me, 'consumer_clerk', 'provider_clerk');
  const [items, setItems] = useState<Schedule[] | null>(null);
  const [apps, setApps] = useState<Application[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [tick, setTick] = useState(0);
  const resources = useResources(items?.map((s) => s.resourceId) ?? []);

  const load = useCallback(async () => {
    try {
      const [s, a] = await Promise.all([
        get<{ items: Schedule[] }>(BASE),
        get<{ items: Application[] }>('/api/applications').catch(() => ({ items: [] })),
      ]);
      setItems(s.items);
      setApps(a.items);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
      setItems([]);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, tick]);

  // While a run is queued or running, look again shortly (the job finishes on the server).
  const busy = items?.some((s) => s.lastRunState === 'queued' || s.lastRunState === 'running') ?? false;
  useEffect(() => {
    if (!busy) return;
    const timer = window.setTimeout(() => setTick((n) => n + 1), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [busy, items]);

  const act = async (s: Schedule, verb: 'pause' | 'resume' | 'run') => {
    try {
      await post(`${BASE}/${s.id}/${verb}`);
      message.success(t(verb === 'run' ? 'schedules.queued' : verb === 'pause' ? 'schedules.paused' : 'schedules.resumed'));
      setTick((n) => n + 1);
    } catch (e) {
      message.error(errorMessage(e));
    }
  };

  const remove = (s: Schedule) =>
    modal.confirm({
      title: t('schedules.delete'),
      content: t('schedules.deleteConfirm'),
      okText: t('schedules.delete'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await del(`${BASE}/${s.id}`);
          message.success(t('schedules.deleted'));
          setTick((n) => n + 1);
        } catch (e) {
          message.error(errorMessage(e));
        }
      },
    });

  const appName = (id: string) => apps.find((a) => a.id === id)?.name ?? id;

  const columns: TableColumnsType<Schedule> = [
    {
      title: t('sharing.fields.resource'),
      key: 'resource',
      render: (_v, s) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{resources[s.resourceId] ? name(resources[s.resourceId]!) : s.resourceId}</Typography.Text>
          {s.name && <Typography.Text type="secondary">{s.name}</Typography.Text>}
        </Space>
      ),
    },
    { title: t('schedules.application'), key: 'app', render: (_v, s) => appName(s.applicationId) },
    { title: t('schedules.cron'), key: 'cron', render: (_v, s) => <CronText cron={s.cron} /> },
    {
      title: t('schedules.mode'),
      key: 'mode',
      render: (_v, s) => `${t(`schedules.modes.${s.mode}`)} · ${s.format.toUpperCase()}`,
    },
    {
      title: t('schedules.state'),
      key: 'state',
      render: (_v, s) => (
        <Space orientation="vertical" size={0}>
          <Tag color={STATE_COLORS[s.state]} data-testid="schedule-state">
            {t(`schedules.states.${s.state}`)}
          </Tag>
          {s.lastError && s.state === 'failing' && (
            <Typography.Text type="danger" style={{ maxWidth: 260, display: 'inline-block' }}>
              {s.lastError.message}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t('schedules.nextRun'),
      key: 'next',
      render: (_v, s) => <span data-testid="schedule-next-run">{formatDateTime(s.nextRunAt) || '—'}</span>,
    },
    {
      title: t('schedules.lastRun'),
      key: 'last',
      render: (_v, s) =>
        s.lastRunState ? (
          <Space orientation="vertical" size={0}>
            <RunStateTag state={s.lastRunState} />
            <Typography.Text type="secondary">{formatDateTime(s.lastRunAt)}</Typography.Text>
          </Space>
        ) : (
          '—'
        ),
    },
    ...(editable
      ? [
          {
            title: t('common.actions'),
            key: 'ops',
            render: (_v: unknown, s: Schedule) => (
              <Space wrap size={[4, 4]}>
                <Button size="small" disabled={s.state === 'paused'} onClick={() => void act(s, 'run')} data-testid="schedule-run">
                  {t('schedules.runNow')}
                </Button>
                {s.state === 'paused' ? (
                  <Button size="small" onClick={() => void act(s, 'resume')} data-testid="schedule-resume">
                    {t('schedules.resume')}
                  </Button>
                ) : (
                  <Button size="small" onClick={() => void act(s, 'pause')} data-testid="schedule-pause">
                    {t('schedules.pause')}
                  </Button>
                )}
                <Button size="small" danger onClick={() => remove(s)} data-testid="schedule-delete">
                  {t('schedules.delete')}
                </Button>
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 12 }} align="start">
        <Typography.Paragraph type="secondary" style={{ margin: 0, maxWidth: 720 }}>
          {t('schedules.intro')}
        </Typography.Paragraph>
        {editable && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="schedule-create">
            {t('schedules.create')}
          </Button>
        )}
      </Space>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<Schedule>
        rowKey="id"
        size="small"
        loading={!items}
        columns={columns}
        dataSource={items ?? []}
        data-testid="schedules"
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('common.total', { total }) }}
        locale={{ emptyText: <Empty description={t('schedules.none')} /> }}
        expandable={{ expandedRowRender: (s) => <Runs scheduleId={s.id} tick={tick} /> }}
      />
      {creating && (
        <CreateModal
          apps={apps.filter((a) => a.state === 'active')}
          onClose={() => setCreating(false)}
          onCreated={() => {
            message.success(t('schedules.created'));
            setTick((n) => n + 1);
          }}
        />
      )}
    </>
  );
}

/** The runs of one schedule, newest first, with the file and manifest of each delivery. */
function Runs({ scheduleId, tick }: { scheduleId: string; tick: number }) {
  const { t } = useTranslation();
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    get<{ items: Run[] }>(`${BASE}/${scheduleId}/runs`, { limit: 50 })
      .then((r) => live && setRuns(r.items))
      .catch((e: unknown) => {
        if (!live) return;
        setError(errorMessage(e));
        setRuns([]);
      });
    return () => {
      live = false;
    };
  }, [scheduleId, tick]);
  return (
    <>
      {error && <Alert type="error" showIcon title={error} />}
      <Typography.Text strong>{t('schedules.runs')}</Typography.Text>
      <Table<Run>
        rowKey="id"
        size="small"
        loading={!runs}
        pagination={false}
        dataSource={runs ?? []}
        data-testid="schedule-runs"
        locale={{ emptyText: t('schedules.noRuns') }}
        columns={[
          { title: t('schedules.at'), key: 'at', render: (_v, r) => formatDateTime(r.dueAt ?? r.createdAt) },
          { title: t('schedules.trigger'), key: 'trigger', render: (_v, r) => t(`schedules.triggers.${r.trigger}`) },
          {
            title: t('schedules.state'),
            key: 'state',
            render: (_v, r) => (
              <Space orientation="vertical" size={0}>
                <RunStateTag state={r.state} />
                {r.error && <Typography.Text type={r.state === 'failed' ? 'danger' : 'secondary'}>{r.error.message}</Typography.Text>}
              </Space>
            ),
          },
          {
            title: t('schedules.version'),
            key: 'version',
            render: (_v, r) =>
              r.version === null
                ? '—'
                : r.mode === 'incremental' && r.sinceVersion !== null
                  ? `v${r.version}（${t('schedules.sinceVersion', { version: r.sinceVersion })}）`
                  : `v${r.version}`,
          },
          { title: t('schedules.rows'), key: 'rows', render: (_v, r) => (r.rowCount === null ? '—' : formatNumber(r.rowCount)) },
          { title: t('schedules.size'), key: 'size', render: (_v, r) => (r.bytes === null ? '—' : formatBytes(r.bytes)) },
          {
            title: t('schedules.sha256'),
            key: 'sha',
            render: (_v, r) => <ShortHash sha256={r.sha256} />,
          },
          {
            title: t('schedules.file'),
            key: 'file',
            render: (_v, r) =>
              r.fileUrl ? (
                <Space>
                  <Typography.Link href={r.fileUrl} download data-testid="schedule-run-file">
                    <DownloadOutlined /> {t('schedules.file')}
                  </Typography.Link>
                  <Typography.Link href={r.manifestUrl!} target="_blank" rel="noreferrer">
                    {t('schedules.manifest')}
                  </Typography.Link>
                </Space>
              ) : (
                '—'
              ),
          },
        ]}
      />
    </>
  );
}

interface FormValues {
  entitlementId: string;
  applicationId: string;
  name?: string;
  preset: Preset;
  cron?: string;
  mode: 'full' | 'incremental';
  format: 'csv' | 'parquet';
  businessRef?: string;
}

function CreateModal({ apps, onClose, onCreated }: { apps: Application[]; onClose(): void; onCreated(): void }) {
  const { t } = useTranslation();
  const name = useName();
  const [form] = Form.useForm<FormValues>();
  const [grants, setGrants] = useState<Entitlement[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const resources = useResources(grants?.map((g) => g.resourceId) ?? []);
  const preset = Form.useWatch('preset', form);
  const grantId = Form.useWatch('entitlementId', form);
  const grant = grants?.find((g) => g.id === grantId);
  // A grant narrowed to one application: only that application can run it.
  const usable = grant?.holderApplicationId ? apps.filter((a) => a.id === grant.holderApplicationId) : apps;

  useEffect(() => {
    get<{ items: Entitlement[] }>('/api/entitlements', { side: 'consumer', limit: 200 })
      .then((r) => setGrants(r.items.filter((g) => g.state === 'active' && g.actions.includes('bulk'))))
      .catch((e: unknown) => {
        setError(errorMessage(e));
        setGrants([]);
      });
  }, []);

  useEffect(() => {
    if (grant?.holderApplicationId) form.setFieldValue('applicationId', grant.holderApplicationId);
  }, [grant?.holderApplicationId, form]);

  const submit = async (v: FormValues) => {
    setBusy(true);
    setError(null);
    try {
      await post(BASE, {
        resourceId: grants!.find((g) => g.id === v.entitlementId)!.resourceId,
        applicationId: v.applicationId,
        name: v.name?.trim() || undefined,
        cron: v.preset === 'custom' ? (v.cron ?? '').trim() : CRON_PRESETS[v.preset],
        mode: v.mode,
        format: v.format,
        businessRef: v.businessRef?.trim() || undefined,
      });
      onCreated();
      onClose();
    } catch (e) {
      if (!applyServerError(form, e, ['cron', 'businessRef', 'applicationId', 'name'])) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('schedules.create')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      destroyOnHidden
      width={640}
    >
      <Form<FormValues>
        form={form}
        name="scheduleForm"
        layout="vertical"
        initialValues={{ preset: 'daily', mode: 'incremental', format: 'csv' }}
        onFinish={(v) => void submit(v)}
        data-testid="schedule-form"
      >
        {grants && !grants.length && <Alert type="info" showIcon title={t('schedules.noGrants')} style={{ marginBottom: 12 }} />}
        {!apps.length && <Alert type="info" showIcon title={t('schedules.noApps')} style={{ marginBottom: 12 }} />}
        <Form.Item
          name="entitlementId"
          label={t('schedules.grant')}
          extra={t('schedules.grantHint')}
          rules={[{ required: true, message: t('common.required', { field: t('schedules.grant') }) }]}
        >
          <Select
            loading={!grants}
            data-testid="schedule-grant"
            options={(grants ?? []).map((g) => ({
              value: g.id,
              label: `${resources[g.resourceId] ? name(resources[g.resourceId]!) : g.resourceId} · ${g.purpose}`,
            }))}
          />
        </Form.Item>
        <Form.Item
          name="applicationId"
          label={t('schedules.application')}
          extra={t('schedules.apiKeyDefault')}
          rules={[{ required: true, message: t('common.required', { field: t('schedules.application') }) }]}
        >
          <Select data-testid="schedule-app" options={usable.map((a) => ({ value: a.id, label: a.name }))} />
        </Form.Item>
        <Form.Item name="name" label={t('schedules.name')}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="preset" label={t('schedules.cron')}>
          <Radio.Group data-testid="schedule-preset">
            {(['daily', 'weekly', 'monthly', 'custom'] as const).map((p) => (
              <Radio.Button key={p} value={p}>
                {t(`schedules.presets.${p}`)}
              </Radio.Button>
            ))}
          </Radio.Group>
        </Form.Item>
        {preset === 'custom' && (
          <Form.Item
            name="cron"
            label={t('schedules.cronCustom')}
            extra={t('schedules.cronHint')}
            rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('schedules.cron') }) }]}
          >
            <Input className="mono" placeholder="0 2 * * *" maxLength={100} data-testid="schedule-cron" />
          </Form.Item>
        )}
        <Form.Item name="mode" label={t('schedules.mode')} extra={t('schedules.modeHint')}>
          <Radio.Group>
            <Radio value="incremental">{t('schedules.modes.incremental')}</Radio>
            <Radio value="full">{t('schedules.modes.full')}</Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="format" label={t('schedules.format')}>
          <Radio.Group>
            <Radio value="csv">CSV</Radio>
            <Radio value="parquet">Parquet</Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item
          name="businessRef"
          label={t('schedules.businessRef')}
          extra={t('schedules.businessRefHint')}
          rules={
            grant?.conditions.businessRefRequired
              ? [{ required: true, whitespace: true, message: t('common.required', { field: t('schedules.businessRef') }) }]
              : []
          }
        >
          <Input maxLength={200} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
