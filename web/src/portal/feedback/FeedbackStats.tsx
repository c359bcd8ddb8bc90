// Public answer statistics (GET /api/feedback/stats) for the portal home and the openness page: answer rate,
// median working days to answer and overdue items of demands and error reports, overall and per department.
import { useEffect, useState } from 'react';
import { Card, Col, Row, Statistic, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, get } from '../../api.ts';
import { nameOf, percent, useEn } from './common.tsx';
import type { FeedbackStats as Stats, StatFigure } from './types.ts';

export default function FeedbackStats({ departments = true }: { departments?: boolean }) {
  const { t } = useTranslation();
  const en = useEn();
  const [s, setS] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<Stats>('/api/feedback/stats')
      .then(setS)
      .catch((e) => setError(errorMessage(e)));
  }, []);
  if (error) return <Typography.Text type="danger">{error}</Typography.Text>;
  if (!s) return null;
  const days = (f: StatFigure) => (f.medianAnswerDays === null ? '—' : t('feedback.workingDays', { count: f.medianAnswerDays }));
  return (
    <Card title={t('feedback.stats.title')} data-testid="feedback-stats">
      <Row gutter={[16, 16]}>
        <Col xs={12} md={6}>
          <Statistic title={t('feedback.stats.demandRate')} value={percent(s.demands.answerRate)} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t('feedback.stats.demandMedian')} value={days(s.demands)} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t('feedback.stats.reportRate')} value={percent(s.errorReports.answerRate)} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t('feedback.stats.reportMedian')} value={days(s.errorReports)} />
        </Col>
      </Row>
      {departments && (
        <Table
          style={{ marginTop: 16 }}
          size="small"
          pagination={false}
          rowKey={(r) => r.org?.id ?? 'unrouted'}
          dataSource={s.departments}
          columns={[
            { title: t('feedback.stats.department'), render: (_, r) => (r.org ? nameOf(en, r.org) : t('feedback.demands.unrouted')) },
            { title: t('feedback.stats.demands'), render: (_, r) => `${r.demands.answered}/${r.demands.total}` },
            { title: t('feedback.stats.demandRate'), render: (_, r) => percent(r.demands.answerRate) },
            { title: t('feedback.stats.demandMedian'), render: (_, r) => days(r.demands) },
            { title: t('feedback.stats.reports'), render: (_, r) => `${r.errorReports.answered}/${r.errorReports.total}` },
            { title: t('feedback.stats.reportRate'), render: (_, r) => percent(r.errorReports.answerRate) },
            { title: t('feedback.stats.overdue'), render: (_, r) => r.demands.overdue + r.errorReports.overdue },
          ]}
        />
      )}
    </Card>
  );
}
