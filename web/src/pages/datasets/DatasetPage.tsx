// 数据 of a catalog resource (issue 5 §8): the dataset's overview, and for the provider's clerks the ingest of
// files with live progress, the schema review of a new file, the version history with diff and rollback, the
// quality dashboard and the data preview with its masking. One page per resource: /catalog/resources/:id/data.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { Alert, App as AntApp, Badge, Button, Card, Descriptions, Empty, Space, Table, Tabs, Tag, Typography } from 'antd';
import { ArrowLeftOutlined, DatabaseOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage, get, post } from '../../api.ts';
import { hasRole, useAuth } from '../../auth.tsx';
import { formatDateTime, formatNumber } from '../../format.ts';
import { NotFound } from '../../components/Result.tsx';
import Loading from '../../components/Loading.tsx';
import { useName } from '../catalog/common.tsx';
import type { Resource } from '../catalog/types.ts';
import { formatBytes, isPii, PiiTag, QualityScore } from './common.tsx';
import IngestTab from './IngestTab.tsx';
import SchemaReview from './SchemaReview.tsx';
import VersionsTab from './VersionsTab.tsx';
import QualityTab from './QualityTab.tsx';
import PreviewTab from './PreviewTab.tsx';
import { ACTIVE_STATUSES, type Dataset, type Ingest } from './types.ts';

const POLL_MS = 1000;
const TABS = ['overview', 'ingest', 'schema', 'versions', 'quality', 'preview'] as const;
type TabKey = (typeof TABS)[number];

export default function DatasetPage() {
  const { id } = useParams();
  return <DatasetView key={id} resourceId={id ?? ''} />;
}

/**
 * The dataset's ingests, polled every second while one of them is being worked on. Calls onPublished when an
 * ingest it saw running has published a version, and onAwaiting when one stops for its schema review.
 */
function useIngests(datasetId: string | null, enabled: boolean, on: { published(): void; awaiting(i: Ingest): void }) {
  const [items, setItems] = useState<Ingest[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const seen = useRef(new Map<string, Ingest['status']>());
  const busy = useRef(false);
  const handlers = useRef(on);
  handlers.current = on;

  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    if (!datasetId || !enabled) return;
    let live = true;
    let timer: number | undefined;
    const ctrl = new AbortController();
    const load = async () => {
      try {
        const r = await get<{ items: Ingest[] }>(`/api/datasets/${datasetId}/ingests`, undefined, ctrl.signal);
        if (!live) return;
        setError(null);
        setItems(r.items);
        let published = false;
        for (const i of r.items) {
          const before = seen.current.get(i.id);
          if (before && before !== i.status) {
            if (i.status === 'published') published = true;
            if (i.status === 'awaiting_schema') handlers.current.awaiting(i);
          }
          seen.current.set(i.id, i.status);
        }
        if (published) handlers.current.published();
        busy.current = r.items.some((i) => ACTIVE_STATUSES.includes(i.status));
        if (busy.current) timer = window.setTimeout(() => void load(), POLL_MS);
      } catch (e) {
        if (!live || (e as Error).name === 'AbortError') return;
        setError(errorMessage(e));
        // Keep trying while work was under way (a network blip must not freeze the live view).
        if (busy.current) timer = window.setTimeout(() => void load(), POLL_MS * 3);
      }
    };
    void load();
    return () => {
      live = false;
      ctrl.abort();
      window.clearTimeout(timer);
    };
  }, [datasetId, enabled, tick]);

  /** Records a just-started ingest so its later transitions are noticed, and polls again. */
  const track = useCallback(
    (i: Ingest) => {
      seen.current.set(i.id, i.status);
      setItems((xs) => [i, ...(xs ?? []).filter((x) => x.id !== i.id)]);
      reload();
    },
    [reload],
  );

  return { items, error, reload, track };
}

