// 质量: the overall score of every version as a trend line, the current version's score by dimension
// (completeness, validity, uniqueness, consistency, timeliness), each rule's result, and for the provider the
// report of the rows that failed (CSV).
import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Empty, Progress, Row, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { EChartsCoreOption } from 'echarts/core';
import { errorMessage, get } from '../../api.ts';
import { formatDateTime, formatNumber } from '../../format.ts';
import Chart from '../../components/Chart.tsx';
import { formatScore, QualityScore, scoreColor } from './common.tsx';
import { QUALITY_DIMENSIONS, type Dataset, type QualityRuleResult, type QualityTrendItem } from './types.ts';

const SEVERITY_COLORS: Record<string, string> = { critical: 'red', major: 'orange', minor: 'default' };

export default function QualityTab({ d, revision }: { d: Dataset; revision: number }) {
  const { t } = useTranslation();
  const [trend, setTrend] = useState<QualityTrendItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const report = d.current?.quality ?? null;

  useEffect(() => {
    let live = true;
    get<{ items: QualityTrendItem[] }>(`/api/datasets/${d.id}/quality`)
      .then((r) => live && setTrend([...r.items].sort((a, b) => a.version - b.version)))
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [d.id, revision]);

  const trendOption = useMemo<EChartsCoreOption | null>(() => {
    if (!trend?.length) return null;
    return {
      grid: { left: 48, right: 24, top: 24, bottom: 32 },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => (typeof v === 'number' ? formatScore(v) : '—'),
      },
      xAxis: { type: 'category', data: trend.map((x) => `v${x.version}`), boundaryGap: false },
      yAxis: { type: 'value', min: 0, max: 100, splitNumber: 5 },
      series: [
        {
          name: t('datasets.quality.overall'),
          type: 'line',
          data: trend.map((x) => (x.score === null ? null : Math.round(x.score * 10) / 10)),
          connectNulls: true,
          symbolSize: 8,
          lineStyle: { width: 2, color: '#1d5fbf' },
          itemStyle: { color: '#1d5fbf' },
          areaStyle: { color: 'rgba(29, 95, 191, 0.08)' },
        },
      ],
    };
  }, [trend, t]);

  const dims = report?.dimensions;
  const dimOption = useMemo<EChartsCoreOption | null>(() => {
    if (!dims) return null;
    const names = QUALITY_DIMENSIONS.map((k) => t(`datasets.dimension.${k}`));
    return {
      grid: { left: 80, right: 40, top: 8, bottom: 24 },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        valueFormatter: (v: unknown) => (typeof v === 'number' ? formatScore(v) : '—'),
      },
      xAxis: { type: 'value', min: 0, max: 100 },
      yAxis: { type: 'category', data: names, inverse: true },
      series: [
        {
          name: t('datasets.quality.score'),
          type: 'bar',
          barMaxWidth: 18,
          label: {
            show: true,
            position: 'right',
            formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? formatScore(p.value) : '—'),
          },
          data: QUALITY_DIMENSIONS.map((k) => {
            const v = dims[k];
            return v === null || v === undefined ? null : { value: Math.round(v * 10) / 10, itemStyle: { color: scoreColor(v) } };
          }),
        },
      ],
    };
  }, [dims, t]);

  if (!d.current) return <Empty description={t('datasets.overview.noVersion')} />;

  const ruleColumns: TableColumnsType<QualityRuleResult> = [
    { title: t('datasets.quality.rule'), key: 'kind', render: (_v, r) => t(`datasets.ruleKind.${r.kind}`, { defaultValue: r.kind }) },
    {
      title: t('datasets.quality.column'),
      dataIndex: 'column',
      key: 'column',
      render: (v: string | null) => (v ? <span className="mono">{v}</span> : '—'),
    },
    {
      title: t('datasets.quality.dimension'),
      dataIndex: 'dimension',
      key: 'dim',
      render: (v: string) => t(`datasets.dimension.${v}`, { defaultValue: v }),
    },
    {
      title: t('datasets.quality.severity'),
      dataIndex: 'severity',
      key: 'sev',
      render: (v: string) => <Tag color={SEVERITY_COLORS[v]}>{t(`datasets.severity.${v}`, { defaultValue: v })}</Tag>,
    },
    {
      title: t('datasets.quality.passRate'),
      key: 'ratio',
      width: 200,
      render: (_v, r) =>
        r.ratio === null ? (
          <Typography.Text type="secondary">{t('datasets.quality.notJudged')}</Typography.Text>
        ) : (
          <Progress
            percent={Math.floor(r.ratio * 1000) / 10}
            size="small"
            status={r.failed > 0 ? 'exception' : 'success'}
            format={(p) => `${p}%`}
            aria-label={t('datasets.quality.passRateOf', { rule: r.id })}
          />
        ),
    },
    {
      title: t('datasets.quality.failed'),
      dataIndex: 'failed',
      key: 'failed',
      align: 'right',
      render: (v: number) => (v ? <Typography.Text type="danger">{formatNumber(v)}</Typography.Text> : '0'),
    },
    {
      title: t('datasets.quality.observed'),
      key: 'obs',
      render: (_v, r) =>
        r.observed === undefined || r.observed === null
          ? '—'
          : `${r.observed}${r.expected !== undefined && r.expected !== null ? ` / ${r.expected}` : ''}`,
    },
  ];

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="quality-tab">
      {error && <Alert type="error" showIcon title={error} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('datasets.quality.currentTitle', { version: d.current.version })} style={{ height: '100%' }}>
            <Space orientation="vertical" size="middle">
              <QualityScore score={d.current.qualityScore} grade={report?.grade ?? null} size={48} />
              {report && (
                <Typography.Text type="secondary">
                  {t('datasets.quality.rulesPassed', { passed: report.rulesPassed, judged: report.rulesJudged })}
                </Typography.Text>
              )}
              {report && (
                <Typography.Text type="secondary">
                  {t('datasets.quality.evaluatedAt', { time: formatDateTime(report.evaluatedAt) })}
                </Typography.Text>
              )}
              {d.canManage && (
                <Button
                  icon={<DownloadOutlined />}
                  href={`/api/datasets/${d.id}/versions/${d.current.version}/failing-rows`}
                  download
                  data-testid="failing-rows"
                >
                  {t('datasets.quality.failingRows')}
                </Button>
              )}
            </Space>
          </Card>
        </Col>
        <Col xs={24} lg={16}>
          <Card size="small" title={t('datasets.quality.dimensionsTitle')}>
            {dimOption ? (
              <Chart option={dimOption} height={220} ariaLabel={t('datasets.quality.dimensionsChart')} testId="quality-dimensions" />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
            )}
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('datasets.quality.trendTitle')}>
        {trendOption ? (
          <Chart option={trendOption} height={260} ariaLabel={t('datasets.quality.trendChart')} testId="quality-trend" />
        ) : (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
        )}
      </Card>
      <Card size="small" title={t('datasets.quality.rulesTitle')}>
        <Table
          rowKey="id"
          size="small"
          dataSource={report?.rules ?? []}
          columns={ruleColumns}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          data-testid="quality-rules"
          locale={{ emptyText: t('datasets.quality.noRules') }}
        />
      </Card>
    </Space>
  );
}
