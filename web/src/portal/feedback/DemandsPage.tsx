// 需求征集 (public): the demand board — anyone reads it without login; a signed-in user submits a demand (a dataset
// that is not open, or a format/field/frequency of an existing resource) and "+1"s others.
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { Alert, App, Button, Card, Form, Input, List, Segmented, Select, Space, Typography } from 'antd';
import { LikeOutlined, LikeFilled } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, post } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { formatDate } from '../../format.ts';
import { useOrgs } from '../../orgs.ts';
import { DemandStatusTag, nameOf, PublicFrame, useEn } from './common.tsx';
import type { Demand, DemandKind, Page } from './types.ts';

type Filter = 'all' | 'open' | 'answered' | 'rejected' | 'overdue';

/** "+1" button: one vote per user (the server keeps it idempotent); anonymous visitors are sent to log in. */
export function VoteButton({
  d,
  onChange,
}: {
  d: Pick<Demand, 'id' | 'votes' | 'votedByMe'>;
  onChange: (votes: number, votedByMe: boolean) => void;
}) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    if (!me) {
      window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
      return;
    }
    setBusy(true);
    try {
      const r = await post<{ votes: number; votedByMe: boolean }>(`/api/feedback/demands/${d.id}/votes`, { on: !d.votedByMe });
      onChange(r.votes, r.votedByMe);
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button
      size="small"
      loading={busy}
      icon={d.votedByMe ? <LikeFilled /> : <LikeOutlined />}
      aria-pressed={d.votedByMe}
      aria-label={t('feedback.demands.voteLabel', { count: d.votes })}
      data-testid={`vote-${d.id}`}
      onClick={() => void toggle()}
    >
      +1 · {d.votes}
    </Button>
  );
}

interface DemandForm {
  title: string;
  description?: string;
  kind: DemandKind;
  neededFields?: string[];
  purpose?: string;
  targetOrgId?: string;
}