function DatasetView({ resourceId }: { resourceId: string }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const name = useName();
  const [params, setParams] = useSearchParams();
  const [resource, setResource] = useState<Resource | null>(null);
  const [dataset, setDataset] = useState<Dataset | null>(null);
  const [noDataset, setNoDataset] = useState(false);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  /** Bumped when a version is published or rolled back: the tabs reading versions load again. */
  const [revision, setRevision] = useState(0);

  const tabParam = params.get('tab') as TabKey | null;
  const tabAllowed = (k: TabKey) => (k !== 'ingest' && k !== 'schema' ? true : !!dataset?.canManage);
  const tab: TabKey = tabParam && TABS.includes(tabParam) && tabAllowed(tabParam) ? tabParam : 'overview';
  const setTab = useCallback(
    (k: string) =>
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          if (k === 'overview') next.delete('tab');
          else next.set('tab', k);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const loadDataset = useCallback(async () => {
    try {
      setDataset(await get<Dataset>(`/api/datasets/by-resource/${resourceId}`));
      setNoDataset(false);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && e.code === 'DATASET_NOT_FOUND') setNoDataset(true);
      else if (e instanceof ApiError && (e.status === 404 || e.status === 400)) setMissing(true);
      else setError(errorMessage(e));
    }
  }, [resourceId]);

  useEffect(() => {
    get<Resource>(`/api/catalog/resources/${resourceId}`)
      .then(setResource)
      .catch((e: unknown) => {
        if (e instanceof ApiError && (e.status === 404 || e.status === 400)) setMissing(true);
        else setError(errorMessage(e));
      });
    void loadDataset();
  }, [resourceId, loadDataset]);

  const manage = !!dataset?.canManage;
  const ingests = useIngests(dataset?.id ?? null, manage, {
    published: () => {
      message.success(t('datasets.ingest.publishedNotice'));
      void loadDataset();
      setRevision((n) => n + 1);
    },
    awaiting: () => {
      message.info(t('datasets.ingest.awaitingNotice'));
    },
  });
  const awaiting = ingests.items?.find((i) => i.status === 'awaiting_schema') ?? null;

  const create = async () => {
    setCreating(true);
    setError(null);
    try {
      setDataset(await post<Dataset>('/api/datasets', { resourceId }));
      setNoDataset(false);
      message.success(t('datasets.enabled'));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setCreating(false);
    }
  };

  const afterRollback = () => {
    void loadDataset();
    setRevision((n) => n + 1);
  };

  if (missing) return <NotFound />;
  if (!resource || (!dataset && !noDataset)) return error ? <Alert type="error" showIcon title={error} /> : <Loading />;

  const mayCreate = hasRole(me, 'provider_clerk', 'authority_admin');

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card>
        <Space orientation="vertical" size={8} style={{ width: '100%' }}>
          <Typography.Text type="secondary">
            <Link to="/catalog">{t('catalog.search.title')}</Link> /{' '}
            <Link to={`/catalog/resources/${resourceId}`} className="mono">
              {resource.code}
            </Link>{' '}
            / {t('datasets.title')}
          </Typography.Text>
          <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }} data-testid="dataset-title">
            {name(resource)} · {t('datasets.title')}
          </Typography.Title>
          <Space wrap size={[4, 4]}>
            {dataset?.currentVersion ? (
              <Tag color="blue" data-testid="dataset-version-tag">
                {t('datasets.versionTag', { version: dataset.currentVersion })}
              </Tag>
            ) : (
              <Tag>{t('datasets.noVersionTag')}</Tag>
            )}
            {dataset && !manage && <Tag>{t('common.readOnly')}</Tag>}
            <Link to={`/catalog/resources/${resourceId}`}>
              <Button size="small" icon={<ArrowLeftOutlined />}>
                {t('datasets.backToResource')}
              </Button>
            </Link>
          </Space>
          {error && <Alert type="error" showIcon title={error} />}
        </Space>
      </Card>

      {noDataset ? (
        <Card>
          <Empty image={<DatabaseOutlined style={{ fontSize: 48, color: '#bfbfbf' }} />} description={t('datasets.none')}>
            {mayCreate && (
              <Button type="primary" loading={creating} onClick={() => void create()} data-testid="dataset-enable">
                {t('datasets.enable')}
              </Button>
            )}
          </Empty>
        </Card>
      ) : (
        dataset && (
          <Card>
            <Tabs
              activeKey={tab}
              onChange={setTab}
              items={[
                {
                  key: 'overview',
                  label: t('datasets.tabs.overview'),
                  children: <Overview d={dataset} onIngest={() => setTab('ingest')} />,
                },
                ...(manage
                  ? [
                      {
                        key: 'ingest',
                        label: t('datasets.tabs.ingest'),
                        children: (
                          <IngestTab
                            dataset={dataset}
                            items={ingests.items}
                            error={ingests.error}
                            onStarted={ingests.track}
                            onChanged={ingests.reload}
                            onReview={() => setTab('schema')}
                          />
                        ),
                      },
                      {
                        key: 'schema',
                        label: (
                          <Badge dot={!!awaiting} offset={[6, 0]}>
                            {t('datasets.tabs.schema')}
                          </Badge>
                        ),
                        children: awaiting ? (
                          <SchemaReview
                            key={awaiting.id}
                            ingest={awaiting}
                            resource={resource}
                            confirmed={dataset.schema}
                            onDone={() => {
                              ingests.reload();
                              setTab('ingest');
                            }}
                          />
                        ) : (
                          <Empty description={t('datasets.schema.nothing')} />
                        ),
                      },
                    ]
                  : []),
                {
                  key: 'versions',
                  label: t('datasets.tabs.versions'),
                  children: <VersionsTab d={dataset} revision={revision} onRolledBack={afterRollback} />,
                },
                { key: 'quality', label: t('datasets.tabs.quality'), children: <QualityTab d={dataset} revision={revision} /> },
                { key: 'preview', label: t('datasets.tabs.preview'), children: <PreviewTab d={dataset} revision={revision} /> },
              ]}
            />
          </Card>
        )
      )}
    </Space>
  );
}

