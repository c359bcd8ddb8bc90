// 预览: the first rows of a version as the reader may see them: each column with its type and how it is shown
// (clear, masked, tokenized), and on what basis (the provider sees clear values; others see personal data
// masked). A filter builder (column, operator, value; all conditions must hold) queries the version page by
// page, and the version downloads in six formats.
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Empty, Input, Select, Space, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { DeleteOutlined, DownloadOutlined, PlusOutlined, SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, post, withQuery } from '../../api.ts';
import { formatNumber } from '../../format.ts';
import { isPii, piiLabel } from './common.tsx';
import {
  EXPORT_FORMATS,
  FILTER_OPS,
  type ColumnPolicy,
  type Dataset,
  type FilterCondition,
  type FilterOp,
  type ReadColumnOut,
  type ReadResult,
  type Version,
} from './types.ts';

const PAGE_SIZE = 20;
const POLICY_COLORS: Record<ColumnPolicy, string> = { clear: 'green', mask: 'purple', token: 'blue', hide: 'default' };
const NO_VALUE: FilterOp[] = ['is_null', 'not_null'];
const TEXT_ONLY: FilterOp[] = ['contains', 'starts_with'];

interface Condition {
  id: number;
  column?: string;
  op: FilterOp;
  value: string;
  high: string;
}

/** The condition as the API takes it: 'in' splits on commas, 'between' takes both bounds. */
function toFilter(c: Condition): FilterCondition | null {
  if (!c.column) return null;
  if (NO_VALUE.includes(c.op)) return { column: c.column, op: c.op };
  if (c.op === 'in')
    return {
      column: c.column,
      op: 'in',
      value: c.value
        .split(/[,，]/)
        .map((s) => s.trim())
        .filter(Boolean),
    };
  if (c.op === 'between') return { column: c.column, op: 'between', value: [c.value.trim(), c.high.trim()] };
  return { column: c.column, op: c.op, value: c.value.trim() };
}

function cell(v: unknown, t: (k: string) => string) {
  if (v === null || v === undefined) return <Typography.Text type="secondary">—</Typography.Text>;
  if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'object') return <span className="mono">{JSON.stringify(v)}</span>;
  return String(v);
}

