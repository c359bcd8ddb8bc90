// One public demand (no login needed): what was asked, by whom (masked), the department, the deadline, the answer
// and the thread. The answering department (or the authority) answers here too; the authority routes.
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Alert, App, Button, Card, DatePicker, Descriptions, Form, Input, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage, get, post } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { formatDateTime } from '../../format.ts';
import { useOrgs } from '../../orgs.ts';
import Loading from '../../components/Loading.tsx';
import { datasetHref, DemandStatusTag, nameOf, PublicFrame, Thread, useEn } from './common.tsx';
import { VoteButton } from './DemandsPage.tsx';
import type { AnswerKind, Demand } from './types.ts';

interface AnswerForm {
  kind: AnswerKind;
  reply?: string;
  plannedDate?: { format(f: string): string };
  resourceId?: string;
}

/** The department's public answer: accepted with a planned date, rejected with a reason, or already available. */
export function AnswerDemandForm({ demand, onDone }: { demand: Demand; onDone: (d: Demand) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<AnswerForm>();
  const kind = Form.useWatch('kind', form);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: AnswerForm) => {
    setBusy(true);
    setError(null);
    try {
      onDone(
        await post<Demand>(`/api/feedback/demands/${demand.id}/answer`, {
          kind: v.kind,
          reply: v.reply ?? '',
          ...(v.kind === 'accepted' && v.plannedDate ? { plannedDate: v.plannedDate.format('YYYY-MM-DD') } : {}),
          ...(v.kind === 'available' && v.resourceId ? { resourceId: v.resourceId.trim() } : {}),
        }),
      );
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form
      form={form}
      layout="vertical"
      onFinish={(v) => void submit(v)}
      initialValues={{ kind: 'accepted' }}
      data-testid={`answer-form-${demand.id}`}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form.Item name="kind" label={t('feedback.demands.answerKind')}>
        <Select
          data-testid="answer-kind"
          options={(['accepted', 'rejected', 'available'] as const).map((k) => ({ value: k, label: t(`feedback.demandStatus.${k}`) }))}
        />
      </Form.Item>
      {kind === 'accepted' && (
        <Form.Item name="plannedDate" label={t('feedback.demands.plannedDate')} rules={[{ required: true }]}>
          <DatePicker data-testid="answer-date" />
        </Form.Item>
      )}
      {kind === 'available' && (
        <Form.Item name="resourceId" label={t('feedback.demands.resourceId')} rules={[{ required: true, whitespace: true }]}>
          <Input placeholder="00000000-0000-0000-0000-000000000000" />
        </Form.Item>
      )}
      <Form.Item
        name="reply"
        label={kind === 'rejected' ? t('feedback.demands.reason') : t('feedback.demands.reply')}
        rules={[{ required: kind === 'rejected', whitespace: true, min: kind === 'rejected' ? 5 : 0 }, { max: 2000 }]}
      >
        <Input.TextArea rows={3} maxLength={2000} showCount data-testid="answer-reply" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} data-testid="answer-submit">
        {t('feedback.demands.answer')}
      </Button>
    </Form>
  );
}

function RouteForm({ demand, onDone }: { demand: Demand; onDone: (d: Demand) => void }) {
  const { t } = useTranslation();
  const en = useEn();
  const { orgs } = useOrgs();
  const { message } = App.useApp();
  const [orgId, setOrgId] = useState<string>();
  return (
    <Space>
      <Select
        style={{ width: 260 }}
        showSearch
        optionFilterProp="label"
        placeholder={t('feedback.demands.routeTo')}
        aria-label={t('feedback.demands.routeTo')}
        value={orgId}
        onChange={setOrgId}
        options={orgs
          .filter((o) => ['department', 'unit'].includes(o.kind) && o.status === 'active')
          .map((o) => ({ value: o.id, label: nameOf(en, o) }))}
      />
      <Button
        disabled={!orgId}
        onClick={async () => {
          try {
            onDone(await post<Demand>(`/api/feedback/demands/${demand.id}/route`, { orgId }));
          } catch (e) {
            message.error(errorMessage(e));
          }
        }}
      >
        {t('feedback.demands.route')}
      </Button>
    </Space>
  );
}