function Overview({ d, onIngest }: { d: Dataset; onIngest(): void }) {
  const { t } = useTranslation();
  const v = d.current;
  if (!v) {
    return (
      <Empty description={t('datasets.overview.noVersion')}>
        {d.canManage && (
          <Button type="primary" onClick={onIngest}>
            {t('datasets.overview.goIngest')}
          </Button>
        )}
      </Empty>
    );
  }
  const fields = v.schema?.fields ?? [];
  const pk = v.schema?.primaryKey === undefined ? [] : Array.isArray(v.schema.primaryKey) ? v.schema.primaryKey : [v.schema.primaryKey];
  const piiFields = fields.filter((f) => isPii(f['x-shuyuan']?.piiKind));
  const src = v.source;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="dataset-overview">
      <Space size={48} wrap align="start">
        <div>
          <Typography.Text type="secondary">{t('datasets.overview.quality')}</Typography.Text>
          <div>
            <QualityScore score={v.qualityScore} grade={v.quality?.grade ?? null} />
          </div>
        </div>
        <Stat label={t('datasets.overview.version')} value={`v${v.version}`} testId="overview-version" />
        <Stat label={t('datasets.overview.rows')} value={formatNumber(v.rows)} testId="overview-rows" />
        <Stat label={t('datasets.overview.size')} value={formatBytes(v.bytes)} />
        <Stat label={t('datasets.overview.columns')} value={formatNumber(fields.length)} />
      </Space>
      <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered styles={{ label: { width: 140, whiteSpace: 'nowrap' } }}>
        <Descriptions.Item label={t('datasets.overview.publishedAt')}>{formatDateTime(v.createdAt)}</Descriptions.Item>
        <Descriptions.Item label={t('datasets.overview.publishedBy')}>{v.createdBy ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('datasets.overview.source')}>
          {src?.kind === 'rollback'
            ? t('datasets.versions.rollbackSource', { version: src.toVersion ?? '?' })
            : src?.fileName
              ? `${src.fileName}${src.format ? ` (${src.format}${src.encoding ? `, ${src.encoding}` : ''})` : ''}`
              : (src?.kind ?? '—')}
        </Descriptions.Item>
        <Descriptions.Item label={t('datasets.overview.primaryKey')}>
          {pk.length ? <span className="mono">{pk.join(', ')}</span> : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('datasets.overview.piiColumns')} span={2}>
          {piiFields.length ? (
            <Space wrap size={[4, 4]} data-testid="overview-pii">
              {piiFields.map((f) => (
                <span key={f.name}>
                  <span className="mono">{f.name}</span> <PiiTag kind={f['x-shuyuan']!.piiKind!} />
                </span>
              ))}
            </Space>
          ) : (
            t('datasets.overview.noPii')
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('datasets.overview.sha256')} span={2}>
          <Typography.Text className="mono" copyable style={{ fontSize: 12 }}>
            {v.sha256}
          </Typography.Text>
        </Descriptions.Item>
      </Descriptions>
      <Table
        rowKey="name"
        size="small"
        pagination={false}
        dataSource={fields}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: '#', key: 'pos', width: 48, render: (_v, _f, i) => i + 1 },
          { title: t('datasets.schema.name'), dataIndex: 'name', key: 'name', render: (x: string) => <span className="mono">{x}</span> },
          {
            title: t('datasets.schema.type'),
            dataIndex: 'type',
            key: 'type',
            render: (x: string) => t(`datasets.type.${x}`, { defaultValue: x }),
          },
          {
            title: t('datasets.schema.required'),
            key: 'req',
            render: (_v, f) => (f.constraints?.required ? t('common.yes') : ''),
          },
          {
            title: t('datasets.schema.pii'),
            key: 'pii',
            render: (_v, f) => (isPii(f['x-shuyuan']?.piiKind) ? <PiiTag kind={f['x-shuyuan']!.piiKind!} /> : '—'),
          },
          {
            title: t('datasets.schema.catalogField'),
            key: 'code',
            render: (_v, f) => (f['x-shuyuan']?.fieldCode ? <span className="mono">{f['x-shuyuan'].fieldCode}</span> : '—'),
          },
        ]}
      />
    </Space>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <Typography.Text type="secondary">{label}</Typography.Text>
      <div style={{ fontSize: 28, fontWeight: 600, lineHeight: 1.2 }} data-testid={testId}>
        {value}
      </div>
    </div>
  );
}
