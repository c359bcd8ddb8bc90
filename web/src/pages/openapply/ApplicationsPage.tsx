// 我的开放申请 (box=mine: the applicant's own), 待审开放申请 (box=incoming: applications for the provider's data,
// with the working-day countdown) and the authority's overview (box=all, with counts by state).
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Card, Empty, Space, Statistic, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, get } from '../../api.ts';
import { formatDateTime } from '../../format.ts';
import { NameCode, useName } from '../catalog/common.tsx';
import { AccessTag, OpenApplyStateTag, OpenDeadlineCountdown } from '../../portal/apply/common.tsx';
import { OPEN_APPLY_STATES, type OpenApplicationPage, type OpenApplicationSummary } from '../../portal/apply/types.ts';

export type OpenApplyBox = 'mine' | 'incoming' | 'all';

function OverviewStats() {
  const { t } = useTranslation();
  const [stats, setStats] = useState<{ byState: Record<string, number>; open: number } | null>(null);
  useEffect(() => {
    get<{ byState: Record<string, number>; open: number }>('/api/open-applications/stats')
      .then(setStats)
      .catch(() => setStats(null));
  }, []);
  if (!stats) return null;
  return (
    <Space size="large" wrap style={{ marginBottom: 16 }} data-testid="openapply-stats">
      <Statistic title={t('openApply.list.open')} value={stats.open} />
      {OPEN_APPLY_STATES.map((s) => (
        <Statistic key={s} title={t(`openApply.states.${s}`)} value={stats.byState[s] ?? 0} />
      ))}
    </Space>
  );
}

export default function ApplicationsPage({ box }: { box: OpenApplyBox }) {
  const { t } = useTranslation();
  const name = useName();
  const [page, setPage] = useState(1);
  const [data, setData] = useState<OpenApplicationPage | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setData(await get<OpenApplicationPage>('/api/open-applications', { box, page, pageSize: 20 }));
    } catch (e) {
      setError(errorMessage(e));
      setData({ items: [], total: 0, page: 1, pageSize: 20 });
    }
  }, [box, page]);

  useEffect(() => {
    void load();
  }, [load]);

  const columns: TableColumnsType<OpenApplicationSummary> = [
    {
      title: t('openApply.fields.number'),
      key: 'number',
      render: (_v, r) => (
        <Link to={`/open/applications/${r.id}`} className="mono" data-testid={`openapply-link-${r.number}`}>
          {r.number}
        </Link>
      ),
    },
    { title: t('openApply.fields.resource'), key: 'resource', render: (_v, r) => <NameCode item={r.resource} /> },
    box === 'mine'
      ? { title: t('openApply.fields.providerOrg'), key: 'provider', render: (_v, r) => name(r.providerOrg) }
      : {
          title: t('openApply.fields.applicant'),
          key: 'applicant',
          render: (_v, r) => (
            <Space size={4}>
              {name(r.applicantOrg)}
              <Tag>{t(`openApply.kinds.${r.applicantKind}`)}</Tag>
            </Space>
          ),
        },
    {
      title: t('openApply.fields.state'),
      key: 'state',
      render: (_v, r) => (
        <Space size={[0, 4]} wrap>
          <OpenApplyStateTag state={r.state} />
          <AccessTag state={r.entitlementState} />
          {r.nextDeadline?.overdue && <Tag color="red">{t('openApply.deadline.overdue')}</Tag>}
        </Space>
      ),
    },
    { title: t('openApply.fields.nextDeadline'), key: 'deadline', render: (_v, r) => <OpenDeadlineCountdown deadline={r.nextDeadline} /> },
    { title: t('openApply.fields.createdAt'), key: 'created', render: (_v, r) => formatDateTime(r.createdAt) },
  ];

  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t(`openApply.list.${box}Title`)}</h1>}>
      <Typography.Paragraph type="secondary">{t(`openApply.list.${box}Intro`)}</Typography.Paragraph>
      {box === 'all' && <OverviewStats />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<OpenApplicationSummary>
        rowKey="id"
        size="small"
        loading={!data}
        columns={columns}
        dataSource={data?.items ?? []}
        data-testid={`openapply-${box}`}
        rowClassName={(r) => (r.nextDeadline?.overdue ? 'row-overdue' : '')}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Empty description={t('openApply.list.none')} /> }}
        pagination={{
          current: page,
          pageSize: 20,
          total: data?.total ?? 0,
          hideOnSinglePage: true,
          onChange: setPage,
          showTotal: (total) => t('common.total', { total }),
        }}
      />
    </Card>
  );
}
