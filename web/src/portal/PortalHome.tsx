// 公共数据开放 home: search, counts, featured (most used) and latest datasets, topics and departments, and the slot
// for featured reuses (another part of issue 7 provides them).
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Card, Col, List, Row, Statistic, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, get } from '../api.ts';
import { formatDate } from '../format.ts';
import { useName } from '../pages/catalog/common.tsx';
import { PortalSearchBox } from './PortalLayout.tsx';
import { OpenTag } from './DatasetList.tsx';
import { FeaturedReuses } from './feedback/index.ts';
import type { Department, PortalStats, SearchResult, Topic } from './types.ts';

function DatasetCards({ title, id, result }: { title: string; id: string; result: SearchResult | null }) {
  const name = useName();
  const { t } = useTranslation();
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{title}</h2>} data-testid={id}>
      <List
        loading={!result}
        dataSource={result?.items ?? []}
        rowKey="id"
        renderItem={(it) => (
          <List.Item extra={<OpenTag mode={it.openMode} />}>
            <List.Item.Meta
              title={<Link to={`/data/datasets/${encodeURIComponent(it.code)}`}>{name(it)}</Link>}
              description={`${name(it.org)} · ${t('portalweb.updated')} ${formatDate(it.updatedAt)}`}
            />
          </List.Item>
        )}
      />
    </Card>
  );
}

export default function PortalHome() {
  const { t } = useTranslation();
  const name = useName();
  const [stats, setStats] = useState<PortalStats | null>(null);
  const [popular, setPopular] = useState<SearchResult | null>(null);
  const [latest, setLatest] = useState<SearchResult | null>(null);
  const [deps, setDeps] = useState<Department[]>([]);
  const [topics, setTopics] = useState<Topic[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const fail = (e: unknown) => setError(errorMessage(e));
    get<PortalStats>('/api/portal/stats').then(setStats, fail);
    get<SearchResult>('/api/search/resources', { sort: 'popularity', pageSize: 6, facets: false }).then(setPopular, fail);
    get<SearchResult>('/api/search/resources', { sort: 'release', pageSize: 6, facets: false }).then(setLatest, fail);
    get<{ items: Department[] }>('/api/portal/departments').then((r) => setDeps(r.items), fail);
    get<{ items: Topic[] }>('/api/portal/topics').then((r) => setTopics(r.items), fail);
  }, []);

  return (
    <>
      <section className="portal-hero" aria-labelledby="portal-hero-title">
        <Typography.Title level={1} id="portal-hero-title">
          {t('portalweb.home.title')}
        </Typography.Title>
        <p>{t('portalweb.home.lead')}</p>
        <PortalSearchBox id="portal-home-q" size="large" />
      </section>
      {error && <Alert type="error" title={error} style={{ marginBottom: 16 }} />}
      <section aria-label={t('portalweb.home.counts')}>
        <Row gutter={[16, 16]} style={{ marginBottom: 24 }}>
          {(
            [
              ['datasets', stats?.datasets],
              ['rows', stats?.rows],
              ['departments', stats?.departments],
              ['reads', stats?.reads],
            ] as const
          ).map(([k, v]) => (
            <Col xs={12} md={6} key={k}>
              <Card>
                <Statistic title={t(`portalweb.home.stat.${k}`)} value={v ?? '—'} data-testid={`portal-stat-${k}`} />
              </Card>
            </Col>
          ))}
        </Row>
      </section>
      <Row gutter={[16, 16]}>
        <Col xs={24} md={12}>
          <DatasetCards id="portal-popular" title={t('portalweb.home.popular')} result={popular} />
        </Col>
        <Col xs={24} md={12}>
          <DatasetCards id="portal-latest" title={t('portalweb.home.latest')} result={latest} />
        </Col>
      </Row>
      <section aria-labelledby="portal-topics-title" style={{ marginTop: 24 }}>
        <Typography.Title level={2} id="portal-topics-title" style={{ fontSize: 20 }}>
          {t('portalweb.home.topics')}
        </Typography.Title>
        <ul style={{ listStyle: 'none', padding: 0, display: 'flex', flexWrap: 'wrap', gap: 8 }}>
          {topics.map((tp) => (
            <li key={tp.code}>
              <Link to={`/data/topics/${encodeURIComponent(tp.code)}`}>
                <Tag style={{ fontSize: 14, padding: '4px 10px' }}>
                  {name(tp)} ({tp.datasets})
                </Tag>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="portal-deps-title" style={{ marginTop: 24 }}>
        <Typography.Title level={2} id="portal-deps-title" style={{ fontSize: 20 }}>
          {t('portalweb.home.departments')}
        </Typography.Title>
        <ul style={{ listStyle: 'none', padding: 0, display: 'flex', flexWrap: 'wrap', gap: 8 }}>
          {deps.map((d) => (
            <li key={d.id}>
              <Link to={`/data/departments/${encodeURIComponent(d.code)}`}>
                <Tag style={{ fontSize: 14, padding: '4px 10px' }}>
                  {name(d)} ({d.datasets})
                </Tag>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <div style={{ marginTop: 24 }}>
        <FeaturedReuses />
      </div>
    </>
  );
}
