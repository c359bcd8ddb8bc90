// 授权: the grants my organization holds (fields, actions, validity with the expiry close at hand highlighted, quota
// used against each limit, renewal through a new request) and the grants on my organization's data (who uses it
// and how much, use per day, suspension / resumption / revocation with a reason, the ODRL export).
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Drawer,
  Empty,
  Progress,
  Space,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
  type TableColumnsType,
} from 'antd';
import { BarChartOutlined, DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, post } from '../../api.ts';
import { hasRole, useAuth } from '../../auth.tsx';
import { formatDate, formatNumber } from '../../format.ts';
import { useList } from '../../loaders.ts';
import { CommentModal, useEn, useName } from '../catalog/common.tsx';
import { CallsChart, EntitlementStateTag, fieldName, useOrgNameById, useResources } from './common.tsx';
import SchedulesTab from './SchedulesTab.tsx';
import type { DailyUsage, Entitlement, QuotaLimits } from './types.ts';

type Side = 'consumer' | 'provider';
type Change = 'suspend' | 'resume' | 'revoke';

const EXPIRY_WARNING_DAYS = 30;
const DAY = 86_400_000;

export default function GrantsPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const provider = hasRole(me, 'provider_clerk', 'authority_admin', 'auditor');
  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('sharing.grants.title')}</h1>}>
      <Typography.Paragraph type="secondary">{t('sharing.grants.intro')}</Typography.Paragraph>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'consumer', label: t('sharing.grants.held'), children: <GrantTable side="consumer" /> },
          { key: 'schedules', label: t('schedules.tab'), children: <SchedulesTab /> },
          ...(provider ? [{ key: 'provider', label: t('sharing.grants.provided'), children: <GrantTable side="provider" /> }] : []),
        ]}
      />
    </Card>
  );
}

function GrantTable({ side }: { side: Side }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const name = useName();
  const en = useEn();
  const orgName = useOrgNameById();
  const { items, error, load } = useList<Entitlement>('/api/entitlements', { side, limit: 200 });
  const [change, setChange] = useState<{ e: Entitlement; verb: Change } | null>(null);
  const [usageOf, setUsageOf] = useState<Entitlement | null>(null);
  const resources = useResources(items?.map((e) => e.resourceId) ?? []);
  const manage = side === 'provider' && hasRole(me, 'provider_clerk', 'authority_admin');
  const renew = side === 'consumer' && hasRole(me, 'consumer_clerk', 'provider_clerk');

  const doChange = async (reason: string) => {
    if (!change) return;
    await post(`/api/entitlements/${change.e.id}/${change.verb}`, { reason });
    message.success(t(`sharing.grants.done.${change.verb}`));
    await load();
  };

  const columns: TableColumnsType<Entitlement> = [
    {
      title: t('sharing.fields.resource'),
      key: 'resource',
      render: (_v, e) => {
        const r = resources[e.resourceId];
        return (
          <Space orientation="vertical" size={0}>
            <Link to={`/catalog/resources/${e.resourceId}`}>{r ? name(r) : e.resourceId}</Link>
            <Typography.Text type="secondary">{t('sharing.grants.purpose', { purpose: e.purpose })}</Typography.Text>
          </Space>
        );
      },
    },
    side === 'consumer'
      ? { title: t('sharing.fields.providerOrg'), key: 'org', render: (_v, e) => orgName(e.providerOrgId) }
      : { title: t('sharing.grants.holder'), key: 'org', render: (_v, e) => orgName(e.holderOrgId) },
    {
      title: t('sharing.fields.fields'),
      key: 'fields',
      render: (_v, e) =>
        e.fields ? (
          <Space wrap size={[4, 4]} style={{ maxWidth: 280 }} data-testid="grant-fields">
            {e.fields.map((c) => (
              <Tag key={c}>{fieldName(resources[e.resourceId], c, en)}</Tag>
            ))}
          </Space>
        ) : (
          t('sharing.grants.allFields')
        ),
    },
    { title: t('sharing.fields.actions'), key: 'actions', render: (_v, e) => e.actions.map((a) => t(`sharing.actions.${a}`)).join('、') },
    { title: t('sharing.fields.validity'), key: 'validity', render: (_v, e) => <Validity e={e} /> },
    { title: t('sharing.grants.quota'), key: 'quota', render: (_v, e) => <QuotaUse e={e} /> },
    {
      title: t('sharing.fields.state'),
      key: 'state',
      render: (_v, e) => (
        <Space orientation="vertical" size={0}>
          <EntitlementStateTag state={e.state} />
          {e.stateReason && <Typography.Text type="secondary">{e.stateReason}</Typography.Text>}
        </Space>
      ),
    },
    {
      title: t('common.actions'),
      key: 'ops',
      render: (_v, e) => (
        <Space wrap size={[4, 4]}>
          {side === 'provider' && (
            <Button size="small" icon={<BarChartOutlined />} onClick={() => setUsageOf(e)} data-testid="grant-usage">
              {t('sharing.grants.usage')}
            </Button>
          )}
          {manage && e.state === 'active' && (
            <Button size="small" danger onClick={() => setChange({ e, verb: 'suspend' })} data-testid="grant-suspend">
              {t('sharing.grants.verbs.suspend')}
            </Button>
          )}
          {manage && e.state === 'suspended' && (
            <Button size="small" onClick={() => setChange({ e, verb: 'resume' })} data-testid="grant-resume">
              {t('sharing.grants.verbs.resume')}
            </Button>
          )}
          {manage && (e.state === 'active' || e.state === 'suspended') && (
            <Button size="small" danger onClick={() => setChange({ e, verb: 'revoke' })} data-testid="grant-revoke">
              {t('sharing.grants.verbs.revoke')}
            </Button>
          )}
          {renew && e.state !== 'revoked' && (
            <Link to={`/sharing/new?renews=${e.id}`} data-testid="grant-renew">
              <ReloadOutlined /> {t('sharing.grants.renew')}
            </Link>
          )}
          <Typography.Link href={`/api/entitlements/${e.id}/odrl`} download={`entitlement-${e.id}.jsonld`}>
            <DownloadOutlined /> ODRL
          </Typography.Link>
        </Space>
      ),
    },
  ];

  return (
    <>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<Entitlement>
        rowKey="id"
        size="small"
        loading={!items}
        columns={columns}
        dataSource={items ?? []}
        data-testid={`grants-${side}`}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('common.total', { total }) }}
        locale={{ emptyText: <Empty description={t('sharing.grants.none')} /> }}
      />
      <CommentModal
        open={!!change}
        title={change ? t(`sharing.grants.verbs.${change.verb}`) : ''}
        danger={change?.verb !== 'resume'}
        label={t('sharing.detail.reason')}
        onClose={() => setChange(null)}
        onSubmit={doChange}
        testId="grant-reason"
      />
      <UsageDrawer e={usageOf} title={usageOf ? name(resources[usageOf.resourceId]) : ''} onClose={() => setUsageOf(null)} />
    </>
  );
}

