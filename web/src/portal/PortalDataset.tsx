// 数据集页: description, fields and types, a preview table (masked for the public), quality score, versions,
// downloads in CSV/JSON/XLSX/Parquet, API examples (curl and JavaScript fetch) for the SODA endpoint and the
// download, license, related datasets, and the slots for reuses and feedback. Conditionally open datasets show
// their metadata and an 申请使用 button instead of data.
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { Alert, Button, Card, Col, Descriptions, Progress, Row, Space, Table, Tabs, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage, get } from '../api.ts';
import { formatDate, formatDateTime, formatNumber } from '../format.ts';
import { useCategoryName, useEn, useName } from '../pages/catalog/common.tsx';
import type { Resource } from '../pages/catalog/types.ts';
import { NotFound } from '../components/Result.tsx';
import Loading from '../components/Loading.tsx';
import DatasetList, { OpenTag } from './DatasetList.tsx';
import { ApplyButton } from './apply/ApplyButton.tsx';
import { DatasetFeedback, DatasetReuses } from './feedback/index.ts';
import OpennessScore from './openness/OpennessScore.tsx';
import { HarvestOrigin } from '../pages/harvest/HarvestPage.tsx';
import type { ByCode, SearchResult } from './types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FORMATS = [
  { format: 'csv', label: 'CSV' },
  { format: 'json', label: 'JSON' },
  { format: 'xlsx', label: 'XLSX' },
  { format: 'parquet', label: 'Parquet' },
] as const;

interface Preview {
  version: number;
  columns: { name: string; type: string; policy: 'clear' | 'mask' | 'token' }[];
  rows: Record<string, unknown>[];
}
interface Version {
  version: number;
  state: string;
  rows: number;
  bytes: number;
  qualityScore: number | null;
  createdAt: string;
}
interface Quality {
  version: number;
  score: number;
  dimensions: Record<string, number | null>;
}

function Code({ label, text }: { label: string; text: string }) {
  const { t } = useTranslation();
  return (
    <div style={{ marginBottom: 12 }}>
      <Space style={{ marginBottom: 4 }}>
        <strong>{label}</strong>
        <Button size="small" onClick={() => void navigator.clipboard?.writeText(text)}>
          {t('portalweb.dataset.copy')}
        </Button>
      </Space>
      <pre className="portal-code" tabIndex={0} aria-label={label}>
        {text}
      </pre>
    </div>
  );
}

