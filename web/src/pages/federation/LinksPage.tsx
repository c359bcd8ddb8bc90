// 回流数据 (receiving side of back-flow, data authority): the grant packages accepted from higher-level platforms
// and the local datasets their rows land in — last pull (time, outcome, rows, versions), the last error with the
// count of failures in a row, the pull schedule (cron with presets, pause/resume), "pull now" followed while it
// runs, and each link's pull history. A package is accepted by pasting or uploading its JSON and entering the
// issuer's key fingerprint obtained out of band.
import { useCallback, useEffect, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
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
  Space,
  Table,
  Tag,
  TreeSelect,
  Typography,
  Upload,
  type TableColumnsType,
} from 'antd';
import {
  CaretRightOutlined,
  ClockCircleOutlined,
  ImportOutlined,
  PauseCircleOutlined,
  PlayCircleOutlined,
  ReloadOutlined,
  UploadOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, post, put } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import ShortHash from '../../components/ShortHash.tsx';
import { formatDate, formatDateTime, formatNumber } from '../../format.ts';
import { applyServerError } from '../../forms.ts';
import { useOrgs, useOrgTreeSelect } from '../../orgs.ts';
import { useName } from '../catalog/common.tsx';
import { AreaFilter } from './GrantsPage.tsx';
import { KNOWN_REASONS, SCHEDULE_PRESETS, type GrantPackage, type Link, type Pull, type PullError, type PullStatus } from './types.ts';

const POLL_MS = 1500;
const STATUS_COLORS: Record<PullStatus, string> = {
  queued: 'default',
  running: 'processing',
  ok: 'success',
  unchanged: 'cyan',
  failed: 'error',
  skipped: 'warning',
};

export function PullStatusTag({ status }: { status: PullStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status]} data-testid="pull-status">
      {t(`federation.pullStatus.${status}`)}
    </Tag>
  );
}

/** A failure in words: the known reason, the issuer's answer (HTTP status, code), else the server's message. */
export function useReason() {
  const { t } = useTranslation();
  return (e: PullError | null | undefined) => {
    if (!e) return '';
    const base = (KNOWN_REASONS as readonly string[]).includes(e.reason) ? t(`federation.reasons.${e.reason}`) : (e.message ?? e.reason);
    const remote = e.remoteCode ? t('federation.remoteAnswer', { status: e.status ?? '—', code: e.remoteCode }) : '';
    return remote ? `${base}（${remote}）` : base;
  };
}