function Validity({ e }: { e: Entitlement }) {
  const { t } = useTranslation();
  if (!e.validTo) return <>{t('sharing.grants.noEnd', { from: formatDate(e.validFrom) })}</>;
  const left = Math.ceil((new Date(e.validTo).getTime() - Date.now()) / DAY);
  const soon = e.state === 'active' && left <= EXPIRY_WARNING_DAYS;
  return (
    <Space orientation="vertical" size={0}>
      <span>
        {formatDate(e.validFrom)} – {formatDate(e.validTo)}
      </span>
      {soon && (
        <Tag color={left <= 7 ? 'red' : 'orange'} data-testid="grant-expiring">
          {t('sharing.grants.expiresIn', { count: Math.max(0, left) })}
        </Tag>
      )}
    </Space>
  );
}

const PERIODS = ['day', 'month', 'total'] as const;

/** One progress bar per limit set: used / limit. */
function QuotaUse({ e }: { e: Entitlement }) {
  const { t } = useTranslation();
  const bars = (['calls', 'rows'] as const).flatMap((kind) => {
    const q: QuotaLimits | undefined = e.quota?.[kind];
    return PERIODS.filter((p) => q?.[p]).map((p) => ({ kind, p, limit: q![p]!, used: e.usage[p][kind] }));
  });
  if (!bars.length)
    return (
      <Typography.Text type="secondary" data-testid="grant-quota">
        {t('sharing.grants.noQuota', { calls: formatNumber(e.usage.total.calls) })}
      </Typography.Text>
    );
  return (
    <Space orientation="vertical" size={0} style={{ minWidth: 200 }} data-testid="grant-quota">
      {bars.map((b) => {
        const label = t(`sharing.grants.quotaLabel.${b.kind}`, {
          period: t(`sharing.grants.periods.${b.p}`),
          used: formatNumber(b.used),
          limit: formatNumber(b.limit),
        });
        return (
          <Tooltip key={`${b.kind}-${b.p}`} title={label}>
            <div>
              <Typography.Text style={{ fontSize: 12 }}>{label}</Typography.Text>
              <Progress
                size="small"
                percent={Math.min(100, Math.round((b.used / b.limit) * 100))}
                status={b.used >= b.limit ? 'exception' : 'normal'}
                aria-label={label}
              />
            </div>
          </Tooltip>
        );
      })}
    </Space>
  );
}

function UsageDrawer({ e, title, onClose }: { e: Entitlement | null; title: string; onClose(): void }) {
  const { t } = useTranslation();
  const [days, setDays] = useState<DailyUsage['days'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDays(null);
    setError(null);
    if (!e) return;
    get<DailyUsage>(`/api/entitlements/${e.id}/usage`)
      .then((u) => setDays(u.days))
      .catch((x: unknown) => setError(errorMessage(x)));
  }, [e]);
  return (
    <Drawer open={!!e} onClose={onClose} size="large" title={t('sharing.grants.usageTitle', { name: title })}>
      {error && <Alert type="error" showIcon title={error} />}
      {days &&
        (days.length ? (
          <CallsChart days={days} ariaLabel={t('sharing.grants.usageChart')} testId="grant-usage-chart" />
        ) : (
          <Empty description={t('sharing.grants.noUsage')} />
        ))}
    </Drawer>
  );
}
