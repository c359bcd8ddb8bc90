// 共享申请详情: one request with what was asked, its deadlines, the timeline of steps and negotiation messages,
// and the steps the user may take now (from the server's `allowed`): a granting step opens the decision form
// (the grant's terms, each narrowing the request), a refusal asks for the reasons, any other step for a comment.
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Descriptions,
  Divider,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Row,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Timeline,
  Typography,
  type ButtonProps,
} from 'antd';
import { MessageOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage, get, post } from '../../api.ts';
import { formatDate, formatDateTime, shanghaiDay } from '../../format.ts';
import { NotFound } from '../../components/Result.tsx';
import Loading from '../../components/Loading.tsx';
import { CommentModal, useEn, useName } from '../catalog/common.tsx';
import type { Resource } from '../catalog/types.ts';
import { DeadlineCountdown, fieldName, SharingStateTag, useResources } from './common.tsx';
import { ACTIONS, type Action, type AllowedStep, type QuotaLimits, type RequestDetail, type Terms } from './types.ts';

const MIN_REASON = 5;

/** The list the request came from: the requester's, the provider's or the authority's. */
function backTo(r: RequestDetail): string {
  if (r.myRoles.includes('consumer')) return '/sharing/requests';
  if (r.myRoles.includes('provider')) return '/sharing/incoming';
  return '/sharing/manage';
}

export default function RequestDetailPage() {
  const { id } = useParams();
  return <RequestDetailView key={id} id={id ?? ''} />;
}

