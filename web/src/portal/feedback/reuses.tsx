// 应用展示 building blocks: a reuse card (title, kind, image and link only when http(s), the datasets it uses), the
// reuses of one dataset (embedded in the dataset page) and the featured reuses (the home page).
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Card, Empty, List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, get } from '../../api.ts';
import { datasetHref, nameOf, safeHref, useEn } from './common.tsx';
import type { Page, Reuse } from './types.ts';

export function ReuseCard({ r }: { r: Reuse }) {
  const { t } = useTranslation();
  const en = useEn();
  const img = safeHref(r.imageUrl);
  return (
    <Card
      size="small"
      data-testid="reuse-card"
      cover={img ? <img src={img} alt={r.title} referrerPolicy="no-referrer" style={{ maxHeight: 160, objectFit: 'cover' }} /> : undefined}
      title={<Link to={`/data/reuses/${r.id}`}>{r.title}</Link>}
      extra={<Tag>{t(`feedback.reuseKind.${r.kind}`)}</Tag>}
    >
      <Typography.Paragraph ellipsis={{ rows: 3 }} style={{ whiteSpace: 'pre-wrap' }}>
        {r.description}
      </Typography.Paragraph>
      <Space wrap size={4}>
        {r.datasets.map((d) => (
          <Link key={d.id} to={datasetHref(d.id)}>
            <Tag color="blue">{nameOf(en, d)}</Tag>
          </Link>
        ))}
      </Space>
    </Card>
  );
}

export function ReuseGrid({ items, empty }: { items: Reuse[]; empty: string }) {
  if (!items.length) return <Empty description={empty} />;
  return (
    <List
      grid={{ gutter: 16, xs: 1, sm: 2, md: 3 }}
      dataSource={items}
      renderItem={(r) => (
        <List.Item key={r.id}>
          <ReuseCard r={r} />
        </List.Item>
      )}
    />
  );
}

function useReuses(query: Record<string, string | boolean | number>) {
  const [items, setItems] = useState<Reuse[]>([]);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(query);
  useEffect(() => {
    get<Page<Reuse>>('/api/feedback/reuses', JSON.parse(key) as Record<string, string>)
      .then((p) => setItems(p.items))
      .catch((e) => setError(errorMessage(e)));
  }, [key]);
  return { items, error };
}

/** The published reuses of one dataset (for the portal's dataset page). */
export function DatasetReuses({ resourceId }: { resourceId: string }) {
  const { t } = useTranslation();
  const { items, error } = useReuses({ resourceId, pageSize: 12 });
  return (
    <Card
      title={t('feedback.reuses.ofDataset')}
      data-testid="dataset-reuses"
      extra={<Link to="/data/reuses">{t('feedback.reuses.submitOwn')}</Link>}
    >
      {error ? <Typography.Text type="danger">{error}</Typography.Text> : <ReuseGrid items={items} empty={t('feedback.reuses.empty')} />}
    </Card>
  );
}

/** Featured reuses for the home page. */
export function FeaturedReuses({ limit = 6 }: { limit?: number }) {
  const { t } = useTranslation();
  const { items, error } = useReuses({ featured: true, pageSize: limit });
  return (
    <Card
      title={t('feedback.reuses.featured')}
      data-testid="featured-reuses"
      extra={<Link to="/data/reuses">{t('feedback.reuses.all')}</Link>}
    >
      {error ? <Typography.Text type="danger">{error}</Typography.Text> : <ReuseGrid items={items} empty={t('feedback.reuses.empty')} />}
    </Card>
  );
}
