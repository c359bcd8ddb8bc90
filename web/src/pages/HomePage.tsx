import { useEffect, useState, type ReactNode } from 'react';
import { Alert, Card, Col, Descriptions, Row, Skeleton, Statistic, Tag, Typography } from 'antd';
import {
  ApiOutlined,
  ApartmentOutlined,
  DatabaseOutlined,
  FileSearchOutlined,
  SafetyOutlined,
  AuditOutlined,
  BellOutlined,
  ClockCircleOutlined,
  SafetyCertificateOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, get } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { formatDateTime } from '../format.ts';
import type { Stats } from '../types.ts';

interface StatCard {
  key: string;
  icon: ReactNode;
  value: number | string;
  extra?: string;
  small?: boolean;
  danger?: boolean;
}

export default function HomePage() {
  const { t, i18n } = useTranslation();
  const { me } = useAuth();
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    get<Stats>('/api/stats')
      .then(setStats)
      .catch((e) => setError(errorMessage(e)));
  }, []);

  if (!me) return null;
  const en = i18n.language === 'en';
  const numberLocale = en ? 'en-US' : 'zh-CN';
  const fmt = (v: number | string | undefined) => (typeof v === 'number' ? v.toLocaleString(numberLocale) : (v ?? ''));

  const cards: StatCard[] = stats
    ? [
        { key: 'organizations', icon: <ApartmentOutlined />, value: stats.organizations },
        { key: 'users', icon: <TeamOutlined />, value: stats.users, extra: t('home.activeUsers', { count: stats.activeUsers }) },
        { key: 'ledgerEntries', icon: <AuditOutlined />, value: stats.ledgerEntries },
        { key: 'checkpoints', icon: <SafetyCertificateOutlined />, value: stats.checkpoints },
        {
          key: 'lastCheckpointAt',
          icon: <ClockCircleOutlined />,
          value: stats.lastCheckpointAt ? formatDateTime(stats.lastCheckpointAt) : t('home.never'),
          small: true,
        },
        { key: 'unreadNotifications', icon: <BellOutlined />, value: stats.unreadNotifications },
      ]
    : [];
  const dataCards: StatCard[] = stats
    ? [
        {
          key: 'datasets',
          icon: <DatabaseOutlined />,
          value: stats.datasets,
          extra: t('home.datasetRows', { rows: fmt(stats.datasetRows) }),
        },
        { key: 'activeGrants', icon: <SafetyOutlined />, value: stats.activeGrants },
        {
          key: 'openRequests',
          icon: <FileSearchOutlined />,
          value: stats.openRequests,
          extra: t('home.overdueRequests', { count: stats.overdueRequests }),
          danger: stats.overdueRequests > 0,
        },
        { key: 'gatewayCallsToday', icon: <ApiOutlined />, value: stats.gatewayCallsToday },
      ]
    : [];
  const grid = (list: StatCard[], testId: string) => (
    <Row gutter={[16, 16]} data-testid={testId} style={{ marginBottom: 24 }}>
      {list.map((c) => (
        <Col key={c.key} xs={24} sm={12} xl={list.length === 4 ? 6 : 8}>
          <Card data-testid={`stat-${c.key}`} style={{ height: '100%' }}>
            <Statistic
              title={t(`home.${c.key}`)}
              value={c.value}
              formatter={(v) => fmt(v as number | string)}
              prefix={c.icon}
              styles={c.small ? { content: { fontSize: 18 } } : undefined}
            />
            {c.extra && <Typography.Text type={c.danger ? 'danger' : 'secondary'}>{c.extra}</Typography.Text>}
          </Card>
        </Col>
      ))}
    </Row>
  );

  return (
    <div>
      <Card style={{ marginBottom: 24 }}>
        <Typography.Title level={1} style={{ fontSize: 22, marginTop: 0 }} data-testid="welcome">
          {t('home.welcome', { name: me.displayName })}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('home.intro')}</Typography.Paragraph>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('home.org')}>{me.org ? (en ? me.org.nameEn : me.org.nameZh) : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('home.roles')}>
            {me.roles.map((r) => (
              <Tag key={r} color="blue">
                {t(`roles.${r}`)}
              </Tag>
            ))}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Typography.Title level={2} style={{ fontSize: 18 }}>
        {t('home.stats')}
      </Typography.Title>
      {error && <Alert type="error" showIcon title={error} />}
      {!stats && !error && <Skeleton active />}
      {grid(cards, 'stats')}
      {stats && (
        <>
          <Typography.Title level={2} style={{ fontSize: 18 }}>
            {t('home.dataStats')}
          </Typography.Title>
          {grid(dataCards, 'data-stats')}
        </>
      )}
    </div>
  );
}
