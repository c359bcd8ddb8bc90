// A page of search results as the portal shows them (search, department and topic pages): name linking to the
// dataset page, highlighted snippet, department, open attribute, date.
import { Empty, List, Pagination, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { formatDate } from '../format.ts';
import { Marked, useName } from '../pages/catalog/common.tsx';
import type { SearchResult } from './types.ts';

export function OpenTag({ mode }: { mode: string }) {
  const { t } = useTranslation();
  // Dark text on light backgrounds (≥ 7:1; antd's preset green and orange tags are below AA for small text).
  const style =
    mode === 'unconditional'
      ? { color: '#135200', background: '#f6ffed', borderColor: '#95de64' }
      : { color: '#873800', background: '#fff7e6', borderColor: '#ffc069' };
  return <Tag style={style}>{t(`catalog.open.${mode}`)}</Tag>;
}

export default function DatasetList({
  result,
  loading,
  onPage,
}: {
  result: SearchResult | null;
  loading: boolean;
  onPage?: (page: number) => void;
}) {
  const { t } = useTranslation();
  const name = useName();
  if (!loading && result && !result.items.length) return <Empty description={t('portalweb.search.empty')} />;
  return (
    <>
      <List
        loading={loading}
        dataSource={result?.items ?? []}
        rowKey="id"
        data-testid="portal-results"
        renderItem={(it) => (
          <List.Item>
            <List.Item.Meta
              title={
                <Link to={`/data/datasets/${encodeURIComponent(it.code)}`}>
                  <Marked html={it.highlight.name} />
                </Link>
              }
              description={
                <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                  <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 0, color: '#434343' }}>
                    <Marked html={it.highlight.abstract} />
                  </Typography.Paragraph>
                  <Space wrap size={8}>
                    <OpenTag mode={it.openMode} />
                    <span>{name(it.org)}</span>
                    <span>
                      {t('portalweb.updated')} {formatDate(it.updatedAt)}
                    </span>
                  </Space>
                </Space>
              }
            />
          </List.Item>
        )}
      />
      {result && onPage && result.total > result.pageSize && (
        <Pagination
          style={{ marginTop: 16 }}
          current={result.page}
          pageSize={result.pageSize}
          total={Math.min(result.total, result.pageSize * 1000)}
          showSizeChanger={false}
          onChange={onPage}
          showTotal={(n) => t('portalweb.search.total', { n })}
        />
      )}
    </>
  );
}
