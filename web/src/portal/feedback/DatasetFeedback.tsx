// 纠错/数据异议 on a dataset (embedded in the portal's dataset page): the public thread of error reports with the
// provider's answers, a report form for signed-in users (kind, version, row, field), and — for the provider — the
// answer steps (accept, reject with a reason, ask for information, link the correcting version).
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, App, Button, Card, Form, Input, InputNumber, List, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, post } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { formatDateTime } from '../../format.ts';
import { nameOf, ReportStatusTag, Thread, useEn } from './common.tsx';
import type { ErrorReport, Page, ReportAction, ReportKind } from './types.ts';

/** The steps the caller may take on a report (the server lists them in `allowed`). */
export function ReportActions({ report, onDone }: { report: ErrorReport; onDone: (r: ErrorReport) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [action, setAction] = useState<ReportAction | null>(null);
  const [text, setText] = useState('');
  const [fixedVersion, setFixedVersion] = useState<number | null>(report.version + 1);
  const [busy, setBusy] = useState(false);
  if (!report.allowed.length) return null;
  const send = async () => {
    if (!action) return;
    setBusy(true);
    try {
      onDone(
        await post<ErrorReport>(`/api/feedback/reports/${report.id}/actions`, {
          action,
          text,
          ...(action === 'correct' && fixedVersion ? { fixedVersion } : {}),
        }),
      );
      setAction(null);
      setText('');
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid={`report-actions-${report.id}`}>
      <Space wrap>
        {report.allowed.map((a) => (
          <Button key={a} type={action === a ? 'primary' : 'default'} size="small" onClick={() => setAction(a)}>
            {t(`feedback.reportActions.${a}`)}
          </Button>
        ))}
      </Space>
      {action && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          {action === 'correct' && (
            <Space>
              <span>{t('feedback.reports.fixedVersionLabel')}</span>
              <InputNumber
                min={report.version + 1}
                value={fixedVersion}
                onChange={(v) => setFixedVersion(v)}
                aria-label={t('feedback.reports.fixedVersionLabel')}
              />
            </Space>
          )}
          <Input.TextArea
            rows={2}
            maxLength={2000}
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-label={t('feedback.reports.answerText')}
            placeholder={t(action === 'reject' ? 'feedback.demands.reason' : 'feedback.reports.answerText')}
          />
          <Button type="primary" size="small" loading={busy} onClick={() => void send()}>
            {t('feedback.send')}
          </Button>
        </Space>
      )}
    </Space>
  );
}

export function ReportItem({ r, onChange }: { r: ErrorReport; onChange: (r: ErrorReport) => void }) {
  const { t } = useTranslation();
  const en = useEn();
  return (
    <List.Item key={r.id} data-testid="report-item">
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Typography.Text strong>{r.number}</Typography.Text>
          <span>{t(`feedback.reportKind.${r.kind}`)}</span>
          <ReportStatusTag r={r} />
          {r.resource && <span>{nameOf(en, r.resource)}</span>}
          <Typography.Text type="secondary">
            {t('feedback.reports.where', { version: r.version })}
            {r.rowNumber !== null && ` · ${t('feedback.reports.row', { row: r.rowNumber })}`}
            {r.field && ` · ${r.field}`}
          </Typography.Text>
        </Space>
        <Typography.Text type="secondary">
          {r.reporter} · {formatDateTime(r.createdAt)} · {t('feedback.dueDate')} {r.dueDate}
        </Typography.Text>
        {r.fixedVersion && (
          <Typography.Text type="success">{t('feedback.reports.fixedVersion', { version: r.fixedVersion })}</Typography.Text>
        )}
        <Thread events={r.events} />
        <ReportActions report={r} onDone={onChange} />
      </Space>
    </List.Item>
  );
}

interface ReportForm {
  kind: ReportKind;
  description: string;
  version?: number;
  rowNumber?: number;
  field?: string;
}

export default function DatasetFeedback({ resourceId }: { resourceId: string; datasetId?: string }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const [page, setPage] = useState<Page<ErrorReport> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<ReportForm>();
  const load = useCallback(async () => {
    try {
      setPage(await get<Page<ErrorReport>>(`/api/feedback/resources/${resourceId}/reports`, { pageSize: 50 }));
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [resourceId]);
  useEffect(() => {
    void load();
  }, [load, me]);
  const submit = async (v: ReportForm) => {
    setBusy(true);
    setFormError(null);
    try {
      const clean = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== null && x !== ''));
      await post(`/api/feedback/resources/${resourceId}/reports`, clean);
      form.resetFields();
      await load();
    } catch (e) {
      setFormError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const replace = (r: ErrorReport) => setPage((p) => (p ? { ...p, items: p.items.map((x) => (x.id === r.id ? r : x)) } : p));
  return (
    <Card title={t('feedback.reports.title')} data-testid="dataset-feedback">
      {error && <Alert type="error" showIcon title={error} />}
      <List
        dataSource={page?.items ?? []}
        locale={{ emptyText: t('feedback.reports.empty') }}
        renderItem={(r) => <ReportItem r={r} onChange={replace} />}
      />
      {me ? (
        <Form
          form={form}
          layout="vertical"
          onFinish={(v) => void submit(v)}
          initialValues={{ kind: 'wrong_value' }}
          data-testid="report-form"
        >
          <Typography.Title level={3} style={{ fontSize: 16 }}>
            {t('feedback.reports.new')}
          </Typography.Title>
          {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} />}
          <Space wrap align="start">
            <Form.Item name="kind" label={t('feedback.reports.kind')}>
              <Select
                style={{ width: 180 }}
                options={(['wrong_value', 'stale', 'broken_file', 'other'] as const).map((k) => ({
                  value: k,
                  label: t(`feedback.reportKind.${k}`),
                }))}
              />
            </Form.Item>
            <Form.Item name="version" label={t('feedback.reports.version')}>
              <InputNumber min={1} placeholder={t('feedback.reports.current')} />
            </Form.Item>
            <Form.Item name="rowNumber" label={t('feedback.reports.rowNumber')}>
              <InputNumber min={1} />
            </Form.Item>
            <Form.Item name="field" label={t('feedback.reports.field')} rules={[{ max: 200 }]}>
              <Input maxLength={200} />
            </Form.Item>
          </Space>
          <Form.Item
            name="description"
            label={t('feedback.reports.description')}
            rules={[{ required: true, whitespace: true }, { max: 2000 }]}
          >
            <Input.TextArea rows={3} maxLength={2000} showCount />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t('feedback.reports.submit')}
          </Button>
        </Form>
      ) : (
        <Link to={`/login?next=${encodeURIComponent(window.location.pathname)}`}>{t('feedback.loginToReport')}</Link>
      )}
    </Card>
  );
}
