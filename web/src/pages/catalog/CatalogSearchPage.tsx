// 目录检索: full-text search over the catalog the user may see, with type-ahead, facet filters (counts over the
// other filters), sort, pages and highlighted snippets. The whole query lives in the URL, so links and the
// back button keep it.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import {
  Alert,
  AutoComplete,
  Button,
  Card,
  Checkbox,
  Col,
  Empty,
  Input,
  List,
  Pagination,
  Row,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import { PlusOutlined, SwapOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, get } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { canEdit } from '../../access.ts';
import { formatDate, formatNumber } from '../../format.ts';
import { GradeTag, Marked, ModeTag, StatusTag, useName } from './common.tsx';
import BulkModal from './BulkModal.tsx';
import { FACETS, type FacetKey, type SearchResult, type Suggestion } from './types.ts';

const SORTS = ['relevance', 'release', 'updated', 'popularity'] as const;
const PAGE_SIZE = 20;
const EMPTY_FACETS = Object.fromEntries(FACETS.map((f) => [f, []])) as unknown as SearchResult['facets'];

export default function CatalogSearchPage() {
  const { t, i18n } = useTranslation();
  const { me } = useAuth();
  const navigate = useNavigate();
  const name = useName();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const sort = (params.get('sort') as (typeof SORTS)[number] | null) ?? 'relevance';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const filters = useMemo(() => {
    const f: Partial<Record<FacetKey, string[]>> = {};
    for (const k of FACETS) {
      const v = params.get(k);
      if (v) f[k] = v.split(',').filter(Boolean);
    }
    return f;
  }, [params]);

  const [text, setText] = useState(q);
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [data, setData] = useState<SearchResult | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const suggestTimer = useRef<number | null>(null);
  const [bulk, setBulk] = useState(false);
  const [reloads, setReloads] = useState(0);

  useEffect(() => setText(q), [q]);

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    setError(null);
    const query: Record<string, string | number> = { sort, page, pageSize: PAGE_SIZE };
    if (q) query.q = q;
    for (const [k, v] of Object.entries(filters)) if (v?.length) query[k] = v.join(',');
    get<SearchResult>('/api/search/resources', query, ctrl.signal)
      .then((r) => {
        setData(r);
        setLoading(false);
      })
      .catch((e) => {
        if ((e as Error).name === 'AbortError') return;
        setError(errorMessage(e));
        setLoading(false);
      });
    return () => ctrl.abort();
    // The facet labels come in the UI language: search again when it changes.
  }, [q, sort, page, filters, i18n.language, reloads]);

  const update = (changes: Record<string, string | null>, resetPage = true) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    if (resetPage) next.delete('page');
    setParams(next);
  };

  const onType = (v: string) => {
    setText(v);
    if (suggestTimer.current) window.clearTimeout(suggestTimer.current);
    if (!v.trim()) {
      setSuggestions([]);
      return;
    }
    suggestTimer.current = window.setTimeout(() => {
      get<{ items: Suggestion[] }>('/api/search/suggest', { q: v, limit: 8 })
        .then((r) => setSuggestions(r.items))
        .catch(() => setSuggestions([]));
    }, 200);
  };

  const toggle = (facet: FacetKey, value: string, on: boolean) => {
    const cur = filters[facet] ?? [];
    const next = on ? [...new Set([...cur, value])] : cur.filter((x) => x !== value);
    update({ [facet]: next.join(',') || null });
  };

  const activeFilters = Object.entries(filters).flatMap(([k, vs]) => (vs ?? []).map((v) => ({ facet: k as FacetKey, value: v })));
  const facetLabel = (facet: FacetKey, value: string) => data?.facets[facet].find((x) => x.value === value)?.label ?? value;
  const facets = data?.facets ?? EMPTY_FACETS;
  const editable = !!me && canEdit('catalog', me.roles);

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('catalog.search.title')}</h1>}
        extra={
          editable && (
            <Space wrap>
              <Button icon={<SwapOutlined />} onClick={() => setBulk(true)} data-testid="catalog-bulk">
                {t('catalog.bulk.title')}
              </Button>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/catalog/new')} data-testid="resource-create">
                {t('catalog.editor.createTitle')}
              </Button>
            </Space>
          )
        }
      >
        <form
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            update({ q: text.trim() || null });
          }}
        >
          <AutoComplete
            value={text}
            options={suggestions.map((s) => ({
              value: `resource:${s.id}`,
              label: (
                <Space>
                  <span>{name(s)}</span>
                  <Typography.Text type="secondary" className="mono">
                    {s.code}
                  </Typography.Text>
                </Space>
              ),
            }))}
            onSearch={onType}
            onChange={(v: string) => {
              if (!v.startsWith('resource:')) setText(v);
            }}
            onSelect={(v: string) => {
              if (v.startsWith('resource:')) navigate(`/catalog/resources/${v.slice(9)}`);
            }}
            style={{ width: '100%' }}
          >
            <Input.Search
              size="large"
              allowClear
              enterButton={t('common.search')}
              placeholder={t('catalog.search.placeholder')}
              aria-label={t('catalog.search.label')}
              data-testid="catalog-search-input"
              onSearch={(v, e) => {
                // Enter on a highlighted suggestion opens it (onSelect); otherwise search the text.
                if (e && 'key' in e && document.querySelector('.ant-select-item-option-active')) return;
                update({ q: v.trim() || null });
              }}
            />
          </AutoComplete>
        </form>
        {activeFilters.length > 0 && (
          <Space wrap style={{ marginTop: 12 }} data-testid="active-filters">
            <Typography.Text type="secondary">{t('catalog.search.activeFilters')}</Typography.Text>
            {activeFilters.map((f) => (
              <Tag
                key={`${f.facet}:${f.value}`}
                closable
                onClose={() => toggle(f.facet, f.value, false)}
                closeIcon={<span aria-label={t('catalog.search.removeFilter', { value: facetLabel(f.facet, f.value) })}>×</span>}
              >
                {t(`catalog.facets.${f.facet}`)}: {facetLabel(f.facet, f.value)}
              </Tag>
            ))}
            <Button size="small" type="link" onClick={() => update(Object.fromEntries(FACETS.map((k) => [k, null])))}>
              {t('catalog.search.clearFilters')}
            </Button>
          </Space>
        )}
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={7} xl={6}>
          <nav aria-label={t('catalog.search.facets')} data-testid="facets">
            <Space orientation="vertical" style={{ width: '100%' }}>
              {FACETS.map((f) => {
                const values = [...facets[f]];
                for (const v of filters[f] ?? []) if (!values.some((x) => x.value === v)) values.push({ value: v, label: v, count: 0 });
                if (!values.length) return null;
                const shown = f === 'keyword' || f === 'org' ? values.slice(0, 12) : values;
                return (
                  <Card key={f} size="small" title={t(`catalog.facets.${f}`)} data-testid={`facet-${f}`}>
                    <div role="group" aria-label={t(`catalog.facets.${f}`)}>
                      <Space orientation="vertical" size={2} style={{ width: '100%' }}>
                        {shown.map((v) => (
                          <Checkbox
                            key={v.value}
                            checked={(filters[f] ?? []).includes(v.value)}
                            onChange={(e) => toggle(f, v.value, e.target.checked)}
                            data-testid={`facet-${f}-${v.value}`}
                          >
                            {v.label} <Typography.Text type="secondary">({formatNumber(v.count)})</Typography.Text>
                          </Checkbox>
                        ))}
                      </Space>
                    </div>
                  </Card>
                );
              })}
            </Space>
          </nav>
        </Col>
        <Col xs={24} lg={17} xl={18}>
          <Card
            size="small"
            title={
              <span aria-live="polite" data-testid="search-total">
                {data ? t('catalog.search.total', { total: formatNumber(data.total) }) : t('app.loading')}
              </span>
            }
            extra={
              <Space>
                <label htmlFor="catalog-sort">{t('catalog.search.sort')}</label>
                <Select
                  id="catalog-sort"
                  value={sort}
                  style={{ width: 140 }}
                  onChange={(v) => update({ sort: v === 'relevance' ? null : v })}
                  options={SORTS.map((s) => ({ value: s, label: t(`catalog.search.sorts.${s}`) }))}
                />
              </Space>
            }
          >
            {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
            <List
              loading={loading}
              dataSource={data?.items ?? []}
              data-testid="search-results"
              locale={{ emptyText: <Empty description={t('catalog.search.empty')} /> }}
              renderItem={(r) => (
                <List.Item key={r.id} data-testid="search-result">
                  <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                    <Space wrap size={8}>
                      <Link to={`/catalog/resources/${r.id}`} style={{ fontSize: 16, fontWeight: 500 }} data-testid="result-name">
                        <Marked html={r.highlight.name} />
                      </Link>
                      <Typography.Text type="secondary" className="mono">
                        {r.code}
                      </Typography.Text>
                    </Space>
                    <Typography.Paragraph style={{ margin: 0 }} data-testid="result-snippet">
                      <Marked html={r.highlight.abstract} />
                    </Typography.Paragraph>
                    <Space wrap size={[4, 4]}>
                      <Typography.Text type="secondary">{name(r.org)}</Typography.Text>
                      <GradeTag grade={r.grade} level={r.gradeLevel} />
                      <ModeTag kind="share" mode={r.shareMode} />
                      <ModeTag kind="open" mode={r.openMode} />
                      {r.status !== 'published' && <StatusTag status={r.status} />}
                      {r.releaseDate && (
                        <Typography.Text type="secondary">
                          {t('catalog.search.released', { date: formatDate(r.releaseDate) })}
                        </Typography.Text>
                      )}
                      <Typography.Text type="secondary">{t('catalog.search.views', { count: r.popularity })}</Typography.Text>
                    </Space>
                  </Space>
                </List.Item>
              )}
            />
            {data && data.total > PAGE_SIZE && (
              <Pagination
                style={{ marginTop: 16, textAlign: 'end' }}
                current={page}
                pageSize={PAGE_SIZE}
                total={Math.min(data.total, 1000 * PAGE_SIZE)}
                showSizeChanger={false}
                onChange={(p) => update({ page: p === 1 ? null : String(p) }, false)}
              />
            )}
          </Card>
        </Col>
      </Row>
      {bulk && <BulkModal onClose={() => setBulk(false)} onImported={() => setReloads((n) => n + 1)} />}
    </Space>
  );
}