function SubmitDemand({ onDone, resourceId }: { onDone: (d: Demand) => void; resourceId?: string }) {
  const { t } = useTranslation();
  const en = useEn();
  const { orgs } = useOrgs();
  const [form] = Form.useForm<DemandForm>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: DemandForm) => {
    setBusy(true);
    setError(null);
    try {
      const d = await post<Demand>('/api/feedback/demands', {
        ...v,
        targetOrgId: v.targetOrgId || null,
        ...(resourceId ? { resourceId } : {}),
      });
      form.resetFields();
      onDone(d);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const departments = orgs.filter((o) => ['department', 'unit', 'authority'].includes(o.kind) && o.status === 'active');
  return (
    <Form
      form={form}
      layout="vertical"
      onFinish={(v) => void submit(v)}
      initialValues={{ kind: resourceId ? 'field' : 'dataset' }}
      data-testid="demand-form"
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form.Item name="title" label={t('feedback.demands.fTitle')} rules={[{ required: true, whitespace: true }, { max: 200 }]}>
        <Input maxLength={200} showCount />
      </Form.Item>
      <Form.Item name="kind" label={t('feedback.demands.fKind')}>
        <Select
          options={(['dataset', 'format', 'field', 'frequency'] as const)
            .filter((k) => k === 'dataset' || resourceId)
            .map((k) => ({ value: k, label: t(`feedback.demandKind.${k}`) }))}
        />
      </Form.Item>
      <Form.Item name="description" label={t('feedback.demands.fDescription')} rules={[{ max: 4000 }]}>
        <Input.TextArea rows={4} maxLength={4000} showCount />
      </Form.Item>
      <Form.Item name="neededFields" label={t('feedback.demands.fFields')}>
        <Select mode="tags" tokenSeparators={[',', '，']} open={false} aria-label={t('feedback.demands.fFields')} />
      </Form.Item>
      <Form.Item name="purpose" label={t('feedback.demands.fPurpose')} rules={[{ max: 2000 }]}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
      {!resourceId && (
        <Form.Item name="targetOrgId" label={t('feedback.demands.fOrg')} extra={t('feedback.demands.fOrgHelp')}>
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            options={departments.map((o) => ({ value: o.id, label: nameOf(en, o) }))}
            data-testid="demand-org"
          />
        </Form.Item>
      )}
      <Button type="primary" htmlType="submit" loading={busy}>
        {t('feedback.demands.submit')}
      </Button>
    </Form>
  );
}

export function DemandList({ items, onVote }: { items: Demand[]; onVote: (id: string, votes: number, votedByMe: boolean) => void }) {
  const { t } = useTranslation();
  const en = useEn();
  return (
    <List
      dataSource={items}
      locale={{ emptyText: t('feedback.demands.empty') }}
      renderItem={(d) => (
        <List.Item key={d.id} actions={[<VoteButton key="vote" d={d} onChange={(v, m) => onVote(d.id, v, m)} />]} data-testid="demand-item">
          <List.Item.Meta
            title={
              <Space wrap>
                <Link to={`/data/demands/${d.id}`}>{d.title}</Link>
                <DemandStatusTag d={d} />
              </Space>
            }
            description={
              <Space wrap size="small">
                <span>{t(`feedback.demandKind.${d.kind}`)}</span>
                <span>
                  {t('feedback.demands.by')} {d.requester}
                </span>
                <span>{formatDate(d.createdAt)}</span>
                <span>{d.targetOrg ? nameOf(en, d.targetOrg) : t('feedback.demands.unrouted')}</span>
                {d.status === 'open' && d.dueDate && (
                  <span>
                    {t('feedback.dueDate')} {d.dueDate}
                  </span>
                )}
              </Space>
            }
          />
        </List.Item>
      )}
    />
  );
}

export default function DemandsPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const [params] = useSearchParams();
  const resourceId = params.get('resourceId') ?? undefined;
  const [filter, setFilter] = useState<Filter>('all');
  const [sort, setSort] = useState<'new' | 'votes'>('new');
  const [q, setQ] = useState('');
  const [page, setPage] = useState<Page<Demand> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showForm, setShowForm] = useState(!!resourceId);
  const navigate = useNavigate();

  const load = useCallback(async () => {
    try {
      setPage(await get<Page<Demand>>('/api/feedback/demands', { status: filter === 'all' ? undefined : filter, sort, q, pageSize: 50 }));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [filter, sort, q]);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <PublicFrame>
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        <Card>
          <Typography.Title level={1} style={{ fontSize: 22, marginTop: 0 }}>
            {t('feedback.demands.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('feedback.demands.intro')}</Typography.Paragraph>
          {me ? (
            showForm ? (
              <SubmitDemand
                resourceId={resourceId}
                onDone={(d) => {
                  message.success(t('feedback.demands.submitted'));
                  setShowForm(false);
                  navigate(`/data/demands/${d.id}`);
                }}
              />
            ) : (
              <Button type="primary" onClick={() => setShowForm(true)} data-testid="demand-new">
                {t('feedback.demands.new')}
              </Button>
            )
          ) : (
            <Alert type="info" showIcon title={<Link to="/login?next=/data/demands">{t('feedback.loginToSubmit')}</Link>} />
          )}
        </Card>
        <Card>
          <Space wrap style={{ marginBottom: 12 }}>
            <Segmented
              value={filter}
              onChange={(v) => setFilter(v as Filter)}
              options={(['all', 'open', 'answered', 'rejected', 'overdue'] as const).map((k) => ({
                value: k,
                label: t(`feedback.filters.${k}`),
              }))}
            />
            <Segmented
              value={sort}
              onChange={(v) => setSort(v as 'new' | 'votes')}
              options={[
                { value: 'new', label: t('feedback.demands.sortNew') },
                { value: 'votes', label: t('feedback.demands.sortVotes') },
              ]}
            />
            <Input.Search
              allowClear
              placeholder={t('feedback.demands.search')}
              aria-label={t('feedback.demands.search')}
              onSearch={setQ}
              style={{ width: 240 }}
            />
            <a href="/api/feedback/demands.csv" download>
              {t('feedback.demands.csv')}
            </a>
          </Space>
          {error && <Alert type="error" showIcon title={error} />}
          <DemandList
            items={page?.items ?? []}
            onVote={(id, votes, votedByMe) =>
              setPage((p) => (p ? { ...p, items: p.items.map((x) => (x.id === id ? { ...x, votes, votedByMe } : x)) } : p))
            }
          />
        </Card>
      </Space>
    </PublicFrame>
  );
}
