// 共享管理 (data authority; the auditor reads): the compliance review queue, overdue requests, coordination
// cases, the sharing statistics and the figures of the rules with their sources (the authority may change them).
import { useState } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Empty, InputNumber, Row, Space, Statistic, Table, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, put } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { canEdit } from '../../access.ts';
import { formatDateTime, formatNumber } from '../../format.ts';
import { useGet, useList } from '../../loaders.ts';
import { useEn } from '../catalog/common.tsx';
import { CallsChart, SharingStateTag } from './common.tsx';
import { RequestTable } from './RequestsPage.tsx';
import { SHARING_STATES, type SharingSetting, type SharingStats } from './types.ts';

export default function ManagePage() {
  const { t } = useTranslation();
  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('sharing.manage.title')}</h1>}>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'stats', label: t('sharing.manage.stats'), children: <StatsView /> },
          {
            key: 'compliance',
            label: t('sharing.manage.compliance'),
            children: <RequestTable box="all" fixedStates={['compliance_review']} testId="queue-compliance" />,
          },
          {
            key: 'overdue',
            label: t('sharing.manage.overdue'),
            children: <RequestTable box="all" fixedOverdue testId="queue-overdue" />,
          },
          {
            key: 'coordination',
            label: t('sharing.manage.coordination'),
            children: <RequestTable box="all" fixedStates={['coordination']} testId="queue-coordination" />,
          },
          { key: 'all', label: t('sharing.manage.all'), children: <RequestTable box="all" testId="queue-all" /> },
          { key: 'settings', label: t('sharing.manage.settings'), children: <SettingsView /> },
        ]}
      />
    </Card>
  );
}

function StatsView() {
  const { t } = useTranslation();
  const { data: s, error } = useGet<SharingStats>('/api/sharing/stats');
  if (error) return <Alert type="error" showIcon title={error} />;
  if (!s) return null;
  const cards: { key: string; value: string; danger?: boolean }[] = [
    { key: 'open', value: formatNumber(s.open) },
    { key: 'overdue', value: formatNumber(s.overdue), danger: s.overdue > 0 },
    { key: 'dueSoon', value: formatNumber(s.dueSoon) },
    { key: 'escalated', value: formatNumber(s.escalated) },
    { key: 'decided', value: formatNumber(s.decided) },
    { key: 'approvalRate', value: s.approvalRate === null ? '—' : `${Math.round(s.approvalRate * 1000) / 10}%` },
    {
      key: 'median',
      value: s.medianAnswerWorkingDays === null ? '—' : t('sharing.manage.workingDays', { count: s.medianAnswerWorkingDays }),
    },
  ];
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="sharing-stats">
      <Row gutter={[16, 16]}>
        {cards.map((c) => (
          <Col key={c.key} xs={12} md={8} xl={6} xxl={3}>
            <Card size="small">
              <Statistic
                title={t(`sharing.manage.cards.${c.key}`)}
                value={c.value}
                styles={{ content: c.danger ? { color: '#cf1322' } : undefined }}
              />
            </Card>
          </Col>
        ))}
      </Row>
      <Card size="small" title={t('sharing.manage.byState')}>
        <Space wrap size={[16, 8]} data-testid="stats-by-state">
          {SHARING_STATES.map((st) => (
            <span key={st}>
              <SharingStateTag state={st} /> {formatNumber(s.byState[st] ?? 0)}
            </span>
          ))}
        </Space>
      </Card>
      <Card size="small" title={t('sharing.manage.callsPerDay')}>
        {s.callsPerDay.length ? (
          <CallsChart days={s.callsPerDay} ariaLabel={t('sharing.manage.callsPerDay')} testId="stats-calls" />
        ) : (
          <Empty description={t('sharing.grants.noUsage')} />
        )}
      </Card>
    </Space>
  );
}

function SettingsView() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const en = useEn();
  const editable = !!me && canEdit('sharingManage', me.roles);
  const { items, error, load } = useList<SharingSetting>('/api/sharing/settings');
  const [draft, setDraft] = useState<Record<string, number | null>>({});

  const save = async (s: SharingSetting) => {
    const value = draft[s.key];
    if (value === null || value === undefined) return;
    try {
      await put(`/api/sharing/settings/${s.key}`, { value });
      message.success(t('common.saved'));
      setDraft(({ [s.key]: _, ...rest }) => rest);
      await load();
    } catch (e) {
      message.error(errorMessage(e));
    }
  };

  return (
    <>
      <Typography.Paragraph type="secondary">{t('sharing.manage.settingsIntro')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<SharingSetting>
        rowKey="key"
        size="small"
        loading={!items}
        dataSource={items ?? []}
        pagination={false}
        data-testid="sharing-settings"
        scroll={{ x: 'max-content' }}
        columns={[
          {
            title: t('sharing.manage.setting'),
            key: 'label',
            render: (_v, s) => (
              <Space orientation="vertical" size={0}>
                <span>{en ? s.labelEn : s.labelZh}</span>
                <Typography.Text type="secondary" className="mono">
                  {s.key}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: t('sharing.manage.value'),
            key: 'value',
            render: (_v, s) =>
              editable ? (
                <Space>
                  <InputNumber
                    aria-label={en ? s.labelEn : s.labelZh}
                    min={s.min}
                    max={s.max}
                    precision={0}
                    value={draft[s.key] ?? s.value}
                    onChange={(v) => setDraft((d) => ({ ...d, [s.key]: v }))}
                  />
                  {t(`sharing.manage.units.${s.unit}`)}
                  {draft[s.key] !== undefined && draft[s.key] !== s.value && (
                    <Button size="small" type="primary" onClick={() => void save(s)}>
                      {t('common.save')}
                    </Button>
                  )}
                </Space>
              ) : (
                `${s.value} ${t(`sharing.manage.units.${s.unit}`)}`
              ),
          },
          {
            title: t('sharing.manage.source'),
            key: 'source',
            render: (_v, s) => (
              <Space orientation="vertical" size={0} style={{ maxWidth: 520 }}>
                <span>{en ? s.sourceEn : s.sourceZh}</span>
                {s.platformDefault && <Tag>{t('sharing.manage.platformDefault')}</Tag>}
              </Space>
            ),
          },
          { title: t('sharing.manage.updatedAt'), key: 'updated', render: (_v, s) => formatDateTime(s.updatedAt) },
        ]}
      />
    </>
  );
}
