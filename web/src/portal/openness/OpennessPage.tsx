// 开放度评估 (issue 7 §9), public: what the portal opens and how it is used, by department, as figures and charts
// (GET /api/openness/stats), and the self-evaluation in the layers of the China open data index 开放数林 —
// readiness, platform, data, use, effect — each indicator with its measured value and a 0–100 score
// (GET /api/openness/evaluation). How every figure is computed: docs/portal-openness.md.
import { Alert, Card, Col, Descriptions, Progress, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import Chart from '../../components/Chart.tsx';
import Loading from '../../components/Loading.tsx';
import { formatDateTime, formatNumber } from '../../format.ts';
import { useGet } from '../../loaders.ts';
import { useName } from '../../pages/catalog/common.tsx';

interface Figure {
  total: number;
  answered: number;
  overdue: number;
  answerRate: number | null;
  medianAnswerDays: number | null;
}
interface Applications {
  total: number;
  approved: number;
  rejected: number;
  pending: number;
  medianDecisionDays: number | null;
}
interface Stats {
  generatedAt: string;
  totals: {
    openDatasets: number;
    unconditional: number;
    conditional: number;
    withData: number;
    rows: number;
    cells: number;
    departmentsOpening: number;
    departments: number;
    downloads30d: number;
    apiCalls30d: number;
    averageMqa: number | null;
    stars: number[];
    applications: Applications;
    reuses: number;
  };
  demands: Figure;
  errorReports: Figure;
  months: Array<{ month: string; downloads: number; apiCalls: number }>;
  departments: Array<{
    org: { id: string; code: string; nameZh: string; nameEn: string };
    unconditional: number;
    conditional: number;
    withData: number;
    rows: number;
    averageMqa: number | null;
    downloads30d: number;
    apiCalls30d: number;
    applications: Applications;
    demands: Figure;
    errorReports: Figure;
  }>;
}
interface Evaluation {
  generatedAt: string;
  overall: number | null;
  layers: Array<{ key: string; score: number | null; indicators: Array<{ key: string; value: number | null; score: number | null }> }>;
}

/** Shares (0..1) as percentages; counts as numbers; days with one decimal. */
const SHARES = new Set([
  'departmentsOpening',
  'anonymousDownload',
  'apiCoverage',
  'feedbackAnswerRate',
  'effectiveDatasets',
  'machineReadable',
  'openFormat',
  'licensed',
  'threeStars',
  'applicationsApproved',
  'usageReports',
  'demandsAnswered',
  'errorsAnswered',
]);

function useValue() {
  const { t } = useTranslation();
  return (key: string, v: number | null) => {
    if (v === null) return '—';
    if (SHARES.has(key)) return `${Math.round(v * 1000) / 10}%`;
    if (key === 'applicationTimeliness') return t('openness.days', { n: Math.round(v * 10) / 10 });
    if (key === 'metadataQuality') return `${v} / 405`;
    return formatNumber(v);
  };
}

const rate = (f: Figure) => (f.answerRate === null ? '—' : `${Math.round(f.answerRate * 1000) / 10}%`);

export default function OpennessPage() {
  const { t } = useTranslation();
  const name = useName();
  const value = useValue();
  const { data: s, error } = useGet<Stats>('/api/openness/stats');
  const { data: e } = useGet<Evaluation>('/api/openness/evaluation');
  if (error) return <Alert type="error" showIcon title={error} />;
  if (!s) return <Loading />;
  const depts = s.departments.filter((d) => d.unconditional + d.conditional > 0).slice(0, 15);
  const label = (d: Stats['departments'][number]) => name(d.org);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="openness-page">
      <div>
        <Typography.Title level={2} style={{ marginBottom: 4 }}>
          {t('openness.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('openness.intro', { at: formatDateTime(s.generatedAt) })}</Typography.Text>
      </div>

      <Row gutter={[16, 16]}>
        {[
          [
            'openDatasets',
            s.totals.openDatasets,
            t('openness.openSplit', { u: formatNumber(s.totals.unconditional), c: formatNumber(s.totals.conditional) }),
          ],
          ['cells', s.totals.cells, t('openness.rows', { n: formatNumber(s.totals.rows) })],
          ['departmentsOpening', s.totals.departmentsOpening, t('openness.ofDepartments', { n: s.totals.departments })],
          ['downloads30d', s.totals.downloads30d, t('openness.apiCalls', { n: formatNumber(s.totals.apiCalls30d) })],
          ['averageMqa', s.totals.averageMqa ?? 0, '/ 405'],
          [
            'applications',
            s.totals.applications.approved,
            t('openness.appsSplit', { total: s.totals.applications.total, pending: s.totals.applications.pending }),
          ],
          ['demands', s.demands.answered, t('openness.answerRate', { rate: rate(s.demands), days: s.demands.medianAnswerDays ?? '—' })],
          ['reuses', s.totals.reuses, ''],
        ].map(([key, v, sub]) => (
          <Col xs={12} md={6} key={key as string}>
            <Card size="small">
              <Statistic title={t(`openness.totals.${key as string}`)} value={v as number} formatter={(x) => formatNumber(Number(x))} />
              <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`openness-total-${key as string}`}>
                {sub as string}
              </Typography.Text>
            </Card>
          </Col>
        ))}
      </Row>

      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('openness.charts.byDepartment')}>
            <Chart
              testId="openness-departments-chart"
              ariaLabel={t('openness.charts.byDepartment')}
              height={Math.max(220, depts.length * 26 + 60)}
              option={{
                tooltip: { trigger: 'axis' },
                legend: { data: [t('openness.unconditional'), t('openness.conditional')] },
                grid: { left: 8, right: 16, bottom: 8, containLabel: true },
                xAxis: { type: 'value' },
                yAxis: { type: 'category', data: depts.map(label), inverse: true },
                series: [
                  {
                    name: t('openness.unconditional'),
                    type: 'bar',
                    stack: 'open',
                    data: depts.map((d) => d.unconditional),
                    color: '#1677ff',
                  },
                  { name: t('openness.conditional'), type: 'bar', stack: 'open', data: depts.map((d) => d.conditional), color: '#fa8c16' },
                ],
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('openness.charts.use')}>
            <Chart
              testId="openness-months-chart"
              ariaLabel={t('openness.charts.use')}
              option={{
                tooltip: { trigger: 'axis' },
                legend: { data: [t('openness.downloads'), t('openness.apiCallsName')] },
                grid: { left: 8, right: 16, bottom: 8, containLabel: true },
                xAxis: { type: 'category', data: s.months.map((m) => m.month) },
                yAxis: { type: 'value' },
                series: [
                  { name: t('openness.downloads'), type: 'line', data: s.months.map((m) => m.downloads) },
                  { name: t('openness.apiCallsName'), type: 'line', data: s.months.map((m) => m.apiCalls) },
                ],
              }}
            />
          </Card>
          <Card size="small" title={t('openness.charts.stars')} style={{ marginTop: 16 }}>
            <Chart
              testId="openness-stars-chart"
              ariaLabel={t('openness.charts.stars')}
              height={180}
              option={{
                tooltip: { trigger: 'axis' },
                grid: { left: 8, right: 16, bottom: 8, top: 16, containLabel: true },
                xAxis: { type: 'category', data: s.totals.stars.map((_n, i) => (i ? '★'.repeat(i) : '0')) },
                yAxis: { type: 'value' },
                series: [{ type: 'bar', data: s.totals.stars, color: '#52c41a' }],
              }}
            />
          </Card>
        </Col>
      </Row>

      <Card size="small" title={t('openness.departmentsTable')}>
        <Table
          rowKey={(d) => d.org.id}
          size="small"
          dataSource={s.departments}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          columns={[
            { title: t('openness.col.department'), key: 'org', render: (_v, d) => label(d) },
            { title: t('openness.unconditional'), dataIndex: 'unconditional', align: 'right' },
            { title: t('openness.conditional'), dataIndex: 'conditional', align: 'right' },
            { title: t('openness.col.rows'), dataIndex: 'rows', align: 'right', render: (v: number) => formatNumber(v) },
            { title: t('openness.col.mqa'), dataIndex: 'averageMqa', align: 'right', render: (v: number | null) => v ?? '—' },
            { title: t('openness.downloads'), dataIndex: 'downloads30d', align: 'right', render: (v: number) => formatNumber(v) },
            { title: t('openness.apiCallsName'), dataIndex: 'apiCalls30d', align: 'right', render: (v: number) => formatNumber(v) },
            {
              title: t('openness.col.applications'),
              key: 'apps',
              align: 'right',
              render: (_v, d) => `${d.applications.approved}/${d.applications.total}`,
            },
            { title: t('openness.col.demandRate'), key: 'dr', align: 'right', render: (_v, d) => rate(d.demands) },
            { title: t('openness.col.demandDays'), key: 'dd', align: 'right', render: (_v, d) => d.demands.medianAnswerDays ?? '—' },
            { title: t('openness.col.errorRate'), key: 'er', align: 'right', render: (_v, d) => rate(d.errorReports) },
          ]}
        />
      </Card>

      {e && (
        <Card size="small" title={t('openness.evaluation.title')} data-testid="openness-evaluation">
          <Typography.Paragraph type="secondary">{t('openness.evaluation.intro')}</Typography.Paragraph>
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={9}>
              <Statistic title={t('openness.evaluation.overall')} value={e.overall ?? 0} precision={1} suffix="/ 100" />
              <Chart
                testId="openness-radar"
                ariaLabel={t('openness.evaluation.title')}
                height={300}
                option={{
                  radar: { indicator: e.layers.map((l) => ({ name: t(`openness.layers.${l.key}`), max: 100 })), radius: '65%' },
                  series: [
                    {
                      type: 'radar',
                      data: [{ value: e.layers.map((l) => l.score ?? 0), name: t('openness.evaluation.overall') }],
                      areaStyle: {},
                    },
                  ],
                  tooltip: {},
                }}
              />
            </Col>
            <Col xs={24} lg={15}>
              {e.layers.map((l) => (
                <Descriptions
                  key={l.key}
                  size="small"
                  column={1}
                  bordered
                  style={{ marginBottom: 12 }}
                  title={
                    <Space>
                      {t(`openness.layers.${l.key}`)}
                      <Tag color="blue">{l.score === null ? '—' : l.score}</Tag>
                    </Space>
                  }
                  items={l.indicators.map((i) => ({
                    key: i.key,
                    label: t(`openness.indicators.${i.key}`),
                    children: (
                      <Space style={{ width: '100%', justifyContent: 'space-between' }} data-testid={`indicator-${i.key}`}>
                        <span>{value(i.key, i.value)}</span>
                        {i.score !== null ? (
                          <Progress percent={i.score} size="small" style={{ width: 160, margin: 0 }} format={(p) => `${p}`} />
                        ) : (
                          <Typography.Text type="secondary">{t('openness.evaluation.informational')}</Typography.Text>
                        )}
                      </Space>
                    ),
                  }))}
                />
              ))}
            </Col>
          </Row>
        </Card>
      )}
    </Space>
  );
}