function RequestDetailView({ id }: { id: string }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const name = useName();
  const en = useEn();
  const [r, setR] = useState<RequestDetail | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [step, setStep] = useState<AllowedStep | null>(null);
  const resource = useResources(r ? [r.resource.id] : [])[r?.resource.id ?? ''];

  const load = useCallback(async () => {
    setError(null);
    try {
      setR(await get<RequestDetail>(`/api/sharing/requests/${id}`));
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) setMissing(true);
      else setError(errorMessage(e));
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  if (missing) return <NotFound />;
  if (!r) return error ? <Alert type="error" showIcon title={error} /> : <Loading />;

  const label = (s: AllowedStep) => (en ? s.labelEn : s.labelZh);
  const take = async (to: string, comment: string, terms?: Terms) => {
    const next = await post<RequestDetail>(`/api/sharing/requests/${id}/transitions`, { to, comment, ...(terms ? { terms } : {}) });
    setR(next);
    message.success(t('sharing.detail.stepDone', { step: step ? label(step) : to }));
  };
  const fields = r.fields.map((c) => fieldName(resource, c, en));

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card data-testid="request-header">
        <Space orientation="vertical" size={8} style={{ width: '100%' }}>
          <Typography.Text type="secondary">
            <Link to={backTo(r)}>{t('sharing.detail.back')}</Link> / <span className="mono">{r.number}</span>
          </Typography.Text>
          <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }} data-testid="request-title">
            {name(r.resource)}
          </Typography.Title>
          <Space wrap size={[4, 4]}>
            <SharingStateTag state={r.state} />
            <Tag>{t(`catalog.share.${r.shareMode}`)}</Tag>
            {r.nextDeadline && <DeadlineCountdown deadline={r.nextDeadline} />}
          </Space>
          {r.allowed.length > 0 && (
            <Space wrap data-testid="request-steps">
              {r.allowed.map((s) => (
                <Button
                  key={s.to}
                  type={s.grants || s.to === 'provider_review' ? 'primary' : 'default'}
                  danger={s.refusal || s.to === 'withdrawn'}
                  onClick={() => setStep(s)}
                  data-testid={`step-${s.to}`}
                >
                  {label(s)}
                </Button>
              ))}
            </Space>
          )}
          {r.refusalReason && (
            <Alert
              type="warning"
              showIcon
              title={t('sharing.detail.refusalReason')}
              description={r.refusalReason}
              data-testid="refusal-reason"
            />
          )}
          {r.entitlementId && (
            <Alert
              type="success"
              showIcon
              title={t('sharing.detail.granted')}
              action={<Link to="/sharing/grants">{t('sharing.detail.viewGrant')}</Link>}
            />
          )}
          {error && <Alert type="error" showIcon title={error} />}
        </Space>
      </Card>

      <Row gutter={[24, 24]}>
        <Col xs={24} xl={14}>
          <Card title={t('sharing.detail.what')}>
            <Descriptions column={1} size="small" bordered data-testid="request-details">
              <Descriptions.Item label={t('sharing.fields.resource')}>
                <Link to={`/catalog/resources/${r.resource.id}`}>{name(r.resource)}</Link>{' '}
                <Typography.Text type="secondary" className="mono">
                  {r.resource.code}
                </Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t('sharing.fields.requesterOrg')}>{name(r.requesterOrg)}</Descriptions.Item>
              <Descriptions.Item label={t('sharing.fields.providerOrg')}>{name(r.providerOrg)}</Descriptions.Item>
              <Descriptions.Item label={t('sharing.fields.fields')}>
                <Space wrap size={[4, 4]} data-testid="request-fields">
                  {fields.map((f) => (
                    <Tag key={f}>{f}</Tag>
                  ))}
                </Space>
              </Descriptions.Item>
              <Descriptions.Item label={t('sharing.fields.actions')}>
                {r.actions.map((a) => t(`sharing.actions.${a}`)).join('、')}
              </Descriptions.Item>
              <Descriptions.Item label={t('sharing.fields.legalBasis')}>{r.legalBasis}</Descriptions.Item>
              <Descriptions.Item label={t('sharing.fields.purpose')}>{r.purpose}</Descriptions.Item>
              <Descriptions.Item label={t('sharing.fields.scenario')}>{r.scenario}</Descriptions.Item>
              <Descriptions.Item label={t('sharing.fields.usageScope')}>{t(`sharing.usageScopes.${r.usageScope}`)}</Descriptions.Item>
              <Descriptions.Item label={t('sharing.fields.validity')}>
                {formatDate(r.validFrom)} – {formatDate(r.validTo)}
              </Descriptions.Item>
              {r.dataOnPlatform !== null && (
                <Descriptions.Item label={t('sharing.fields.dataOnPlatform')}>
                  {r.dataOnPlatform ? t('common.yes') : t('common.no')}
                </Descriptions.Item>
              )}
              <Descriptions.Item label={t('sharing.fields.createdAt')}>{formatDateTime(r.createdAt)}</Descriptions.Item>
              {r.decidedAt && <Descriptions.Item label={t('sharing.fields.decidedAt')}>{formatDateTime(r.decidedAt)}</Descriptions.Item>}
            </Descriptions>
          </Card>
          <Card title={t('sharing.detail.deadlines')} style={{ marginTop: 24 }}>
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={r.deadlines}
              data-testid="request-deadlines"
              locale={{ emptyText: <Empty description={t('sharing.detail.noDeadlines')} /> }}
              rowClassName={(d) => (d.overdue ? 'row-overdue' : '')}
              columns={[
                { title: t('sharing.deadline.kind'), key: 'kind', render: (_v, d) => t(`sharing.deadline.kinds.${d.kind}`) },
                { title: t('sharing.deadline.workingDays'), dataIndex: 'workingDays' },
                { title: t('sharing.deadline.start'), key: 'start', render: (_v, d) => formatDate(`${d.startDate}T12:00:00+08:00`) },
                { title: t('sharing.deadline.dueAt'), key: 'due', render: (_v, d) => formatDateTime(d.dueAt) },
                {
                  title: t('sharing.deadline.status'),
                  key: 'status',
                  render: (_v, d) =>
                    d.overdue ? <Tag color="red">{t('sharing.deadline.overdue')}</Tag> : t(`sharing.deadline.statuses.${d.status}`),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title={t('sharing.detail.timeline')}>
            <Timeline
              data-testid="request-timeline"
              items={r.events.map((e) => ({
                key: e.id,
                color: e.kind === 'message' ? 'gray' : e.toState === 'approved' ? 'green' : e.toState === 'rejected' ? 'red' : 'blue',
                dot: e.kind === 'message' ? <MessageOutlined /> : undefined,
                content: (
                  <Space orientation="vertical" size={0}>
                    <span>
                      {e.kind === 'message' ? (
                        <Typography.Text strong>{t('sharing.detail.message')}</Typography.Text>
                      ) : (
                        e.toState && <SharingStateTag state={e.toState} />
                      )}{' '}
                      {e.actorName} · {t(`sharing.roles.${e.byRole}`)}
                    </span>
                    {e.comment && <Typography.Text style={{ whiteSpace: 'pre-wrap' }}>{e.comment}</Typography.Text>}
                    <Typography.Text type="secondary">{formatDateTime(e.at)}</Typography.Text>
                  </Space>
                ),
              }))}
            />
            {r.canMessage && <MessageBox id={id} onSent={setR} />}
          </Card>
        </Col>
      </Row>

      {step?.grants && (
        <DecisionModal
          request={r}
          resource={resource ?? null}
          title={label(step)}
          onClose={() => setStep(null)}
          onSubmit={(c, terms) => take(step.to, c, terms)}
        />
      )}
      <CommentModal
        open={!!step && !step.grants}
        title={step ? label(step) : ''}
        danger={step?.refusal || step?.to === 'withdrawn'}
        label={step?.refusal ? t('sharing.detail.reason') : t('sharing.detail.comment')}
        onClose={() => setStep(null)}
        testId="step-comment"
        onSubmit={async (comment) => {
          if (step?.refusal && comment.length < MIN_REASON) throw new Error(t('sharing.detail.reasonTooShort', { min: MIN_REASON }));
          if (step) await take(step.to, comment);
        }}
      />
    </Space>
  );
}

function MessageBox({ id, onSent }: { id: string; onSent(r: RequestDetail): void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      onSent(await post<RequestDetail>(`/api/sharing/requests/${id}/messages`, { text: text.trim() }));
      setText('');
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Divider style={{ margin: '8px 0' }} />
      <label htmlFor="sharing-message">{t('sharing.detail.newMessage')}</label>
      <Input.TextArea id="sharing-message" rows={3} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} />
      {error && <Alert type="error" showIcon title={error} role="alert" />}
      <Button onClick={() => void send()} loading={busy} disabled={!text.trim()} data-testid="message-send">
        {t('sharing.detail.send')}
      </Button>
    </Space>
  );
}