export default function DemandPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const en = useEn();
  const { me } = useAuth();
  const [d, setD] = useState<Demand | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setD(await get<Demand>(`/api/feedback/demands/${id}`));
    } catch (e) {
      setError(e instanceof ApiError && e.status === 404 ? t('feedback.demands.notFound') : errorMessage(e));
    }
  }, [id, t]);
  useEffect(() => {
    void load();
  }, [load, me]);

  if (!d) return <PublicFrame>{error ? <Alert type="error" showIcon title={error} /> : <Loading />}</PublicFrame>;
  return (
    <PublicFrame>
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        <Link to="/data/demands">← {t('feedback.demands.title')}</Link>
        <Card
          title={
            <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }} data-testid="demand-title">
              {d.title}
            </Typography.Title>
          }
          extra={<VoteButton d={d} onChange={(votes, votedByMe) => setD({ ...d, votes, votedByMe })} />}
        >
          <Descriptions column={{ xs: 1, md: 2 }} size="small">
            <Descriptions.Item label={t('feedback.status')}>
              <DemandStatusTag d={d} />
            </Descriptions.Item>
            <Descriptions.Item label={t('feedback.demands.fKind')}>{t(`feedback.demandKind.${d.kind}`)}</Descriptions.Item>
            <Descriptions.Item label={t('feedback.demands.requester')}>{d.requester}</Descriptions.Item>
            <Descriptions.Item label={t('feedback.submittedAt')}>{formatDateTime(d.createdAt)}</Descriptions.Item>
            <Descriptions.Item label={t('feedback.demands.fOrg')}>
              {d.targetOrg ? nameOf(en, d.targetOrg) : t('feedback.demands.unrouted')}
            </Descriptions.Item>
            <Descriptions.Item label={t('feedback.dueDate')}>
              {d.dueDate} ({t('feedback.workingDays', { count: d.workingDays ?? 0 })})
            </Descriptions.Item>
            {d.resource && (
              <Descriptions.Item label={t('feedback.demands.resource')}>
                <Link to={datasetHref(d.resource.id)}>{nameOf(en, d.resource)}</Link>
              </Descriptions.Item>
            )}
            {d.neededFields.length > 0 && (
              <Descriptions.Item label={t('feedback.demands.fFields')}>
                {d.neededFields.map((f) => (
                  <Tag key={f}>{f}</Tag>
                ))}
              </Descriptions.Item>
            )}
          </Descriptions>
          {d.description && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{d.description}</Typography.Paragraph>}
          {d.purpose && (
            <Typography.Paragraph type="secondary" style={{ whiteSpace: 'pre-wrap' }}>
              {t('feedback.demands.fPurpose')}: {d.purpose}
            </Typography.Paragraph>
          )}
        </Card>
        {d.answerKind && (
          <Card title={t('feedback.demands.answerTitle')} data-testid="demand-answer">
            <Space orientation="vertical">
              <DemandStatusTag d={d} />
              {d.plannedDate && (
                <span data-testid="demand-planned">
                  {t('feedback.demands.plannedDate')}: {d.plannedDate}
                </span>
              )}
              {d.answerResource && (
                <span>
                  {t('feedback.demands.availableAt')} <Link to={datasetHref(d.answerResource.id)}>{nameOf(en, d.answerResource)}</Link>
                </span>
              )}
              {d.reply && (
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }} data-testid="demand-reply">
                  {d.reply}
                </Typography.Paragraph>
              )}
              {d.answerWorkingDays !== null && (
                <Typography.Text type="secondary">{t('feedback.answeredIn', { count: d.answerWorkingDays })}</Typography.Text>
              )}
            </Space>
          </Card>
        )}
        {(d.canAnswer || d.canRoute) && (
          <Card title={t('feedback.demands.answerTitle')}>
            <Space orientation="vertical" style={{ width: '100%' }}>
              {d.canRoute && <RouteForm demand={d} onDone={setD} />}
              {d.canAnswer && <AnswerDemandForm demand={d} onDone={setD} />}
            </Space>
          </Card>
        )}
        <Card title={t('feedback.thread')}>
          <Thread events={d.events} testId="demand-thread" />
        </Card>
      </Space>
    </PublicFrame>
  );
}
