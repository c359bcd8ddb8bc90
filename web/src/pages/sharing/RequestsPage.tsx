// 我的申请 / 待办共享申请: a clerk's own organization's requests (box=mine) or the requests for its data
// (box=incoming), each with its state and the next deadline as a countdown; overdue rows are highlighted.
// The authority's queues reuse the table (RequestTable) with their own filters.
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Empty, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, get } from '../../api.ts';
import { StateFilters } from '../../components/StateFilters.tsx';
import { formatDateTime } from '../../format.ts';
import { NameCode, useName } from '../catalog/common.tsx';
import { DeadlineCountdown, SharingStateTag } from './common.tsx';
import { SHARING_STATES, type RequestPage, type RequestSummary, type SharingState } from './types.ts';

export type Box = 'mine' | 'incoming' | 'all';

/** A page of requests for the given filters, with state and overdue filters of its own unless fixed by the caller. */
export function RequestTable({
  box,
  fixedStates,
  fixedOverdue,
  testId,
}: {
  box: Box;
  fixedStates?: SharingState[];
  fixedOverdue?: boolean;
  testId: string;
}) {
  const { t } = useTranslation();
  const name = useName();
  const [states, setStates] = useState<SharingState[]>([]);
  const [overdue, setOverdue] = useState(false);
  const [page, setPage] = useState(1);
  const [data, setData] = useState<RequestPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const filterable = !fixedStates && fixedOverdue === undefined;
  const stateParam = (fixedStates ?? states).join(',');
  const overdueParam = fixedOverdue ?? overdue;

  const load = useCallback(async () => {
    setError(null);
    try {
      setData(
        await get<RequestPage>('/api/sharing/requests', {
          box,
          state: stateParam || undefined,
          overdue: overdueParam || undefined,
          page,
          pageSize: 20,
        }),
      );
    } catch (e) {
      setError(errorMessage(e));
      setData({ items: [], total: 0, page: 1, pageSize: 20 });
    }
  }, [box, stateParam, overdueParam, page]);

  useEffect(() => {
    void load();
  }, [load]);

  const columns: TableColumnsType<RequestSummary> = [
    {
      title: t('sharing.fields.number'),
      key: 'number',
      render: (_v, r) => (
        <Link to={`/sharing/requests/${r.id}`} className="mono" data-testid={`request-link-${r.number}`}>
          {r.number}
        </Link>
      ),
    },
    {
      title: t('sharing.fields.resource'),
      key: 'resource',
      render: (_v, r) => <NameCode item={r.resource} />,
    },
    box === 'mine'
      ? { title: t('sharing.fields.providerOrg'), key: 'provider', render: (_v, r) => name(r.providerOrg) }
      : { title: t('sharing.fields.requesterOrg'), key: 'requester', render: (_v, r) => name(r.requesterOrg) },
    ...(box === 'all'
      ? [{ title: t('sharing.fields.providerOrg'), key: 'provider', render: (_v: unknown, r: RequestSummary) => name(r.providerOrg) }]
      : []),
    {
      title: t('sharing.fields.state'),
      key: 'state',
      render: (_v, r) => (
        <Space size={[0, 4]} wrap>
          <SharingStateTag state={r.state} />
          {r.nextDeadline?.overdue && <Tag color="red">{t('sharing.deadline.overdue')}</Tag>}
        </Space>
      ),
    },
    { title: t('sharing.fields.nextDeadline'), key: 'deadline', render: (_v, r) => <DeadlineCountdown deadline={r.nextDeadline} /> },
    { title: t('sharing.fields.createdAt'), key: 'created', render: (_v, r) => formatDateTime(r.createdAt) },
  ];

  return (
    <>
      {filterable && (
        <StateFilters
          states={states}
          options={SHARING_STATES.map((s) => ({ value: s, label: t(`sharing.states.${s}`) }))}
          stateLabel={t('sharing.fields.state')}
          overdue={overdue}
          overdueLabel={t('sharing.list.overdueOnly')}
          overdueId={`${testId}-overdue`}
          onChange={(f) => {
            setStates(f.states);
            setOverdue(f.overdue);
            setPage(1);
          }}
        />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<RequestSummary>
        rowKey="id"
        size="small"
        loading={!data}
        columns={columns}
        dataSource={data?.items ?? []}
        data-testid={testId}
        rowClassName={(r) => (r.nextDeadline?.overdue ? 'row-overdue' : '')}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Empty description={t('sharing.list.none')} /> }}
        pagination={{
          current: page,
          pageSize: 20,
          total: data?.total ?? 0,
          hideOnSinglePage: true,
          onChange: setPage,
          showTotal: (total) => t('common.total', { total }),
        }}
      />
    </>
  );
}

export default function RequestsPage({ box }: { box: 'mine' | 'incoming' }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Card
      title={<h1 style={{ fontSize: 18, margin: 0 }}>{t(box === 'mine' ? 'sharing.list.mineTitle' : 'sharing.list.incomingTitle')}</h1>}
      extra={
        box === 'mine' && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/sharing/new')} data-testid="sharing-new">
            {t('sharing.wizard.title')}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">
        {t(box === 'mine' ? 'sharing.list.mineIntro' : 'sharing.list.incomingIntro')}
      </Typography.Paragraph>
      <RequestTable key={box} box={box} testId={`requests-${box}`} />
    </Card>
  );
}
