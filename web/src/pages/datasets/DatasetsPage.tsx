// 数据集: the datasets of the user's organization (all of them for the authority and the auditor), with the
// resource each belongs to, its current version, rows, size, quality and when it was last published.
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Card, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, get } from '../../api.ts';
import { formatDateTime, formatNumber } from '../../format.ts';
import { useName } from '../catalog/common.tsx';
import { formatBytes, ScoreText } from './common.tsx';
import type { DatasetSummary, ResourceRef } from './types.ts';

const PAGE_SIZE = 20;

export default function DatasetsPage() {
  const { t } = useTranslation();
  const name = useName();
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ items: DatasetSummary[]; total: number } | null>(null);
  const [resources, setResources] = useState<Record<string, ResourceRef | null>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    get<{ items: DatasetSummary[]; total: number }>('/api/datasets', { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE })
      .then((r) => {
        if (!live) return;
        setData(r);
        // The names of the resources the list does not carry (one request each, for the rows of this page).
        for (const id of new Set(r.items.filter((x) => !x.resource).map((x) => x.resourceId))) {
          get<ResourceRef>(`/api/catalog/resources/${id}`)
            .then(
              (res) =>
                live && setResources((m) => ({ ...m, [id]: { id: res.id, code: res.code, nameZh: res.nameZh, nameEn: res.nameEn } })),
            )
            .catch(() => live && setResources((m) => ({ ...m, [id]: null })));
        }
      })
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [page]);

  const columns: TableColumnsType<DatasetSummary> = [
    {
      title: t('datasets.list.resource'),
      key: 'resource',
      render: (_v, x) => {
        const r = x.resource ?? resources[x.resourceId];
        return (
          <Space orientation="vertical" size={0}>
            <Link to={`/catalog/resources/${x.resourceId}/data`}>{r ? name(r) : r === null ? x.resourceId : t('app.loading')}</Link>
            {r && (
              <Typography.Text type="secondary" className="mono" style={{ fontSize: 12 }}>
                {r.code}
              </Typography.Text>
            )}
          </Space>
        );
      },
    },
    { title: t('datasets.list.version'), dataIndex: 'currentVersion', key: 'v', render: (v: number | null) => (v ? `v${v}` : '—') },
    {
      title: t('datasets.list.rows'),
      dataIndex: 'rows',
      key: 'rows',
      align: 'right',
      render: (v: number | null) => (v === null ? '—' : formatNumber(v)),
    },
    {
      title: t('datasets.list.size'),
      dataIndex: 'bytes',
      key: 'bytes',
      align: 'right',
      render: (v: number | null) => (v === null ? '—' : formatBytes(v)),
    },
    {
      title: t('datasets.list.quality'),
      dataIndex: 'qualityScore',
      key: 'q',
      align: 'right',
      render: (v: number | null) => <ScoreText score={v} />,
    },
    {
      title: t('datasets.list.publishedAt'),
      dataIndex: 'publishedAt',
      key: 'at',
      render: (v: string | null) => (v ? formatDateTime(v) : '—'),
    },
  ];

  return (
    <Card
      title={
        <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
          {t('datasets.list.title')}
        </Typography.Title>
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t('datasets.list.intro')}
        </Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} />}
        <Table
          rowKey="id"
          size="small"
          loading={!data && !error}
          dataSource={data?.items ?? []}
          columns={columns}
          scroll={{ x: 'max-content' }}
          data-testid="datasets-table"
          locale={{ emptyText: t('datasets.list.none') }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: data?.total ?? 0,
            showSizeChanger: false,
            hideOnSinglePage: true,
            showTotal: (total) => t('common.total', { total }),
            onChange: setPage,
          }}
        />
      </Space>
    </Card>
  );
}