export default function PortalDataset() {
  const { key = '' } = useParams();
  const { t } = useTranslation();
  const en = useEn();
  const name = useName();
  const categoryName = useCategoryName();
  const navigate = useNavigate();
  const [ref, setRef] = useState<ByCode | null>(null);
  const [res, setRes] = useState<Resource | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [versions, setVersions] = useState<Version[]>([]);
  const [quality, setQuality] = useState<Quality | null>(null);
  const [related, setRelated] = useState<SearchResult | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setRes(null);
    setPreview(null);
    setVersions([]);
    setQuality(null);
    setMissing(false);
    (async () => {
      if (UUID.test(key)) {
        const r = await get<Resource>(`/api/catalog/resources/${key}`);
        navigate(`/data/datasets/${encodeURIComponent(r.code)}`, { replace: true });
        return;
      }
      const b = await get<ByCode>(`/api/portal/resources/by-code/${encodeURIComponent(key)}`);
      const r = await get<Resource>(`/api/catalog/resources/${b.id}`);
      if (!live) return;
      setRef(b);
      setRes(r);
      document.title = `${r.nameZh} - ${t('portalweb.brand')}`;
      get<SearchResult>('/api/search/resources', { category: r.subjectCategory, pageSize: 6, facets: false, sort: 'popularity' })
        .then((s) => live && setRelated({ ...s, items: s.items.filter((x) => x.id !== r.id).slice(0, 5) }))
        .catch(() => undefined);
      if (!b.datasetId) return;
      get<{ items: Version[] }>(`/api/datasets/${b.datasetId}/versions`).then(
        (v) => live && setVersions(v.items),
        () => undefined,
      );
      get<{ items: Quality[] }>(`/api/datasets/${b.datasetId}/quality`).then(
        (q) => live && setQuality(q.items[0] ?? null),
        () => undefined,
      );
      if (r.openMode === 'unconditional')
        get<Preview>(`/api/datasets/${b.datasetId}/preview`, { limit: 10 }).then(
          (p) => live && setPreview(p),
          (e) => live && setError(errorMessage(e)),
        );
    })().catch((e) => {
      if (!live) return;
      if (e instanceof ApiError && e.status === 404) setMissing(true);
      else setError(errorMessage(e));
    });
    return () => {
      live = false;
    };
  }, [key, navigate, t]);

  if (missing) return <NotFound />;
  if (!res || !ref) return error ? <Alert type="error" title={error} /> : <Loading />;

  const open = res.openMode === 'unconditional';
  const origin = window.location.origin;
  const soda = ref.datasetId ? `${origin}/resource/${ref.datasetId}.json` : '';
  const firstField = res.fields[0]?.nameZh ?? 'id';
  const where = `$where=${encodeURIComponent(`${firstField} IS NOT NULL`)}&$limit=100`;
  const download = ref.datasetId ? `${origin}/api/datasets/${ref.datasetId}/download?format=csv` : '';

  return (
    <article aria-labelledby="portal-dataset-title">
      <nav aria-label={t('portalweb.dataset.breadcrumb')} style={{ marginBottom: 8 }}>
        <Link to="/data">{t('portalweb.brand')}</Link> / <Link to="/data/search">{t('portalweb.nav.catalog')}</Link>
      </nav>
      <Typography.Title level={1} id="portal-dataset-title" style={{ fontSize: 26 }}>
        {name(res)}
      </Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <OpenTag mode={res.openMode} />
        <Link to={`/data/departments/${encodeURIComponent(res.providerOrg.code)}`}>{name(res.providerOrg)}</Link>
        <Link to={`/data/topics/${encodeURIComponent(res.subjectCategory)}`}>{categoryName(res.subjectCategory)}</Link>
        <span className="mono">{res.code}</span>
        <OpennessScore resourceId={res.id} />
      </Space>
      <div style={{ marginBottom: 16 }}>
        <HarvestOrigin resourceId={res.id} />
      </div>
      {!open && (
        <Alert
          type="warning"
          style={{ marginBottom: 16 }}
          title={t('portalweb.dataset.conditionalTitle')}
          description={
            <>
              <p>{res.openConditions || t('portalweb.dataset.conditionalText')}</p>
              <span data-testid="portal-apply">
                <ApplyButton resourceId={res.id} openMode={res.openMode} />
              </span>
            </>
          }
        />
      )}
      <Row gutter={24}>
        <Col xs={24} lg={16}>
          <section aria-labelledby="pd-desc">
            <Typography.Title level={2} id="pd-desc" style={{ fontSize: 20 }}>
              {t('portalweb.dataset.description')}
            </Typography.Title>
            <Typography.Paragraph>{en ? res.abstractEn || res.abstractZh : res.abstractZh}</Typography.Paragraph>
            <Space wrap>
              {res.keywords.map((k) => (
                <Link key={k} to={`/data/search?keyword=${encodeURIComponent(k)}`}>
                  <Tag>{k}</Tag>
                </Link>
              ))}
            </Space>
          </section>

          <section aria-labelledby="pd-fields" style={{ marginTop: 24 }}>
            <Typography.Title level={2} id="pd-fields" style={{ fontSize: 20 }}>
              {t('portalweb.dataset.fields')}
            </Typography.Title>
            <Table
              size="small"
              rowKey="code"
              pagination={false}
              dataSource={res.fields}
              data-testid="portal-fields"
              columns={[
                { title: t('portalweb.dataset.fieldName'), render: (_, f) => name(f) },
                { title: t('portalweb.dataset.fieldCode'), dataIndex: 'code', render: (c: string) => <span className="mono">{c}</span> },
                {
                  title: t('portalweb.dataset.fieldType'),
                  dataIndex: 'dataType',
                  render: (d: string) => t(`catalog.dataType.${d}`, { defaultValue: d }),
                },
                {
                  title: t('portalweb.dataset.fieldMasked'),
                  dataIndex: 'piiKind',
                  render: (p: string) => (p && p !== 'none' ? t('portalweb.dataset.masked') : ''),
                },
              ]}
            />
          </section>

          {open && ref.datasetId && (
            <section aria-labelledby="pd-preview" style={{ marginTop: 24 }}>
              <Typography.Title level={2} id="pd-preview" style={{ fontSize: 20 }}>
                {t('portalweb.dataset.preview')}
              </Typography.Title>
              {error && <Alert type="error" title={error} />}
              <Table
                size="small"
                loading={!preview && !error}
                pagination={false}
                scroll={{ x: true }}
                data-testid="portal-preview"
                rowKey={(_, i) => String(i)}
                dataSource={preview?.rows ?? []}
                columns={(preview?.columns ?? []).map((c) => ({
                  title: c.policy === 'clear' ? c.name : `${c.name} (${t('portalweb.dataset.masked')})`,
                  dataIndex: c.name,
                  render: (v: unknown) => (v === null || v === undefined ? '' : String(v)),
                }))}
              />
              <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
                {t('portalweb.dataset.previewNote')}
              </Typography.Paragraph>
            </section>
          )}

          {open && ref.datasetId && (
            <section aria-labelledby="pd-api" style={{ marginTop: 24 }}>
              <Typography.Title level={2} id="pd-api" style={{ fontSize: 20 }}>
                {t('portalweb.dataset.api')}
              </Typography.Title>
              <Tabs
                items={[
                  {
                    key: 'curl',
                    label: 'curl',
                    children: (
                      <>
                        <Code label={t('portalweb.dataset.apiQuery')} text={`curl -H 'X-App-Token: <AppKey>' '${soda}?${where}'`} />
                        <Code label={t('portalweb.dataset.apiDownload')} text={`curl -o data.csv '${download}'`} />
                      </>
                    ),
                  },
                  {
                    key: 'js',
                    label: 'JavaScript',
                    children: (
                      <>
                        <Code
                          label={t('portalweb.dataset.apiQuery')}
                          text={`const res = await fetch('${soda}?${where}', {\n  headers: { 'X-App-Token': '<AppKey>' },\n});\nconst rows = await res.json();`}
                        />
                        <Code label={t('portalweb.dataset.apiDownload')} text={`const csv = await (await fetch('${download}')).text();`} />
                      </>
                    ),
                  },
                ]}
              />
              <Typography.Paragraph type="secondary">
                {t('portalweb.dataset.apiNote')} <Link to="/data/developer">{t('portalweb.user.developer')}</Link>
              </Typography.Paragraph>
            </section>
          )}

          <section aria-labelledby="pd-versions" style={{ marginTop: 24 }}>
            <Typography.Title level={2} id="pd-versions" style={{ fontSize: 20 }}>
              {t('portalweb.dataset.versions')}
            </Typography.Title>
            <Table
              size="small"
              rowKey="version"
              pagination={false}
              dataSource={versions}
              data-testid="portal-versions"
              columns={[
                { title: t('portalweb.dataset.version'), dataIndex: 'version' },
                { title: t('portalweb.dataset.publishedAt'), dataIndex: 'createdAt', render: (d: string) => formatDateTime(d) },
                { title: t('portalweb.dataset.rows'), dataIndex: 'rows', render: (n: number) => formatNumber(n) },
                {
                  title: t('portalweb.dataset.quality'),
                  dataIndex: 'qualityScore',
                  render: (s: number | null) => (s === null ? '—' : Math.round(s)),
                },
              ]}
            />
          </section>

          <Space direction="vertical" size="middle" style={{ width: '100%', marginTop: 24 }}>
            <DatasetReuses resourceId={res.id} />
            <DatasetFeedback resourceId={res.id} />
          </Space>
        </Col>

        <Col xs={24} lg={8}>
          {open && ref.datasetId && (
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('portalweb.dataset.download')}</h2>} style={{ marginBottom: 16 }}>
              <Space wrap>
                {FORMATS.map((f) => (
                  <a
                    key={f.format}
                    href={`/api/datasets/${ref.datasetId}/download?format=${f.format}`}
                    download
                    data-testid={`portal-download-${f.format}`}
                    style={{
                      display: 'inline-flex',
                      alignItems: 'center',
                      gap: 4,
                      padding: '4px 12px',
                      border: '1px solid #8c8c8c',
                      borderRadius: 6,
                    }}
                  >
                    <DownloadOutlined /> {f.label}
                  </a>
                ))}
              </Space>
            </Card>
          )}
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('portalweb.dataset.about')}</h2>} style={{ marginBottom: 16 }}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('portalweb.dataset.department')}>{name(res.providerOrg)}</Descriptions.Item>
              <Descriptions.Item label={t('portalweb.dataset.frequency')}>
                {t(`catalog.frequency.${res.updateFrequency}`)}
              </Descriptions.Item>
              <Descriptions.Item label={t('portalweb.dataset.license')}>
                {res.license || t('portalweb.dataset.noLicense')}
              </Descriptions.Item>
              <Descriptions.Item label={t('portalweb.dataset.formats')}>{res.formats.join(', ') || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('portalweb.dataset.released')}>{formatDate(res.releaseDate) || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('portalweb.dataset.updated')}>{formatDate(res.updatedAt)}</Descriptions.Item>
              {ref.version && <Descriptions.Item label={t('portalweb.dataset.version')}>{ref.version}</Descriptions.Item>}
            </Descriptions>
          </Card>
          {quality && (
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('portalweb.dataset.quality')}</h2>} style={{ marginBottom: 16 }}>
              <div data-testid="portal-quality">
                <Progress
                  type="circle"
                  percent={Math.round(quality.score)}
                  format={(p) => p}
                  size={80}
                  aria-label={t('portalweb.dataset.quality')}
                />
              </div>
              <Descriptions column={1} size="small" style={{ marginTop: 12 }}>
                {Object.entries(quality.dimensions).map(([k, v]) => (
                  <Descriptions.Item key={k} label={t(`portalweb.quality.${k}`, { defaultValue: k })}>
                    {v === null ? '—' : Math.round(v)}
                  </Descriptions.Item>
                ))}
              </Descriptions>
            </Card>
          )}
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('portalweb.dataset.related')}</h2>}>
            <DatasetList result={related} loading={!related} />
          </Card>
        </Col>
      </Row>
    </article>
  );
}
