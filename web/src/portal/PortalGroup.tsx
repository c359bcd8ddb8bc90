// Department pages (/data/departments, /data/departments/<org code>) and topic pages (/data/topics,
// /data/topics/<category code>): the list with counts, and one group's datasets (the catalog's search with that
// department or category as filter).
import { useEffect, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { Alert, Card, Col, Row, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage, get } from '../api.ts';
import { useName } from '../pages/catalog/common.tsx';
import { NotFound } from '../components/Result.tsx';
import Loading from '../components/Loading.tsx';
import DatasetList from './DatasetList.tsx';
import type { Department, SearchResult, Topic } from './types.ts';

type Kind = 'departments' | 'topics';

function GroupIndex({ kind }: { kind: Kind }) {
  const { t } = useTranslation();
  const name = useName();
  const [items, setItems] = useState<Array<Department | Topic> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<{ items: Array<Department | Topic> }>(`/api/portal/${kind}`).then(
      (r) => setItems(r.items),
      (e) => setError(errorMessage(e)),
    );
  }, [kind]);
  if (error) return <Alert type="error" title={error} />;
  if (!items) return <Loading />;
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t(`portalweb.group.${kind}`)}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        {items.map((g) => (
          <Col xs={24} sm={12} md={8} key={g.code}>
            <Card>
              <Link to={`/data/${kind}/${encodeURIComponent(g.code)}`} style={{ fontSize: 16 }}>
                {name(g)}
              </Link>
              <Statistic title={t('portalweb.group.datasets')} value={g.datasets} />
            </Card>
          </Col>
        ))}
      </Row>
    </>
  );
}

function GroupPage({ kind, code }: { kind: Kind; code: string }) {
  const { t } = useTranslation();
  const name = useName();
  const [params, setParams] = useSearchParams();
  const page = Number(params.get('page') ?? 1);
  const [group, setGroup] = useState<Department | Topic | null>(null);
  const [missing, setMissing] = useState(false);
  const [result, setResult] = useState<SearchResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setGroup(null);
    setMissing(false);
    const load =
      kind === 'departments'
        ? get<Department>(`/api/portal/departments/${encodeURIComponent(code)}`)
        : get<{ items: Topic[] }>('/api/portal/topics').then((r) => {
            const tp = r.items.find((x) => x.code === code);
            if (!tp) throw new ApiError(404, 'NOT_FOUND', '');
            return tp;
          });
    load.then(setGroup, (e) => (e instanceof ApiError && e.status === 404 ? setMissing(true) : setError(errorMessage(e))));
  }, [kind, code]);

  useEffect(() => {
    if (!group) return;
    const filter = kind === 'departments' ? { org: (group as Department).id } : { category: group.code };
    get<SearchResult>('/api/search/resources', { ...filter, page, pageSize: 10, facets: false, sort: 'popularity' }).then(setResult, (e) =>
      setError(errorMessage(e)),
    );
  }, [group, kind, page]);

  if (missing) return <NotFound />;
  if (!group) return error ? <Alert type="error" title={error} /> : <Loading />;
  return (
    <>
      <nav aria-label={t('portalweb.dataset.breadcrumb')} style={{ marginBottom: 8 }}>
        <Link to="/data">{t('portalweb.brand')}</Link> / <Link to={`/data/${kind}`}>{t(`portalweb.group.${kind}`)}</Link>
      </nav>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {name(group)}
      </Typography.Title>
      <p data-testid="portal-group-count">{t('portalweb.group.count', { n: group.datasets })}</p>
      {error && <Alert type="error" title={error} />}
      <DatasetList result={result} loading={!result} onPage={(p) => setParams({ page: String(p) })} />
    </>
  );
}

export default function PortalGroup({ kind }: { kind: Kind }) {
  const { code } = useParams();
  return code ? <GroupPage kind={kind} code={code} /> : <GroupIndex kind={kind} />;
}
