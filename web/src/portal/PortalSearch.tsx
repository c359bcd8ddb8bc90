// 数据目录 search: the catalog's search (jieba tokens, highlight, visibility for the public) with facets topic,
// department, format, open attribute, update frequency and tags, sort, pages and type-ahead. The whole query is in
// the URL (/data/search?q=…&category=…&org=…), so results can be linked and bookmarked.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { Alert, AutoComplete, Button, Card, Checkbox, Col, Input, Row, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, get } from '../api.ts';
import { useName } from '../pages/catalog/common.tsx';
import DatasetList from './DatasetList.tsx';
import type { FacetValue, SearchResult } from './types.ts';

const FACETS = ['category', 'org', 'format', 'open', 'frequency', 'keyword', 'license'] as const;
type FacetKey = (typeof FACETS)[number];
const SORTS = ['relevance', 'release', 'updated', 'popularity'] as const;

export default function PortalSearch() {
  const { t } = useTranslation();
  const name = useName();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const [suggestions, setSuggestions] = useState<{ value: string; label: string }[]>([]);
  const typed = useRef(0);
  const [result, setResult] = useState<SearchResult | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const query = useMemo(() => Object.fromEntries(params), [params]);

  useEffect(() => setText(q), [q]);

  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    get<SearchResult>('/api/search/resources', { ...query, pageSize: 10 }, ctl.signal)
      .then((r) => {
        setResult(r);
        setError(null);
      })
      .catch((e) => {
        if ((e as Error).name !== 'AbortError') setError(errorMessage(e));
      })
      .finally(() => setLoading(false));
    return () => ctl.abort();
  }, [query]);

  const set = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!('page' in patch)) next.delete('page');
    setParams(next);
  };

  const selected = (f: FacetKey) => (params.get(f) ?? '').split(',').filter(Boolean);
  const facetLabel = (f: FacetKey, v: FacetValue) => {
    if (f === 'open') return t(`catalog.open.${v.value}`, { defaultValue: v.label });
    if (f === 'frequency') return t(`catalog.frequency.${v.value}`, { defaultValue: v.label });
    return v.label || v.value;
  };

  const suggest = async (v: string) => {
    setText(v);
    if (!v.trim()) return setSuggestions([]);
    // Debounced: one type-ahead call when typing pauses (anonymous calls count against the rate limit).
    const mine = ++typed.current;
    await new Promise((r) => setTimeout(r, 200));
    if (mine !== typed.current) return;
    try {
      const r = await get<{ items: { id: string; code: string; nameZh: string; nameEn: string }[] }>('/api/search/suggest', {
        q: v,
        limit: 8,
      });
      setSuggestions(r.items.map((it) => ({ value: it.code, label: name(it) })));
    } catch {
      setSuggestions([]);
    }
  };

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('portalweb.search.title')}
      </Typography.Title>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q: text.trim() || null });
        }}
        style={{ marginBottom: 16 }}
      >
        <label htmlFor="portal-search-q" className="visually-hidden">
          {t('portalweb.search.label')}
        </label>
        <Space.Compact style={{ width: '100%', maxWidth: 720 }}>
          <AutoComplete
            style={{ flex: 1 }}
            value={text}
            options={suggestions}
            onSearch={(v) => void suggest(v)}
            onChange={(v) => setText(v)}
            onSelect={(code: string) => navigate(`/data/datasets/${encodeURIComponent(code)}`)}
          >
            <Input id="portal-search-q" placeholder={t('portalweb.search.placeholder')} data-testid="portal-search-q" allowClear />
          </AutoComplete>
          <Button type="primary" htmlType="submit" data-testid="portal-search-submit">
            {t('portalweb.search.button')}
          </Button>
        </Space.Compact>
      </form>
      {error && <Alert type="error" title={error} style={{ marginBottom: 16 }} />}
      <Row gutter={24}>
        <Col xs={24} md={7}>
          <aside aria-label={t('portalweb.search.filters')}>
            {FACETS.map((f) => {
              const values = result?.facets[f] ?? [];
              if (!values.length && !selected(f).length) return null;
              return (
                <Card key={f} size="small" style={{ marginBottom: 12 }}>
                  <fieldset style={{ border: 0, margin: 0, padding: 0 }} data-testid={`portal-facet-${f}`}>
                    <legend style={{ fontWeight: 600, fontSize: 14, marginBottom: 6 }}>{t(`portalweb.facet.${f}`)}</legend>
                    <Checkbox.Group
                      value={selected(f)}
                      onChange={(v) => set({ [f]: (v as string[]).join(',') || null })}
                      style={{ display: 'flex', flexDirection: 'column', gap: 4 }}
                      options={values.slice(0, 12).map((v) => ({ value: v.value, label: `${facetLabel(f, v)} (${v.count})` }))}
                    />
                  </fieldset>
                </Card>
              );
            })}
          </aside>
        </Col>
        <Col xs={24} md={17}>
          <Space style={{ marginBottom: 8, justifyContent: 'space-between', width: '100%' }} wrap>
            <span role="status" data-testid="portal-search-total">
              {result ? t('portalweb.search.total', { n: result.total }) : ''}
            </span>
            <label>
              {t('portalweb.search.sort')}{' '}
              <Select
                aria-label={t('portalweb.search.sort')}
                value={params.get('sort') ?? 'relevance'}
                onChange={(v) => set({ sort: v === 'relevance' ? null : v })}
                style={{ width: 140 }}
                options={SORTS.map((s) => ({ value: s, label: t(`portalweb.sort.${s}`) }))}
              />
            </label>
          </Space>
          <DatasetList result={result} loading={loading} onPage={(page) => set({ page: String(page) })} />
        </Col>
      </Row>
    </>
  );
}
