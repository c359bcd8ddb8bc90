// 审核: the authority's queue of resources waiting for review (submitted) or publication (approved), first
// publications and revisions alike. Each step takes a comment; the grade is confirmed here too.
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, App as AntApp, Button, Card, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, post } from '../../api.ts';
import { formatDateTime } from '../../format.ts';
import { CommentModal, GradeTag, ModeTag, StatusTag, useEn, useName } from './common.tsx';
import GradeModal from './GradeModal.tsx';
import type { Resource, ResourceList, ResourceSummary, Status } from './types.ts';

/** The steps the authority takes from each review state (the server's state machine, src/modules/catalog/lifecycle.ts). */
const STEPS: Record<string, Status[]> = {
  submitted: ['approved', 'returned'],
  approved: ['published', 'returned'],
  'updated:submitted': ['approved', 'returned'],
  'updated:approved': ['published', 'returned'],
};

export default function ReviewQueuePage() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const name = useName();
  const en = useEn();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [data, setData] = useState<ResourceList>({ items: [], total: 0, page: 1, pageSize: 20 });
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [acting, setActing] = useState<{ r: ResourceSummary; to: Status } | null>(null);
  const [grading, setGrading] = useState<ResourceSummary | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setData(await get<ResourceList>('/api/catalog/review-queue', { page, pageSize }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  }, [page, pageSize]);

  useEffect(() => {
    void load();
  }, [load]);

  const stepLabel = (r: ResourceSummary, to: Status) => {
    const revision = r.status === 'updated';
    return t(`catalog.review.actions.${to}${revision ? 'Revision' : ''}`);
  };

  const columns: TableColumnsType<ResourceSummary> = [
    {
      title: t('catalog.fields.name'),
      key: 'name',
      render: (_v, r) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/catalog/resources/${r.id}`}>{name(r)}</Link>
          <Typography.Text type="secondary" className="mono">
            {r.code}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('catalog.fields.providerOrg'), key: 'org', render: (_v, r) => name(r.providerOrg) },
    {
      title: t('catalog.fields.status'),
      key: 'status',
      render: (_v, r) => <StatusTag status={r.status} revisionStatus={r.revisionStatus} />,
    },
    {
      title: t('catalog.fields.grade'),
      key: 'grade',
      render: (_v, r) => <GradeTag grade={r.grade} level={r.gradeLevel} confirmed={r.gradeConfirmed} />,
    },
    {
      title: t('catalog.review.attributes'),
      key: 'attrs',
      render: (_v, r) => (
        <Space size={[0, 4]} wrap>
          <ModeTag kind="share" mode={r.shareMode} />
          <ModeTag kind="open" mode={r.openMode} />
        </Space>
      ),
    },
    { title: t('catalog.fields.fieldCount'), dataIndex: 'fieldCount', key: 'fields' },
    { title: t('catalog.fields.updatedAt'), dataIndex: 'updatedAt', key: 'updatedAt', render: (v: string) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      render: (_v, r) => (
        <Space size={4} wrap>
          {(STEPS[r.state] ?? []).map((to) => (
            <Button
              key={to}
              size="small"
              type={to === 'returned' ? 'default' : 'primary'}
              onClick={() => setActing({ r, to })}
              data-testid={`review-${to}`}
              aria-label={`${stepLabel(r, to)}: ${name(r)}`}
            >
              {stepLabel(r, to)}
            </Button>
          ))}
          <Button
            size="small"
            onClick={() => setGrading(r)}
            data-testid="review-grade"
            aria-label={`${t('catalog.grading.confirm')}: ${name(r)}`}
          >
            {t('catalog.grading.confirm')}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('catalog.review.title')}</h1>}>
      <Typography.Paragraph type="secondary">{t('catalog.review.intro')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<ResourceSummary>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={data.items}
        loading={loading}
        data-testid="review-table"
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('catalog.review.empty') }}
        expandable={{
          expandedRowRender: (r) => (
            <Typography.Paragraph style={{ margin: 0 }}>{en ? r.abstractEn || r.abstractZh : r.abstractZh}</Typography.Paragraph>
          ),
        }}
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
      <CommentModal
        open={!!acting}
        title={acting ? `${stepLabel(acting.r, acting.to)} — ${name(acting.r)}` : ''}
        okText={acting ? stepLabel(acting.r, acting.to) : undefined}
        danger={acting?.to === 'returned'}
        label={acting?.to === 'returned' ? t('catalog.review.returnReason') : t('catalog.review.opinion')}
        testId="review"
        onSubmit={async (comment) => {
          if (!acting) return;
          await post<Resource>(`/api/catalog/resources/${acting.r.id}/transitions`, {
            to: acting.to,
            comment,
            lockVersion: acting.r.lockVersion,
          });
          message.success(t('catalog.detail.transitionDone', { action: stepLabel(acting.r, acting.to) }));
          await load();
        }}
        onClose={() => setActing(null)}
      />
      {grading && <GradeModal r={grading} onClose={() => setGrading(null)} onDone={() => void load()} />}
    </Card>
  );
}
