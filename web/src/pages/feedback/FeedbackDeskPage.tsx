// 需求与纠错办理 (department side): the demands and error reports the caller's department answers (all of them for
// the data authority), answered here publicly; the authority also routes unassigned demands, moderates reuses and
// keeps the figures of the rules (each with its source).
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, App, Button, Card, Input, InputNumber, List, Segmented, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, post, put } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { formatDate } from '../../format.ts';
import { DemandStatusTag, nameOf, safeHref, useEn } from '../../portal/feedback/common.tsx';
import { AnswerDemandForm } from '../../portal/feedback/DemandPage.tsx';
import { ReportItem } from '../../portal/feedback/DatasetFeedback.tsx';
import FeedbackStats from '../../portal/feedback/FeedbackStats.tsx';
import type { Demand, ErrorReport, Page, Reuse } from '../../portal/feedback/types.ts';

interface Inbox {
  demands: Demand[];
  reports: ErrorReport[];
  total: number;
}

/** One inbox tab's list (demands or error reports of the caller's department) with its status filter. */
function useInbox(type: 'demand' | 'report') {
  const [status, setStatus] = useState('open');
  const [data, setData] = useState<Inbox | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setData(await get<Inbox>('/api/feedback/inbox', { type, status: status === 'all' ? undefined : status, pageSize: 50 }));
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [type, status]);
  useEffect(() => {
    void load();
  }, [load]);
  return { status, setStatus, data, setData, error, load };
}

function InboxFilter({
  inbox,
  statuses,
  labels,
}: {
  inbox: ReturnType<typeof useInbox>;
  statuses: readonly string[];
  /** The locale group of the status labels. */
  labels: string;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Segmented
        value={inbox.status}
        onChange={(v) => inbox.setStatus(v as string)}
        options={statuses.map((k) => ({ value: k, label: t(`${labels}.${k}`) }))}
      />
      {inbox.error && <Alert type="error" showIcon title={inbox.error} />}
    </>
  );
}

function DemandInbox() {
  const { t } = useTranslation();
  const en = useEn();
  const inbox = useInbox('demand');
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <InboxFilter inbox={inbox} statuses={['open', 'overdue', 'answered', 'rejected', 'all']} labels="feedback.filters" />
      <List
        dataSource={inbox.data?.demands ?? []}
        locale={{ emptyText: t('feedback.desk.nothing') }}
        renderItem={(d) => (
          <List.Item key={d.id} data-testid="desk-demand">
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Space wrap>
                <Link to={`/data/demands/${d.id}`} target="_blank">
                  {d.title}
                </Link>
                <DemandStatusTag d={d} />
                <Typography.Text type="secondary">
                  {d.requester} · {formatDate(d.createdAt)} · {d.targetOrg ? nameOf(en, d.targetOrg) : t('feedback.demands.unrouted')} ·{' '}
                  {t('feedback.dueDate')} {d.dueDate} · +1 {d.votes}
                </Typography.Text>
              </Space>
              {d.description && (
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>{d.description}</Typography.Paragraph>
              )}
              {d.canAnswer && <AnswerDemandForm demand={d} onDone={() => void inbox.load()} />}
              {!d.canAnswer && d.reply && <Typography.Text>{d.reply}</Typography.Text>}
            </Space>
          </List.Item>
        )}
      />
    </Space>
  );
}

function ReportInbox() {
  const { t } = useTranslation();
  const inbox = useInbox('report');
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <InboxFilter
        inbox={inbox}
        statuses={['open', 'overdue', 'needs_info', 'accepted', 'corrected', 'rejected', 'all']}
        labels="feedback.reportFilters"
      />
      <List
        dataSource={inbox.data?.reports ?? []}
        locale={{ emptyText: t('feedback.desk.nothing') }}
        renderItem={(r) => (
          <ReportItem
            r={r}
            onChange={(x) => inbox.setData((d) => (d ? { ...d, reports: d.reports.map((y) => (y.id === x.id ? x : y)) } : d))}
          />
        )}
      />
    </Space>
  );
}