export default function FederationLinksPage() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const name = useName();
  const reason = useReason();
  const [items, setItems] = useState<Link[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [accepting, setAccepting] = useState(false);
  const [scheduling, setScheduling] = useState<Link | null>(null);
  const [starting, setStarting] = useState<string | null>(null);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  // Loads the links; polls while a pull is queued or running.
  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    const ctrl = new AbortController();
    const load = async () => {
      try {
        const r = await get<{ items: Link[] }>('/api/federation/links', undefined, ctrl.signal);
        if (!live) return;
        setItems(r.items);
        setError(null);
        if (r.items.some((l) => l.activePull)) timer = window.setTimeout(() => void load(), POLL_MS);
      } catch (e) {
        if (!live || (e as Error).name === 'AbortError') return;
        setError(errorMessage(e));
        setItems((x) => x ?? []);
      }
    };
    void load();
    return () => {
      live = false;
      ctrl.abort();
      window.clearTimeout(timer);
    };
  }, [tick]);

  const pullNow = async (l: Link) => {
    setStarting(l.id);
    try {
      await post(`/api/federation/links/${l.id}/pulls`);
      message.success(t('federation.links.pullQueued'));
      reload();
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setStarting(null);
    }
  };

  const setPaused = async (l: Link, paused: boolean) => {
    try {
      await put(`/api/federation/links/${l.id}/schedule`, { paused });
      message.success(t(paused ? 'federation.schedule.paused' : 'federation.schedule.resumed'));
      reload();
    } catch (e) {
      message.error(errorMessage(e));
    }
  };

  const columns: TableColumnsType<Link> = [
    {
      title: t('federation.links.issuer'),
      key: 'issuer',
      render: (_v, l) => (
        <Space orientation="vertical" size={0}>
          <span>{l.issuerName}</span>
          <Typography.Text type="secondary" className="mono">
            {l.issuerBaseUrl}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('federation.links.localData'),
      key: 'local',
      render: (_v, l) => (
        <Space orientation="vertical" size={0}>
          <RouterLink to={`/catalog/resources/${l.localResourceId}/data`}>
            {l.localResource ? name(l.localResource) : l.localResourceId}
          </RouterLink>
          <Typography.Text type="secondary">
            {t('federation.links.remote', { code: l.remoteResource.code })}
            {' · '}
            {l.localDataset?.currentVersion
              ? t('federation.links.version', { version: l.localDataset.currentVersion })
              : t('federation.links.noVersion')}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('federation.areaFilter'), key: 'area', render: (_v, l) => <AreaFilter filter={l.rowFilter} /> },
    {
      title: t('federation.links.lastPull'),
      key: 'lastPull',
      render: (_v, l) => (
        <Space orientation="vertical" size={0} data-testid="link-last-pull">
          {l.activePull ? (
            <Space size={4} data-testid="link-active-pull">
              <PullStatusTag status={l.activePull.status} />
              {l.activePull.phase && <Typography.Text type="secondary">{t(`federation.phases.${l.activePull.phase}`)}</Typography.Text>}
            </Space>
          ) : l.lastPull ? (
            <Space size={4}>
              <PullStatusTag status={l.lastPull.status} />
              <Typography.Text type="secondary">{formatDateTime(l.lastPull.at)}</Typography.Text>
            </Space>
          ) : (
            <Typography.Text type="secondary">{t('federation.links.neverPulled')}</Typography.Text>
          )}
          {l.lastPull && l.lastPull.status !== 'failed' && l.lastPull.rows !== null && (
            <Typography.Text type="secondary">
              {t('federation.links.pulledRows', { rows: formatNumber(l.lastPull.rows), version: l.lastPull.remoteVersion ?? '—' })}
            </Typography.Text>
          )}
          {l.consecutiveFailures > 0 && l.lastError && (
            <Typography.Text type="danger" data-testid="link-last-error">
              {t('federation.links.failures', { count: l.consecutiveFailures })}
              {reason(l.lastError)}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t('federation.schedule.title'),
      key: 'schedule',
      render: (_v, l) =>
        l.schedule ? (
          <Space orientation="vertical" size={0} data-testid="link-schedule">
            <Space size={4}>
              <span className="mono">{l.schedule.cron}</span>
              {l.schedule.paused && <Tag color="warning">{t('federation.schedule.pausedTag')}</Tag>}
            </Space>
            {l.schedule.nextRunAt && (
              <Typography.Text type="secondary">
                {t('federation.schedule.next', { at: formatDateTime(l.schedule.nextRunAt) })}
              </Typography.Text>
            )}
          </Space>
        ) : (
          <Typography.Text type="secondary" data-testid="link-schedule">
            {t('federation.schedule.onDemand')}
          </Typography.Text>
        ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      render: (_v, l) => (
        <Space size={4} wrap>
          <Button
            size="small"
            type="primary"
            icon={<CaretRightOutlined />}
            loading={starting === l.id}
            disabled={!!l.activePull || l.state !== 'active'}
            onClick={() => void pullNow(l)}
            data-testid="link-pull"
          >
            {t('federation.links.pullNow')}
          </Button>
          <Button size="small" icon={<ClockCircleOutlined />} onClick={() => setScheduling(l)} data-testid="link-schedule-edit">
            {t('federation.schedule.edit')}
          </Button>
          {l.schedule &&
            (l.schedule.paused ? (
              <Button size="small" icon={<PlayCircleOutlined />} onClick={() => void setPaused(l, false)} data-testid="link-resume">
                {t('federation.schedule.resume')}
              </Button>
            ) : (
              <Button size="small" icon={<PauseCircleOutlined />} onClick={() => void setPaused(l, true)} data-testid="link-pause">
                {t('federation.schedule.pause')}
              </Button>
            ))}
        </Space>
      ),
    },
  ];

  return (
    <Card
      title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('federation.links.title')}</h1>}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={reload} aria-label={t('common.refresh')} />
          <Button type="primary" icon={<ImportOutlined />} onClick={() => setAccepting(true)} data-testid="federation-accept">
            {t('federation.links.accept')}
          </Button>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t('federation.links.intro')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<Link>
        rowKey="id"
        size="small"
        loading={!items}
        dataSource={items ?? []}
        columns={columns}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        data-testid="federation-links-table"
        locale={{ emptyText: t('federation.links.none') }}
        expandable={{
          expandedRowRender: (l) => <PullHistory link={l} />,
          expandRowByClick: false,
        }}
      />
      {accepting && (
        <AcceptModal
          onClose={() => setAccepting(false)}
          onAccepted={(l) => {
            setAccepting(false);
            message.success(t('federation.links.accepted', { issuer: l.issuerName }));
            reload();
          }}
        />
      )}
      {scheduling && (
        <ScheduleModal
          link={scheduling}
          onClose={() => setScheduling(null)}
          onSaved={() => {
            setScheduling(null);
            reload();
          }}
        />
      )}
    </Card>
  );
}

/** The pulls of one link, newest first; refreshed while one is queued or running. */
function PullHistory({ link }: { link: Link }) {
  const { t } = useTranslation();
  const reason = useReason();
  const [items, setItems] = useState<Pull[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const active = link.activePull?.id ?? null;
  const lastAt = link.lastPull?.at ?? null;
  useEffect(() => {
    let live = true;
    get<{ items: Pull[] }>(`/api/federation/links/${link.id}/pulls`, { limit: 50 })
      .then((r) => live && setItems(r.items))
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [link.id, active, lastAt]);
  if (error) return <Alert type="error" showIcon title={error} />;
  return (
    <Table<Pull>
      rowKey="id"
      size="small"
      loading={!items}
      dataSource={items ?? []}
      pagination={false}
      data-testid="pull-history"
      locale={{ emptyText: t('federation.links.noPulls') }}
      columns={[
        { title: t('federation.history.at'), key: 'at', render: (_v, p) => formatDateTime(p.startedAt ?? p.createdAt) },
        { title: t('federation.history.trigger'), key: 'trigger', render: (_v, p) => t(`federation.triggers.${p.trigger}`) },
        {
          title: t('federation.history.status'),
          key: 'status',
          render: (_v, p) => (
            <Space size={4}>
              <PullStatusTag status={p.status} />
              {p.phase && <Typography.Text type="secondary">{t(`federation.phases.${p.phase}`)}</Typography.Text>}
            </Space>
          ),
        },
        { title: t('federation.history.rows'), key: 'rows', render: (_v, p) => formatNumber(p.rows) || '—' },
        { title: t('federation.history.remoteVersion'), key: 'rv', render: (_v, p) => p.remoteVersion ?? '—' },
        { title: t('federation.history.localVersion'), key: 'lv', render: (_v, p) => p.localVersion ?? '—' },
        {
          title: 'SHA-256',
          key: 'sha',
          render: (_v, p) => <ShortHash sha256={p.sha256} />,
        },
        {
          title: t('federation.history.error'),
          key: 'error',
          render: (_v, p) => (p.error ? <Typography.Text type="danger">{reason(p.error)}</Typography.Text> : ''),
        },
      ]}
    />
  );
}

interface AcceptValues {
  packageText: string;
  expectedKeyId: string;
  localProviderOrgId: string;
}

const ACCEPT_FIELDS = ['expectedKeyId', 'localProviderOrgId'];

function parsePackage(text: string | undefined): GrantPackage | null {
  if (!text?.trim()) return null;
  try {
    const p = JSON.parse(text) as GrantPackage;
    return p && typeof p === 'object' && p.issuer && p.grant && p.resource ? p : null;
  } catch {
    return null;
  }
}

function AcceptModal({ onClose, onAccepted }: { onClose(): void; onAccepted(l: Link): void }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const [form] = Form.useForm<AcceptValues>();
  const { orgs } = useOrgs();
  const orgTree = useOrgTreeSelect(orgs);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const text = Form.useWatch('packageText', form);
  const pkg = parsePackage(text);

  const submit = async (v: AcceptValues) => {
    setBusy(true);
    setError(null);
    try {
      const l = await post<Link>('/api/federation/links', {
        package: parsePackage(v.packageText),
        expectedKeyId: v.expectedKeyId.trim().toLowerCase(),
        localProviderOrgId: v.localProviderOrgId,
      });
      onAccepted(l);
    } catch (e) {
      const d = (e as { details?: { field?: string } }).details;
      if (d?.field?.startsWith('package')) form.setFields([{ name: 'packageText', errors: [errorMessage(e)] }]);
      else if (!applyServerError(form, e, ACCEPT_FIELDS)) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      width={760}
      title={t('federation.links.accept')}
      onCancel={onClose}
      okText={t('federation.links.acceptOk')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      okButtonProps={{ 'data-testid': 'federation-accept-submit' } as Record<string, string>}
      destroyOnHidden
    >
      <Form<AcceptValues>
        form={form}
        name="federationAccept"
        layout="vertical"
        onFinish={submit}
        initialValues={{ localProviderOrgId: me?.org?.id }}
      >
        <Form.Item
          name="packageText"
          label={t('federation.links.package')}
          extra={t('federation.links.packageHint')}
          rules={[
            { required: true, message: t('federation.links.packageRequired') },
            {
              validator: async (_r, v: string) =>
                !v?.trim() || parsePackage(v) ? undefined : Promise.reject(new Error(t('federation.links.packageUnreadable'))),
            },
          ]}
        >
          <Input.TextArea rows={6} className="mono" spellCheck={false} data-testid="federation-accept-package" />
        </Form.Item>
        <Upload
          accept=".json,application/json"
          maxCount={1}
          showUploadList={false}
          beforeUpload={(file) => {
            void file.text().then((s) => {
              form.setFieldsValue({ packageText: s });
              void form.validateFields(['packageText']);
            });
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} style={{ marginBottom: 16 }}>
            {t('federation.links.upload')}
          </Button>
        </Upload>
        {pkg && (
          <Descriptions column={1} size="small" bordered style={{ marginBottom: 16 }} data-testid="federation-accept-preview">
            <Descriptions.Item label={t('federation.links.issuer')}>
              {pkg.issuer.name} <span className="mono">{pkg.issuer.baseUrl}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('federation.grants.resource')}>
              {pkg.resource.nameZh} <span className="mono">({pkg.resource.code})</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('federation.fields')}>{pkg.grant.fields.join('、')}</Descriptions.Item>
            <Descriptions.Item label={t('federation.areaFilter')}>
              <AreaFilter filter={pkg.grant.rowFilter} />
            </Descriptions.Item>
            <Descriptions.Item label={t('federation.validity')}>
              {pkg.grant.validTo
                ? t('federation.validRange', { from: formatDate(pkg.grant.validFrom), to: formatDate(pkg.grant.validTo) })
                : t('federation.validOpen', { from: formatDate(pkg.grant.validFrom) })}
            </Descriptions.Item>
          </Descriptions>
        )}
        <Form.Item
          name="expectedKeyId"
          label={t('federation.links.keyId')}
          extra={t('federation.links.keyIdHint')}
          rules={[
            { required: true, message: t('common.required', { field: t('federation.links.keyId') }) },
            { pattern: /^\s*[0-9a-fA-F]{64}\s*$/, message: t('federation.links.keyIdRule') },
          ]}
        >
          <Input className="mono" maxLength={80} autoComplete="off" data-testid="federation-accept-key" />
        </Form.Item>
        <Form.Item
          name="localProviderOrgId"
          label={t('federation.links.localProvider')}
          extra={t('federation.links.localProviderHint')}
          rules={[{ required: true, message: t('common.required', { field: t('federation.links.localProvider') }) }]}
        >
          <TreeSelect treeData={orgTree} showSearch treeNodeFilterProp="title" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}

function ScheduleModal({ link, onClose, onSaved }: { link: Link; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ cron: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async (cron: string | null) => {
    setBusy(true);
    setError(null);
    try {
      await put(`/api/federation/links/${link.id}/schedule`, { cron });
      message.success(t(cron ? 'federation.schedule.saved' : 'federation.schedule.removed'));
      onSaved();
    } catch (e) {
      if (!applyServerError(form, e, ['cron'])) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('federation.schedule.editTitle', { name: link.remoteResource.nameZh })}
      onCancel={onClose}
      destroyOnHidden
      footer={
        <Space>
          {link.schedule && (
            <Popconfirm
              title={t('federation.schedule.removeConfirm')}
              okText={t('common.ok')}
              cancelText={t('common.cancel')}
              onConfirm={() => save(null)}
            >
              <Button danger disabled={busy} data-testid="schedule-remove">
                {t('federation.schedule.remove')}
              </Button>
            </Popconfirm>
          )}
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="schedule-save">
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      <Form
        form={form}
        name="federationSchedule"
        layout="vertical"
        initialValues={{ cron: link.schedule?.cron ?? '' }}
        onFinish={(v) => void save(v.cron.trim())}
      >
        <Space wrap style={{ marginBottom: 12 }}>
          {SCHEDULE_PRESETS.map((p) => (
            <Button key={p.key} size="small" onClick={() => form.setFieldsValue({ cron: p.cron })} data-testid={`schedule-preset-${p.key}`}>
              {t(`federation.schedule.presets.${p.key}`)}
            </Button>
          ))}
        </Space>
        <Form.Item
          name="cron"
          label={t('federation.schedule.cron')}
          extra={t('federation.schedule.cronHint')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('federation.schedule.cron') }) }]}
        >
          <Input className="mono" maxLength={100} placeholder="0 3 * * *" data-testid="schedule-cron" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
