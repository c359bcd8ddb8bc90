// One conditional open application (/open/applications/:id): what was applied for, the documents, the timeline,
// the steps the caller may take (provider: approve with the agreement's terms / reject with reasons / ask for
// more; applicant: supplement and resubmit / withdraw), and after approval the agreement with its access state
// and usage reports (applicant: submit a report; provider: reinstate access suspended for an overdue report).
import { useCallback, useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import {
  Alert,
  Button,
  type ButtonProps,
  Card,
  Checkbox,
  DatePicker,
  Descriptions,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { PaperClipOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, post } from '../../api.ts';
import Loading from '../../components/Loading.tsx';
import UploadDropzone, { formatBytes, type UploadedFile } from '../../components/UploadDropzone.tsx';
import { formatDate, formatDateTime } from '../../format.ts';
import { useName } from '../catalog/common.tsx';
import { AccessTag, OpenApplyStateTag, OpenDeadlineCountdown } from '../../portal/apply/common.tsx';
import type { OpenApplicationDetail, OpenApplyState, UsageReport } from '../../portal/apply/types.ts';

type Dialog =
  { kind: 'approve' | 'reject' | 'ask' | 'resubmit' | 'withdraw' } | { kind: 'report'; report: UsageReport } | { kind: 'reinstate' };

const chinaEnd = (d: Dayjs) => `${d.format('YYYY-MM-DD')}T23:59:59+08:00`;

export default function DetailPage() {
  const { t } = useTranslation();
  const name = useName();
  const { id = '' } = useParams();
  const [a, setA] = useState<OpenApplicationDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [docs, setDocs] = useState<UploadedFile[]>([]);
  const [form] = Form.useForm();

  const load = useCallback(async () => {
    try {
      setA(await get<OpenApplicationDetail>(`/api/open-applications/${encodeURIComponent(id)}`));
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  if (error) return <Alert type="error" showIcon title={error} role="alert" />;
  if (!a) return <Loading />;

  const open = (d: Dialog) => {
    form.resetFields();
    setDocs([]);
    setDialogError(null);
    setDialog(d);
  };

  const stepTo = (kind: string): OpenApplyState =>
    kind === 'approve'
      ? 'approved'
      : kind === 'reject'
        ? 'rejected'
        : kind === 'ask'
          ? 'supplement'
          : kind === 'resubmit'
            ? 'provider_review'
            : 'withdrawn';

  const submit = async () => {
    if (!dialog) return;
    const v = await form.validateFields();
    setBusy(true);
    setDialogError(null);
    try {
      let next: OpenApplicationDetail;
      if (dialog.kind === 'report') {
        next = await post(`/api/open-applications/${a.id}/reports/${dialog.report.id}`, { content: v.content });
      } else if (dialog.kind === 'reinstate') {
        next = await post(`/api/open-applications/${a.id}/reinstate`, { comment: v.comment });
      } else {
        next = await post(`/api/open-applications/${a.id}/transitions`, {
          to: stepTo(dialog.kind),
          comment: v.comment,
          ...(dialog.kind === 'approve'
            ? {
                terms: {
                  fields: v.fields,
                  reportEveryDays: v.reportEveryDays,
                  ...(v.text?.trim() ? { text: v.text } : {}),
                  ...(v.validTo ? { validTo: chinaEnd(v.validTo as Dayjs) } : {}),
                },
              }
            : {}),
          ...(dialog.kind === 'resubmit'
            ? { documents: docs.map((d) => d.uploadId), ...(v.securityMeasures?.trim() ? { securityMeasures: v.securityMeasures } : {}) }
            : {}),
        });
      }
      setA(next);
      setDialog(null);
    } catch (e) {
      setDialogError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const canDo = (to: OpenApplyState) => a.allowed.some((x) => x.to === to);
  const isApplicant = a.myRoles.includes('applicant');
  const ag = a.agreement;

  const reportColumns = [
    { title: t('openApply.report.period'), dataIndex: 'period', key: 'period' },
    { title: t('openApply.report.dueDate'), dataIndex: 'dueDate', key: 'due' },
    {
      title: t('openApply.report.status'),
      key: 'status',
      render: (_v: unknown, r: UsageReport) => (
        <Space>
          <Tag color={r.status === 'overdue' ? 'red' : r.status === 'due' ? 'blue' : 'green'}>
            {t(`openApply.report.statuses.${r.status}`)}
          </Tag>
          {r.workingDaysLeft !== null && r.workingDaysLeft >= 0 && (
            <Typography.Text type="secondary">{t('openApply.deadline.workingDaysLeft', { count: r.workingDaysLeft })}</Typography.Text>
          )}
        </Space>
      ),
    },
    { title: t('openApply.report.content'), dataIndex: 'content', key: 'content', render: (c: string | null) => c ?? '—' },
    {
      title: '',
      key: 'act',
      render: (_v: unknown, r: UsageReport) =>
        isApplicant && (r.status === 'due' || r.status === 'overdue') ? (
          <Button size="small" onClick={() => open({ kind: 'report', report: r })} data-testid={`openapply-report-${r.period}`}>
            {t('openApply.report.submit')}
          </Button>
        ) : null,
    },
  ];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        title={
          <h1 style={{ fontSize: 18, margin: 0 }}>
            {t('openApply.detail.title', { number: a.number })} <OpenApplyStateTag state={a.state} />
          </h1>
        }
        extra={
          <Space wrap>
            {canDo('approved') && (
              <Button type="primary" onClick={() => open({ kind: 'approve' })} data-testid="openapply-approve">
                {t('openApply.actions.approve')}
              </Button>
            )}
            {canDo('supplement') && (
              <Button onClick={() => open({ kind: 'ask' })} data-testid="openapply-ask">
                {t('openApply.actions.ask')}
              </Button>
            )}
            {canDo('rejected') && (
              <Button danger onClick={() => open({ kind: 'reject' })} data-testid="openapply-reject">
                {t('openApply.actions.reject')}
              </Button>
            )}
            {canDo('provider_review') && (
              <Button type="primary" onClick={() => open({ kind: 'resubmit' })} data-testid="openapply-resubmit">
                {t('openApply.actions.resubmit')}
              </Button>
            )}
            {canDo('withdrawn') && (
              <Button onClick={() => open({ kind: 'withdraw' })} data-testid="openapply-withdraw">
                {t('openApply.actions.withdraw')}
              </Button>
            )}
          </Space>
        }
      >
        {a.state === 'supplement' && a.supplementRequest && (
          <Alert
            type="warning"
            showIcon
            title={t('openApply.detail.supplementRequest')}
            description={a.supplementRequest}
            style={{ marginBottom: 16 }}
          />
        )}
        {a.state === 'rejected' && a.refusalReason && (
          <Alert
            type="error"
            showIcon
            title={t('openApply.detail.refusalReason')}
            description={a.refusalReason}
            style={{ marginBottom: 16 }}
          />
        )}
        <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered>
          <Descriptions.Item label={t('openApply.fields.resource')}>
            {name(a.resource)}{' '}
            <Typography.Text type="secondary" className="mono">
              {a.resource.code}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('openApply.fields.providerOrg')}>{name(a.providerOrg)}</Descriptions.Item>
          <Descriptions.Item label={t('openApply.fields.applicant')}>
            {a.applicantName} · {name(a.applicantOrg)} <Tag>{t(`openApply.kinds.${a.applicantKind}`)}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('openApply.fields.nextDeadline')}>
            <OpenDeadlineCountdown deadline={a.nextDeadline} />
          </Descriptions.Item>
          <Descriptions.Item label={t('openApply.fields.fields')} span={2}>
            <span className="mono">{a.fields.join(', ')}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('openApply.fields.purpose')} span={2}>
            {a.purpose}
          </Descriptions.Item>
          <Descriptions.Item label={t('openApply.fields.scenario')} span={2}>
            {a.scenario}
          </Descriptions.Item>
          <Descriptions.Item label={t('openApply.fields.securityMeasures')} span={2}>
            {a.securityMeasures}
          </Descriptions.Item>
          <Descriptions.Item label={t('openApply.fields.period')} span={2}>
            {formatDate(a.periodFrom)} – {formatDate(a.periodTo)}
          </Descriptions.Item>
          <Descriptions.Item label={t('openApply.fields.documents')} span={2}>
            {a.documents.length ? (
              <List
                size="small"
                dataSource={a.documents}
                data-testid="openapply-detail-documents"
                renderItem={(d) => (
                  <List.Item>
                    <Space>
                      <PaperClipOutlined />
                      <a href={`/api/open-applications/${a.id}/documents/${d.id}`} target="_blank" rel="noreferrer">
                        {d.fileName}
                      </a>
                      <Typography.Text type="secondary">
                        {formatBytes(d.size)} · {t(`openApply.stages.${d.stage}`)}
                      </Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
            ) : (
              '—'
            )}
          </Descriptions.Item>
        </Descriptions>
      </Card>

      {ag && (
        <Card
          title={t('openApply.agreement.title', { number: ag.number })}
          data-testid="openapply-agreement"
          extra={
            ag.canReinstate && (
              <Button type="primary" onClick={() => open({ kind: 'reinstate' })} data-testid="openapply-reinstate">
                {t('openApply.actions.reinstate')}
              </Button>
            )
          }
        >
          <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered>
            <Descriptions.Item label={t('openApply.agreement.access')}>
              <AccessTag state={ag.entitlementState} />
              {ag.entitlementState === 'suspended' && ag.entitlementReason && (
                <Typography.Text type="secondary"> {ag.entitlementReason}</Typography.Text>
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('openApply.agreement.validity')}>
              {formatDate(ag.validFrom)} – {formatDate(ag.validTo)}
            </Descriptions.Item>
            <Descriptions.Item label={t('openApply.fields.fields')}>
              <span className="mono">{ag.fields.join(', ')}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('openApply.agreement.actions')}>
              {ag.actions.map((x) => t(`openApply.agreement.actionNames.${x}`)).join('、')}
            </Descriptions.Item>
            <Descriptions.Item label={t('openApply.agreement.obligation')} span={2}>
              {t('openApply.agreement.reportEvery', { days: ag.reportEveryDays, grace: ag.reportGraceDays })}
            </Descriptions.Item>
            <Descriptions.Item label={t('openApply.agreement.terms')} span={2}>
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{ag.terms}</Typography.Paragraph>
            </Descriptions.Item>
          </Descriptions>
          {isApplicant && (
            <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
              {t('openApply.agreement.howToUse', { id: a.resource.id })}
            </Typography.Paragraph>
          )}
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('openApply.report.title')}
          </Typography.Title>
          <Table<UsageReport>
            rowKey="id"
            size="small"
            pagination={false}
            columns={reportColumns}
            dataSource={ag.reports}
            data-testid="openapply-reports"
          />
        </Card>
      )}

      <Card title={t('openApply.detail.timeline')}>
        <Timeline
          items={a.events.map((e) => ({
            key: e.id,
            children: (
              <>
                <Typography.Text strong>{t(`openApply.states.${e.toState}`)}</Typography.Text>{' '}
                <Typography.Text type="secondary">
                  {formatDateTime(e.at)} · {t(`openApply.roles.${e.byRole}`)} {e.actorName}
                </Typography.Text>
                <div style={{ whiteSpace: 'pre-wrap' }}>{e.comment}</div>
              </>
            ),
          }))}
        />
      </Card>

      <Modal
        open={!!dialog}
        title={dialog ? t(`openApply.dialogs.${dialog.kind}`) : ''}
        onCancel={() => setDialog(null)}
        onOk={() => void submit()}
        okButtonProps={{ loading: busy, 'data-testid': 'openapply-dialog-ok' } as ButtonProps}
        destroyOnHidden
        width={640}
      >
        <Form
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{
            fields: a.fields,
            reportEveryDays: 90,
            validTo: dayjs(a.periodTo),
          }}
        >
          {dialog?.kind === 'report' ? (
            <Form.Item
              name="content"
              label={t('openApply.report.content')}
              extra={t('openApply.report.help')}
              rules={[{ required: true, whitespace: true, min: 10, message: t('openApply.report.tooShort') }]}
            >
              <Input.TextArea rows={5} maxLength={10000} showCount data-testid="openapply-report-content" />
            </Form.Item>
          ) : (
            <Form.Item
              name="comment"
              label={t(
                dialog?.kind === 'reject'
                  ? 'openApply.dialogs.reason'
                  : dialog?.kind === 'ask'
                    ? 'openApply.dialogs.what'
                    : 'openApply.dialogs.comment',
              )}
              rules={[
                {
                  required: true,
                  whitespace: true,
                  min: dialog?.kind === 'reject' || dialog?.kind === 'ask' ? 5 : 1,
                  message: t('openApply.dialogs.commentRequired'),
                },
              ]}
            >
              <Input.TextArea rows={3} maxLength={2000} showCount data-testid="openapply-dialog-comment" />
            </Form.Item>
          )}
          {dialog?.kind === 'approve' && (
            <>
              <Form.Item name="fields" label={t('openApply.fields.fields')} rules={[{ required: true, type: 'array', min: 1 }]}>
                <Checkbox.Group options={a.fields.map((f) => ({ value: f, label: f }))} />
              </Form.Item>
              <Form.Item name="validTo" label={t('openApply.agreement.validTo')}>
                <DatePicker
                  allowClear={false}
                  disabledDate={(d) => d.isBefore(dayjs(), 'day') || d.isAfter(dayjs(a.periodTo), 'day')}
                  aria-label={t('openApply.agreement.validTo')}
                />
              </Form.Item>
              <Form.Item name="reportEveryDays" label={t('openApply.agreement.reportEveryDays')}>
                <InputNumber min={1} max={366} aria-label={t('openApply.agreement.reportEveryDays')} />
              </Form.Item>
              <Form.Item name="text" label={t('openApply.agreement.terms')} extra={t('openApply.agreement.termsHelp')}>
                <Input.TextArea rows={3} maxLength={4000} data-testid="openapply-terms" />
              </Form.Item>
            </>
          )}
          {dialog?.kind === 'resubmit' && (
            <>
              <Form.Item
                name="securityMeasures"
                label={t('openApply.fields.securityMeasures')}
                extra={t('openApply.dialogs.optionalUpdate')}
              >
                <Input.TextArea rows={3} maxLength={2000} />
              </Form.Item>
              <Form.Item label={t('openApply.fields.documents')}>
                {docs.map((d) => (
                  <div key={d.uploadId}>
                    <PaperClipOutlined /> {d.fileName}
                  </div>
                ))}
                <UploadDropzone
                  key={docs.length}
                  accept=".pdf,.png,.jpg,.jpeg"
                  maxBytes={10 * 1024 * 1024}
                  onComplete={(f) => setDocs((l) => [...l, f])}
                />
              </Form.Item>
            </>
          )}
        </Form>
        {dialogError && <Alert type="error" showIcon title={dialogError} role="alert" data-testid="openapply-dialog-error" />}
      </Modal>
    </Space>
  );
}