function Moderation() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [status, setStatus] = useState<'pending' | 'published' | 'rejected'>('pending');
  const [items, setItems] = useState<Reuse[]>([]);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const load = useCallback(async () => {
    try {
      setItems((await get<Page<Reuse>>('/api/feedback/reuses', { status, pageSize: 100 })).items);
    } catch (e) {
      message.error(errorMessage(e));
    }
  }, [status, message]);
  useEffect(() => {
    void load();
  }, [load]);
  const act = async (id: string, action: string) => {
    try {
      await post(`/api/feedback/reuses/${id}/moderation`, { action, reason: reasons[id] ?? '' });
      await load();
    } catch (e) {
      message.error(errorMessage(e));
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Segmented
        value={status}
        onChange={(v) => setStatus(v as typeof status)}
        options={(['pending', 'published', 'rejected'] as const).map((k) => ({ value: k, label: t(`feedback.reuseStatus.${k}`) }))}
      />
      <List
        dataSource={items}
        locale={{ emptyText: t('feedback.desk.nothing') }}
        renderItem={(r) => {
          const href = safeHref(r.url);
          return (
            <List.Item key={r.id} data-testid="desk-reuse">
              <Space orientation="vertical" style={{ width: '100%' }}>
                <Space wrap>
                  <Link to={`/data/reuses/${r.id}`} target="_blank">
                    {r.title}
                  </Link>
                  <Tag>{t(`feedback.reuseKind.${r.kind}`)}</Tag>
                  {r.featured && <Tag color="gold">{t('feedback.reuses.featuredTag')}</Tag>}
                  <Typography.Text type="secondary">{r.submitter}</Typography.Text>
                </Space>
                {href && (
                  <a href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
                    {href}
                  </a>
                )}
                <Typography.Paragraph ellipsis={{ rows: 3 }} style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>
                  {r.description}
                </Typography.Paragraph>
                {r.rejectReason && <Typography.Text type="secondary">{r.rejectReason}</Typography.Text>}
                <Space wrap>
                  {r.status !== 'published' && (
                    <Button type="primary" size="small" onClick={() => void act(r.id, 'publish')}>
                      {t('feedback.reuses.publish')}
                    </Button>
                  )}
                  {r.status === 'published' && (
                    <Button size="small" onClick={() => void act(r.id, r.featured ? 'unfeature' : 'feature')}>
                      {r.featured ? t('feedback.reuses.unfeature') : t('feedback.reuses.feature')}
                    </Button>
                  )}
                  {r.status !== 'rejected' && (
                    <>
                      <Input
                        size="small"
                        style={{ width: 280 }}
                        maxLength={2000}
                        placeholder={t('feedback.demands.reason')}
                        aria-label={t('feedback.demands.reason')}
                        value={reasons[r.id] ?? ''}
                        onChange={(e) => setReasons({ ...reasons, [r.id]: e.target.value })}
                      />
                      <Button size="small" danger onClick={() => void act(r.id, 'reject')}>
                        {t('feedback.reuses.reject')}
                      </Button>
                    </>
                  )}
                </Space>
              </Space>
            </List.Item>
          );
        }}
      />
    </Space>
  );
}

interface Setting {
  key: string;
  value: number;
  min: number;
  max: number;
  unit: string;
  labelZh: string;
  labelEn: string;
  sourceZh: string;
  sourceEn: string;
  platformDefault: boolean;
}

function Settings({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const en = useEn();
  const { message } = App.useApp();
  const [items, setItems] = useState<Setting[]>([]);
  useEffect(() => {
    get<{ items: Setting[] }>('/api/feedback/settings')
      .then((r) => setItems(r.items))
      .catch((e) => message.error(errorMessage(e)));
  }, [message]);
  return (
    <Table
      rowKey="key"
      size="small"
      pagination={false}
      dataSource={items}
      columns={[
        { title: t('feedback.desk.setting'), render: (_, s) => (en ? s.labelEn : s.labelZh) },
        {
          title: t('feedback.desk.value'),
          render: (_, s) =>
            editable ? (
              <InputNumber
                min={s.min}
                max={s.max}
                defaultValue={s.value}
                aria-label={en ? s.labelEn : s.labelZh}
                onBlur={async (e) => {
                  const v = Number(e.target.value);
                  if (v === s.value || !Number.isInteger(v)) return;
                  try {
                    const u = await put<Setting>(`/api/feedback/settings/${s.key}`, { value: v });
                    setItems((xs) => xs.map((x) => (x.key === s.key ? u : x)));
                    message.success(t('feedback.desk.saved'));
                  } catch (err) {
                    message.error(errorMessage(err));
                  }
                }}
              />
            ) : (
              s.value
            ),
        },
        { title: t('feedback.desk.unit'), render: (_, s) => t(`feedback.units.${s.unit}`) },
        { title: t('feedback.desk.source'), render: (_, s) => (en ? s.sourceEn : s.sourceZh) },
      ]}
    />
  );
}

export default function FeedbackDeskPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const authority = !!me?.roles.includes('authority_admin');
  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('feedback.desk.title')}</h1>}>
      <Tabs
        items={[
          { key: 'demands', label: t('feedback.desk.demands'), children: <DemandInbox /> },
          { key: 'reports', label: t('feedback.desk.reports'), children: <ReportInbox /> },
          ...(authority ? [{ key: 'reuses', label: t('feedback.desk.reuses'), children: <Moderation /> }] : []),
          { key: 'stats', label: t('feedback.desk.stats'), children: <FeedbackStats /> },
          { key: 'settings', label: t('feedback.desk.settings'), children: <Settings editable={authority} /> },
        ]}
      />
    </Card>
  );
}