interface DecisionValues {
  fields: string[];
  actions: Action[];
  validTo: Dayjs;
  calls: QuotaLimits;
  rows: QuotaLimits;
  businessRefRequired: boolean;
  clearFields: string[];
  notes: string;
  verifyPerMinute: number | null;
  comment: string;
}

const PERIODS = ['day', 'month', 'total'] as const;

/** Only the limits given (an empty quota is no quota). */
function limits(q: QuotaLimits | undefined): QuotaLimits | undefined {
  const out = Object.fromEntries(PERIODS.filter((p) => q?.[p]).map((p) => [p, q![p]]));
  return Object.keys(out).length ? out : undefined;
}

/** The approving decision: the grant's terms, pre-filled with the request, each of which may only narrow it. */
function DecisionModal({
  request,
  resource,
  title,
  onClose,
  onSubmit,
}: {
  request: RequestDetail;
  resource: Resource | null;
  title: string;
  onClose(): void;
  onSubmit(comment: string, terms: Terms): Promise<void>;
}) {
  const { t } = useTranslation();
  const en = useEn();
  const [form] = Form.useForm<DecisionValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chosen = Form.useWatch('fields', form) ?? request.fields;
  const pii = (code: string) => resource?.fields.find((f) => f.code === code)?.piiKind ?? 'none';

  const submit = async (v: DecisionValues) => {
    const calls = limits(v.calls);
    const rows = limits(v.rows);
    const terms: Terms = {
      fields: v.fields,
      actions: v.actions,
      ...(shanghaiDay(v.validTo.toDate()) !== shanghaiDay(request.validTo)
        ? { validTo: `${v.validTo.format('YYYY-MM-DD')}T23:59:59+08:00` }
        : {}),
      ...(calls || rows ? { quota: { ...(calls ? { calls } : {}), ...(rows ? { rows } : {}) } } : {}),
      conditions: {
        businessRefRequired: v.businessRefRequired,
        clearFields: v.clearFields.filter((f) => v.fields.includes(f)),
        ...(v.notes?.trim() ? { notes: v.notes.trim() } : {}),
        ...(v.verifyPerMinute ? { verifyPerMinute: v.verifyPerMinute } : {}),
      },
    };
    setBusy(true);
    setError(null);
    try {
      await onSubmit(v.comment.trim(), terms);
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const quotaRow = (kind: 'calls' | 'rows') => (
    <Row gutter={12}>
      {PERIODS.map((p) => (
        <Col span={8} key={p}>
          <Form.Item name={[kind, p]} label={t(`sharing.decision.${kind}Per.${p}`)}>
            <InputNumber min={1} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      ))}
    </Row>
  );

  return (
    <Modal
      open
      width={760}
      title={title}
      okText={title}
      cancelText={t('common.cancel')}
      okButtonProps={{ 'data-testid': 'decision-ok' } as ButtonProps}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form<DecisionValues>
        form={form}
        name="decision"
        layout="vertical"
        onFinish={(v) => void submit(v)}
        data-testid="decision-form"
        initialValues={{
          fields: request.fields,
          actions: request.actions,
          validTo: dayjs(request.validTo),
          businessRefRequired: false,
          clearFields: [],
          notes: '',
          verifyPerMinute: null,
        }}
      >
        <Typography.Paragraph type="secondary">{t('sharing.decision.intro')}</Typography.Paragraph>
        <Form.Item
          name="fields"
          label={t('sharing.decision.fields')}
          rules={[{ required: true, type: 'array', min: 1, message: t('sharing.wizard.fieldsRequired') }]}
        >
          <Checkbox.Group options={request.fields.map((c) => ({ value: c, label: fieldName(resource, c, en) }))} />
        </Form.Item>
        <Form.Item
          name="actions"
          label={t('sharing.decision.actions')}
          rules={[{ required: true, type: 'array', min: 1, message: t('sharing.wizard.actionsRequired') }]}
        >
          <Checkbox.Group
            options={ACTIONS.filter((a) => request.actions.includes(a)).map((a) => ({ value: a, label: t(`sharing.actions.${a}`) }))}
          />
        </Form.Item>
        <Form.Item name="validTo" label={t('sharing.decision.validTo')} rules={[{ required: true }]}>
          <DatePicker
            allowClear={false}
            disabledDate={(d) => d.isBefore(dayjs(), 'day') || d.isAfter(dayjs(request.validTo), 'day')}
            aria-label={t('sharing.decision.validTo')}
          />
        </Form.Item>
        <Typography.Title level={5}>{t('sharing.decision.callsQuota')}</Typography.Title>
        {quotaRow('calls')}
        <Typography.Title level={5}>{t('sharing.decision.rowsQuota')}</Typography.Title>
        {quotaRow('rows')}
        <Typography.Title level={5}>{t('sharing.decision.conditions')}</Typography.Title>
        <Space align="center" style={{ marginBottom: 16 }}>
          <Form.Item name="businessRefRequired" valuePropName="checked" noStyle>
            <Switch id="decision-businessRef" />
          </Form.Item>
          <label htmlFor="decision-businessRef">{t('sharing.decision.businessRefRequired')}</label>
        </Space>
        <Form.Item name="clearFields" label={t('sharing.decision.clearFields')} extra={t('sharing.decision.clearFieldsHelp')}>
          <Select
            mode="multiple"
            allowClear
            options={chosen
              .filter((c) => pii(c) !== 'none')
              .map((c) => ({ value: c, label: `${fieldName(resource, c, en)} · ${t(`catalog.pii.${pii(c)}`)}` }))}
          />
        </Form.Item>
        <Form.Item name="verifyPerMinute" label={t('sharing.decision.verifyPerMinute')}>
          <InputNumber min={1} max={10_000} precision={0} />
        </Form.Item>
        <Form.Item name="notes" label={t('sharing.decision.notes')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Form.Item
          name="comment"
          label={t('sharing.detail.comment')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('sharing.detail.comment') }) }]}
        >
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" data-testid="decision-error" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