export default function PreviewTab({ d, revision }: { d: Dataset; revision: number }) {
  const { t } = useTranslation();
  const [versions, setVersions] = useState<Version[]>([]);
  const [version, setVersion] = useState<number | null>(d.currentVersion);
  const [result, setResult] = useState<ReadResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [conditions, setConditions] = useState<Condition[]>([]);
  /** The filter of the shown query (null: the preview). */
  const [applied, setApplied] = useState<FilterCondition[] | null>(null);
  const [page, setPage] = useState(1);

  useEffect(() => setVersion(d.currentVersion), [d.currentVersion]);

  useEffect(() => {
    get<{ items: Version[] }>(`/api/datasets/${d.id}/versions`)
      .then((r) => setVersions(r.items.filter((v) => v.state !== 'expired')))
      .catch(() => setVersions([]));
  }, [d.id, revision]);

  // The preview of the chosen version.
  useEffect(() => {
    if (!version) return;
    let live = true;
    setLoading(true);
    setError(null);
    setApplied(null);
    setPage(1);
    get<ReadResult>(`/api/datasets/${d.id}/preview`, { version, limit: PAGE_SIZE })
      .then((r) => live && setResult(r))
      .catch((e: unknown) => {
        if (!live) return;
        setResult(null);
        setError(errorMessage(e));
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [d.id, version, revision]);

  const runQuery = async (filter: FilterCondition[], p: number) => {
    setLoading(true);
    setError(null);
    try {
      const r = await post<ReadResult>(`/api/datasets/${d.id}/query`, {
        version: version ?? undefined,
        filter,
        limit: PAGE_SIZE,
        offset: (p - 1) * PAGE_SIZE,
        total: true,
      });
      setResult(r);
      setApplied(filter);
      setPage(p);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  };

  const search = () =>
    void runQuery(
      conditions.map(toFilter).filter((c): c is FilterCondition => c !== null),
      1,
    );

  if (!d.currentVersion) return <Empty description={t('datasets.overview.noVersion')} />;

  const cols = result?.columns ?? [];
  // Only columns shown in clear can be filtered (the server refuses the others: filtering would reveal them).
  const filterable = cols.filter((c) => c.policy === 'clear');
  const columns: TableColumnsType<Record<string, unknown>> = cols.map((c) => ({
    key: c.name,
    dataIndex: c.name,
    title: <ColumnHeader c={c} />,
    render: (v: unknown) => cell(v, t),
    ellipsis: { showTitle: true },
  }));

  const add = () =>
    setConditions((cs) => [...cs, { id: Date.now() + cs.length, column: filterable[0]?.name, op: 'eq', value: '', high: '' }]);
  const set = (id: number, patch: Partial<Condition>) => setConditions((cs) => cs.map((c) => (c.id === id ? { ...c, ...patch } : c)));
  const typeOf = (name?: string) => cols.find((c) => c.name === name)?.type ?? 'string';

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="preview-tab">
      <Space wrap>
        <Select
          aria-label={t('datasets.preview.version')}
          value={version}
          onChange={setVersion}
          style={{ width: 140 }}
          options={(versions.length ? versions.map((v) => v.version) : [d.currentVersion]).map((n) => ({
            value: n,
            label: `${t('datasets.versionTag', { version: n })}${n === d.currentVersion ? ` (${t('datasets.versions.current')})` : ''}`,
          }))}
        />
        {result && (
          <Tooltip title={t(`datasets.preview.basisHint.${result.basis}`)}>
            <Tag color={result.basis === 'owner' ? 'green' : 'purple'} data-testid="read-basis">
              {t(`datasets.preview.basis.${result.basis}`)}
            </Tag>
          </Tooltip>
        )}
      </Space>

      <Card size="small" title={t('datasets.preview.filterTitle')}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          {conditions.map((c, i) => (
            <Space key={c.id} wrap data-testid="filter-row">
              <Select
                aria-label={t('datasets.preview.columnOf', { n: i + 1 })}
                value={c.column}
                onChange={(v: string) => set(c.id, { column: v })}
                style={{ width: 180 }}
                options={filterable.map((x) => ({ value: x.name, label: x.name }))}
              />
              <Select
                aria-label={t('datasets.preview.opOf', { n: i + 1 })}
                value={c.op}
                onChange={(v: FilterOp) => set(c.id, { op: v })}
                style={{ width: 140 }}
                options={FILTER_OPS.filter((op) => typeOf(c.column) === 'string' || !TEXT_ONLY.includes(op)).map((op) => ({
                  value: op,
                  label: t(`datasets.op.${op}`),
                }))}
              />
              {!NO_VALUE.includes(c.op) && (
                <Input
                  aria-label={t('datasets.preview.valueOf', { n: i + 1 })}
                  value={c.value}
                  onChange={(e) => set(c.id, { value: e.target.value })}
                  onPressEnter={search}
                  placeholder={c.op === 'in' ? t('datasets.preview.listHint') : c.op === 'between' ? t('datasets.preview.low') : ''}
                  style={{ width: 200 }}
                  maxLength={1000}
                />
              )}
              {c.op === 'between' && (
                <Input
                  aria-label={t('datasets.preview.highOf', { n: i + 1 })}
                  value={c.high}
                  onChange={(e) => set(c.id, { high: e.target.value })}
                  onPressEnter={search}
                  placeholder={t('datasets.preview.high')}
                  style={{ width: 200 }}
                  maxLength={1000}
                />
              )}
              <Button
                icon={<DeleteOutlined />}
                aria-label={t('datasets.preview.removeCondition', { n: i + 1 })}
                onClick={() => setConditions((cs) => cs.filter((x) => x.id !== c.id))}
              />
            </Space>
          ))}
          <Space wrap>
            <Button icon={<PlusOutlined />} onClick={add} disabled={!filterable.length} data-testid="filter-add">
              {t('datasets.preview.addCondition')}
            </Button>
            <Button type="primary" icon={<SearchOutlined />} onClick={search} loading={loading} data-testid="filter-run">
              {t('common.search')}
            </Button>
            {applied && (
              <Typography.Text type="secondary" data-testid="query-total">
                {t('datasets.preview.matched', { total: formatNumber(result?.total ?? 0) })}
              </Typography.Text>
            )}
          </Space>
        </Space>
      </Card>

      {error && <Alert type="error" showIcon title={error} />}
      <Table
        rowKey={(_r, i) => String(i)}
        size="small"
        loading={loading}
        dataSource={result?.rows ?? []}
        columns={columns}
        scroll={{ x: 'max-content' }}
        data-testid="preview-table"
        pagination={
          applied
            ? {
                current: page,
                pageSize: PAGE_SIZE,
                total: result?.total ?? 0,
                showSizeChanger: false,
                showTotal: (total) => t('common.total', { total: formatNumber(total) }),
                onChange: (p) => void runQuery(applied, p),
              }
            : false
        }
      />
      {!applied && result && (
        <Typography.Text type="secondary">{t('datasets.preview.firstRows', { count: result.rows.length })}</Typography.Text>
      )}

      <Card size="small" title={t('datasets.preview.downloadTitle')}>
        <Space wrap data-testid="downloads">
          {EXPORT_FORMATS.map((f) => (
            <Button
              key={f}
              icon={<DownloadOutlined />}
              href={withQuery(`/api/datasets/${d.id}/download`, { format: f, version: version ?? undefined })}
              download
            >
              {t(`datasets.format.${f}`)}
            </Button>
          ))}
        </Space>
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {t('datasets.preview.downloadHint')}
        </Typography.Paragraph>
      </Card>
    </Space>
  );
}

/** A column's name, its type and how its values are shown (clear, masked, tokenized), with its PII kind. */
function ColumnHeader({ c }: { c: ReadColumnOut }) {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" size={2} data-testid={`col-${c.name}`}>
      <span className="mono">{c.name}</span>
      <Space size={2} wrap>
        <Tag style={{ marginInlineEnd: 0 }}>{t(`datasets.type.${c.type}`, { defaultValue: c.type })}</Tag>
        <Tooltip title={isPii(c.piiKind) ? piiLabel(t, c.piiKind) : undefined}>
          <Tag color={POLICY_COLORS[c.policy]} style={{ marginInlineEnd: 0 }} data-testid="col-policy">
            {t(`datasets.policy.${c.policy}`)}
          </Tag>
        </Tooltip>
      </Space>
    </Space>
  );
}
