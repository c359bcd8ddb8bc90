// A dataset's openness on its public page (issue 7 §9): the 5-star level and the MQA-style metadata score with
// its five dimensions (GET /api/openness/datasets/:id). Nothing is shown for a resource that is not opened.
import { useEffect, useState } from 'react';
import { Popover, Progress, Rate, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { get } from '../../api.ts';

interface Score {
  stars: number;
  mqa: {
    total: number;
    max: number;
    rating: 'excellent' | 'good' | 'sufficient' | 'bad';
    dimensions: Record<string, { points: number; max: number }>;
  };
}

const RATING_COLORS = { excellent: 'green', good: 'blue', sufficient: 'gold', bad: 'red' } as const;

export default function OpennessScore({ resourceId }: { resourceId: string }) {
  const { t } = useTranslation();
  const [s, setS] = useState<Score | null>(null);
  useEffect(() => {
    get<Score>(`/api/openness/datasets/${resourceId}`)
      .then(setS)
      .catch(() => setS(null));
  }, [resourceId]);
  if (!s) return null;
  const detail = (
    <Space direction="vertical" style={{ width: 280 }}>
      {Object.entries(s.mqa.dimensions).map(([k, d]) => (
        <div key={k}>
          <Typography.Text>
            {t(`openness.dimensions.${k}`)} {d.points}/{d.max}
          </Typography.Text>
          <Progress percent={Math.round((d.points / d.max) * 100)} size="small" showInfo={false} />
        </div>
      ))}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('openness.scoreHelp')}
      </Typography.Text>
    </Space>
  );
  return (
    <Space wrap data-testid="openness-score">
      <span aria-label={t('openness.starsLabel', { n: s.stars })}>
        <Rate disabled value={s.stars} count={5} style={{ fontSize: 14 }} />
      </span>
      <Popover content={detail} title={t('openness.mqaTitle')}>
        <Tag color={RATING_COLORS[s.mqa.rating]} tabIndex={0} style={{ cursor: 'help' }}>
          {t('openness.mqaShort', { total: s.mqa.total, max: s.mqa.max, rating: t(`openness.ratings.${s.mqa.rating}`) })}
        </Tag>
      </Popover>
    </Space>
  );
}
