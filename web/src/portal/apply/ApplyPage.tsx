// The conditional open application form (有条件开放申请), /data/apply/:resourceId: a company, researcher or
// citizen (signed in) states the purpose, scenario, fields, period and security measures and attaches documents
// (PDF or images, uploaded with tus; the server checks their real type and size). Independent of any layout:
// the public portal places it under its own.
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { Alert, Button, Card, Checkbox, DatePicker, Form, Input, List, Radio, Space, Typography } from 'antd';
import { DeleteOutlined, PaperClipOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, post } from '../../api.ts';
import UploadDropzone, { formatBytes, type UploadedFile } from '../../components/UploadDropzone.tsx';
import Loading from '../../components/Loading.tsx';
import { useName } from '../../pages/catalog/common.tsx';
import type { Resource } from '../../pages/catalog/types.ts';
import { APPLICANT_KINDS, type ApplicantKind, type OpenApplicationDetail } from './types.ts';

interface Values {
  applicantKind: ApplicantKind;
  fields: string[];
  purpose: string;
  scenario: string;
  securityMeasures: string;
  period: [Dayjs, Dayjs];
}

const chinaInstant = (d: Dayjs, end: boolean) => `${d.format('YYYY-MM-DD')}T${end ? '23:59:59' : '00:00:00'}+08:00`;
export const DOC_MAX_BYTES = 10 * 1024 * 1024;

export default function ApplyPage() {
  const { t } = useTranslation();
  const name = useName();
  const navigate = useNavigate();
  const { resourceId = '' } = useParams();
  const [form] = Form.useForm<Values>();
  const [resource, setResource] = useState<Resource | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [docs, setDocs] = useState<UploadedFile[]>([]);
  const [dropKey, setDropKey] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    get<Resource>(`/api/catalog/resources/${encodeURIComponent(resourceId)}`)
      .then(setResource)
      .catch((e: unknown) => setLoadError(errorMessage(e)));
  }, [resourceId]);

  if (loadError) return <Alert type="error" showIcon title={loadError} role="alert" />;
  if (!resource) return <Loading />;
  const openFields = resource.fields.filter((f) => f.openMode !== 'none');

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      const [from, to] = v.period;
      const created = await post<OpenApplicationDetail>('/api/open-applications', {
        resourceId: resource.id,
        applicantKind: v.applicantKind,
        fields: v.fields,
        purpose: v.purpose,
        scenario: v.scenario,
        securityMeasures: v.securityMeasures,
        ...(from.isAfter(dayjs(), 'day') ? { periodFrom: chinaInstant(from, false) } : {}),
        periodTo: chinaInstant(to, true),
        documents: docs.map((d) => d.uploadId),
      });
      navigate(`/open/applications/${created.id}`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('openApply.apply.title', { name: name(resource) })}</h1>}>
      <Typography.Paragraph type="secondary">{t('openApply.apply.intro')}</Typography.Paragraph>
      {resource.openMode !== 'conditional' && (
        <Alert type="warning" showIcon title={t('openApply.apply.notConditional')} style={{ marginBottom: 16 }} />
      )}
      {resource.openConditions && (
        <Alert
          type="info"
          showIcon
          title={t('openApply.apply.conditions')}
          description={resource.openConditions}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(v) => void submit(v)}
        initialValues={{ applicantKind: 'company', fields: [], period: [dayjs(), dayjs().add(6, 'month')] }}
        data-testid="openapply-form"
        style={{ maxWidth: 760 }}
      >
        <Form.Item name="applicantKind" label={t('openApply.fields.applicantKind')} rules={[{ required: true }]}>
          <Radio.Group>
            {APPLICANT_KINDS.map((k) => (
              <Radio key={k} value={k} data-testid={`openapply-kind-${k}`}>
                {t(`openApply.kinds.${k}`)}
              </Radio>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item
          name="fields"
          label={t('openApply.fields.fields')}
          extra={t('openApply.apply.fieldsHelp')}
          rules={[{ required: true, type: 'array', min: 1, message: t('openApply.apply.fieldsRequired') }]}
        >
          <Checkbox.Group style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}>
            {openFields.map((f) => (
              <Checkbox key={f.code} value={f.code} data-testid={`openapply-field-${f.code}`}>
                {name(f)}{' '}
                <Typography.Text type="secondary" className="mono">
                  ({f.code})
                </Typography.Text>
              </Checkbox>
            ))}
          </Checkbox.Group>
        </Form.Item>
        <Form.Item
          name="purpose"
          label={t('openApply.fields.purpose')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('openApply.fields.purpose') }) }]}
        >
          <Input.TextArea rows={2} maxLength={1000} showCount data-testid="openapply-purpose" />
        </Form.Item>
        <Form.Item
          name="scenario"
          label={t('openApply.fields.scenario')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('openApply.fields.scenario') }) }]}
        >
          <Input.TextArea rows={2} maxLength={1000} showCount data-testid="openapply-scenario" />
        </Form.Item>
        <Form.Item
          name="securityMeasures"
          label={t('openApply.fields.securityMeasures')}
          extra={t('openApply.apply.securityHelp')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('openApply.fields.securityMeasures') }) }]}
        >
          <Input.TextArea rows={3} maxLength={2000} showCount data-testid="openapply-security" />
        </Form.Item>
        <Form.Item name="period" label={t('openApply.fields.period')} rules={[{ required: true }]}>
          <DatePicker.RangePicker
            allowClear={false}
            disabledDate={(d) => d.isBefore(dayjs(), 'day')}
            aria-label={t('openApply.fields.period')}
          />
        </Form.Item>
        <Form.Item label={t('openApply.fields.documents')} extra={t('openApply.apply.documentsHelp')}>
          <List
            size="small"
            dataSource={docs}
            locale={{ emptyText: t('openApply.apply.noDocuments') }}
            data-testid="openapply-documents"
            renderItem={(d) => (
              <List.Item
                actions={[
                  <Button
                    key="remove"
                    type="text"
                    size="small"
                    icon={<DeleteOutlined />}
                    aria-label={t('openApply.apply.removeDocument', { name: d.fileName })}
                    onClick={() => setDocs(docs.filter((x) => x.uploadId !== d.uploadId))}
                  />,
                ]}
              >
                <Space>
                  <PaperClipOutlined />
                  {d.fileName}
                  <Typography.Text type="secondary">{formatBytes(d.size)}</Typography.Text>
                </Space>
              </List.Item>
            )}
          />
          <div style={{ marginTop: 8 }}>
            <UploadDropzone
              key={dropKey}
              accept=".pdf,.png,.jpg,.jpeg"
              maxBytes={DOC_MAX_BYTES}
              onComplete={(f) => {
                setDocs((list) => [...list, f]);
                setDropKey((k) => k + 1);
              }}
            />
          </div>
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} data-testid="openapply-error" />}
        <Space>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="openapply-submit">
            {t('openApply.apply.submit')}
          </Button>
          <Button onClick={() => navigate(-1)}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </Card>
  );
}
