// One reuse (public once published): its description, link and image (http(s) only), and the datasets it uses.
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Alert, Card, Descriptions, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage, get } from '../../api.ts';
import { formatDate } from '../../format.ts';
import Loading from '../../components/Loading.tsx';
import { datasetHref, nameOf, PublicFrame, safeHref, useEn } from './common.tsx';
import type { Reuse } from './types.ts';

export default function ReusePage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const en = useEn();
  const [r, setR] = useState<Reuse | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<Reuse>(`/api/feedback/reuses/${id}`)
      .then(setR)
      .catch((e) => setError(e instanceof ApiError && e.status === 404 ? t('feedback.reuses.notFound') : errorMessage(e)));
  }, [id, t]);
  if (!r) return <PublicFrame>{error ? <Alert type="error" showIcon title={error} /> : <Loading />}</PublicFrame>;
  const href = safeHref(r.url);
  const img = safeHref(r.imageUrl);
  return (
    <PublicFrame>
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        <Link to="/data/reuses">← {t('feedback.reuses.title')}</Link>
        <Card
          title={
            <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }} data-testid="reuse-title">
              {r.title}
            </Typography.Title>
          }
          extra={<Tag>{t(`feedback.reuseKind.${r.kind}`)}</Tag>}
        >
          {r.status !== 'published' && (
            <Alert
              type="warning"
              showIcon
              title={t(`feedback.reuseStatus.${r.status}`)}
              description={r.rejectReason ?? undefined}
              style={{ marginBottom: 12 }}
            />
          )}
          {img && (
            <img src={img} alt={r.title} referrerPolicy="no-referrer" style={{ maxWidth: '100%', maxHeight: 320, marginBottom: 12 }} />
          )}
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{r.description}</Typography.Paragraph>
          <Descriptions column={1} size="small">
            <Descriptions.Item label={t('feedback.reuses.fUrl')}>
              {href ? (
                <a href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
                  {href}
                </a>
              ) : (
                r.url
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('feedback.reuses.by')}>{r.submitter}</Descriptions.Item>
            <Descriptions.Item label={t('feedback.submittedAt')}>{formatDate(r.createdAt)}</Descriptions.Item>
            <Descriptions.Item label={t('feedback.reuses.fDatasets')}>
              <Space wrap>
                {r.datasets.map((d) => (
                  <Link key={d.id} to={datasetHref(d.id)}>
                    {nameOf(en, d)}
                  </Link>
                ))}
              </Space>
            </Descriptions.Item>
          </Descriptions>
        </Card>
      </Space>
    </PublicFrame>
  );
}
