// 共享申请: the request wizard. Step 1 picks a shareable resource of another organization (search over the
// shareable catalog), step 2 the minimum fields (each with its share attribute and personal-information kind) and
// the actions, step 3 the legal basis, purpose, scenario, usage scope and validity. Reached from the menu, from a
// resource's page (?resourceId=) and from a grant to renew (?renews=<entitlement id>, everything pre-filled).
import { useEffect, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Select,
  Space,
  Steps,
  Table,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage, get, post } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { ModeTag, NameCode, useEn, useName } from '../catalog/common.tsx';
import type { Field, Resource, SearchResult } from '../catalog/types.ts';
import { ACTIONS, USAGE_SCOPES, type Action, type Entitlement, type RequestDetail, type UsageScope } from './types.ts';

interface WizardValues {
  resourceId: string;
  fields: string[];
  actions: Action[];
  legalBasis: string;
  purpose: string;
  scenario: string;
  usageScope: UsageScope;
  validity: [Dayjs, Dayjs];
}

const STEP_FIELDS: (keyof WizardValues)[][] = [
  ['resourceId'],
  ['fields', 'actions'],
  ['legalBasis', 'purpose', 'scenario', 'usageScope', 'validity'],
];

/** A China calendar date at the start or the end of the day, as the API's date-time. */
const chinaInstant = (d: Dayjs, end: boolean) => `${d.format('YYYY-MM-DD')}T${end ? '23:59:59' : '00:00:00'}+08:00`;

export default function RequestWizardPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const name = useName();
  const [params] = useSearchParams();
  const renews = params.get('renews');
  const [form] = Form.useForm<WizardValues>();
  const [step, setStep] = useState(0);
  const [resource, setResource] = useState<Resource | null>(null);
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const [searching, setSearching] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | null>(null);
  const resourceId = Form.useWatch('resourceId', { form, preserve: true });

  // The shareable catalog of other organizations (published resources the search shows the user).
  const search = (q: string) => {
    if (timer.current) window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      setSearching(true);
      get<SearchResult>('/api/search/resources', {
        q: q.trim() || undefined,
        share: 'unconditional,conditional',
        pageSize: 20,
        facets: false,
      })
        .then((r) =>
          setOptions(
            r.items
              .filter((x) => x.org.id !== me?.org?.id && (x.status === 'published' || x.status === 'updated'))
              .map((x) => ({ value: x.id, label: `${name(x)} · ${name(x.org)} (${x.code})` })),
          ),
        )
        .catch(() => setOptions([]))
        .finally(() => setSearching(false));
    }, 250);
  };

  // Pre-fill: a resource from its page, or everything from the grant being renewed.
  useEffect(() => {
    search('');
    const fromResource = params.get('resourceId');
    if (renews) {
      get<Entitlement>(`/api/entitlements/${renews}`)
        .then((e) =>
          form.setFieldsValue({
            resourceId: e.resourceId,
            fields: e.fields ?? [],
            actions: e.actions,
            legalBasis: e.legalBasis,
            purpose: e.purpose,
            scenario: e.scenario,
          }),
        )
        .catch((e: unknown) => setError(errorMessage(e)));
    } else if (fromResource) form.setFieldsValue({ resourceId: fromResource });
    // Runs once: the query string is read when the wizard opens.
  }, []);

  useEffect(() => {
    if (!resourceId) {
      setResource(null);
      return;
    }
    let live = true;
    get<Resource>(`/api/catalog/resources/${resourceId}`)
      .then((r) => {
        if (!live) return;
        setResource(r);
        setOptions((o) => (o.some((x) => x.value === r.id) ? o : [{ value: r.id, label: `${name(r)} (${r.code})` }, ...o]));
      })
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
    // name() follows the language; the resource is reloaded only when another one is chosen.
  }, [resourceId]);

  const next = async () => {
    try {
      await form.validateFields(STEP_FIELDS[step]);
      setStep(step + 1);
    } catch {
      // The form shows what is missing.
    }
  };

  const submit = async () => {
    try {
      await form.validateFields(STEP_FIELDS[2]);
    } catch {
      return;
    }
    const v = form.getFieldsValue(true) as WizardValues;
    const [from, to] = v.validity;
    setBusy(true);
    setError(null);
    try {
      const created = await post<RequestDetail>('/api/sharing/requests', {
        resourceId: v.resourceId,
        fields: v.fields,
        actions: v.actions,
        legalBasis: v.legalBasis.trim(),
        purpose: v.purpose.trim(),
        scenario: v.scenario.trim(),
        usageScope: v.usageScope,
        ...(from.isAfter(dayjs(), 'day') ? { validFrom: chinaInstant(from, false) } : {}),
        validTo: chinaInstant(to, true),
        ...(renews ? { renewsEntitlementId: renews } : {}),
      });
      message.success(t('sharing.wizard.submitted', { number: created.number }));
      navigate(`/sharing/requests/${created.id}`);
    } catch (e) {
      setError(e instanceof ApiError && e.details.field ? `${e.message} (${String(e.details.field)})` : errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const shareable = (f: Field) => f.shareMode !== 'none';
  const columns: TableColumnsType<Field> = [
    {
      title: t('sharing.wizard.field'),
      key: 'name',
      render: (_v, f) => <NameCode item={f} />,
    },
    { title: t('catalog.field.share'), key: 'share', render: (_v, f) => <ModeTag kind="share" mode={f.shareMode} /> },
    {
      title: t('catalog.field.pii'),
      key: 'pii',
      render: (_v, f) => (f.piiKind === 'none' ? '—' : <Tag color="magenta">{t(`catalog.pii.${f.piiKind}`)}</Tag>),
    },
  ];

  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t(renews ? 'sharing.wizard.renewTitle' : 'sharing.wizard.title')}</h1>}>
      <Typography.Paragraph type="secondary">{t('sharing.wizard.intro')}</Typography.Paragraph>
      <Steps
        current={step}
        style={{ marginBottom: 24 }}
        items={[
          { title: t('sharing.wizard.stepResource') },
          { title: t('sharing.wizard.stepFields') },
          { title: t('sharing.wizard.stepBasis') },
        ]}
      />
      <Form<WizardValues>
        form={form}
        layout="vertical"
        name="sharingWizard"
        data-testid="sharing-wizard"
        initialValues={{ actions: ['query'], usageScope: 'business_collaboration', validity: [dayjs(), dayjs().add(1, 'year')] }}
        style={{ maxWidth: 880 }}
      >
        {step === 0 && (
          <>
            <Form.Item
              name="resourceId"
              label={t('sharing.wizard.resource')}
              extra={t('sharing.wizard.resourceHelp')}
              rules={[{ required: true, message: t('sharing.wizard.resourceRequired') }]}
            >
              <Select
                showSearch
                filterOption={false}
                onSearch={search}
                loading={searching}
                options={options}
                placeholder={t('catalog.pickResource')}
                notFoundContent={searching ? t('app.loading') : t('common.noData')}
                onChange={() => form.setFieldsValue({ fields: [] })}
              />
            </Form.Item>
            {resource && <ResourceSummary r={resource} />}
          </>
        )}
        {step === 1 && resource && (
          <>
            <Form.Item
              name="fields"
              label={t('sharing.wizard.fields')}
              extra={t('sharing.wizard.fieldsHelp')}
              rules={[{ required: true, type: 'array', min: 1, message: t('sharing.wizard.fieldsRequired') }]}
              valuePropName="selectedRowKeys"
              getValueFromEvent={(keys: React.Key[]) => keys.map(String)}
            >
              <FieldTable resource={resource} columns={columns} shareable={shareable} />
            </Form.Item>
            <Form.Item
              name="actions"
              label={t('sharing.wizard.actions')}
              rules={[{ required: true, type: 'array', min: 1, message: t('sharing.wizard.actionsRequired') }]}
            >
              <Checkbox.Group options={ACTIONS.map((a) => ({ value: a, label: t(`sharing.actions.${a}`) }))} />
            </Form.Item>
          </>
        )}
        {step === 2 && (
          <>
            <Form.Item
              name="legalBasis"
              label={t('sharing.fields.legalBasis')}
              extra={t('sharing.wizard.legalBasisHelp')}
              rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('sharing.fields.legalBasis') }) }]}
            >
              <Input.TextArea rows={2} maxLength={1000} showCount />
            </Form.Item>
            <Form.Item
              name="purpose"
              label={t('sharing.fields.purpose')}
              rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('sharing.fields.purpose') }) }]}
            >
              <Input maxLength={500} />
            </Form.Item>
            <Form.Item
              name="scenario"
              label={t('sharing.fields.scenario')}
              rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('sharing.fields.scenario') }) }]}
            >
              <Input maxLength={500} />
            </Form.Item>
            <Form.Item name="usageScope" label={t('sharing.fields.usageScope')} rules={[{ required: true }]}>
              <Select options={USAGE_SCOPES.map((s) => ({ value: s, label: t(`sharing.usageScopes.${s}`) }))} />
            </Form.Item>
            <Form.Item
              name="validity"
              label={t('sharing.fields.validity')}
              extra={t('sharing.wizard.validityHelp')}
              rules={[{ required: true, message: t('common.required', { field: t('sharing.fields.validity') }) }]}
            >
              <DatePicker.RangePicker
                allowClear={false}
                disabledDate={(d) => d.isBefore(dayjs(), 'day')}
                aria-label={t('sharing.fields.validity')}
              />
            </Form.Item>
          </>
        )}
        {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} data-testid="wizard-error" />}
        <Space>
          {step > 0 && <Button onClick={() => setStep(step - 1)}>{t('sharing.wizard.previous')}</Button>}
          {step < 2 && (
            <Button type="primary" onClick={() => void next()} disabled={step === 0 && !resource} data-testid="wizard-next">
              {t('sharing.wizard.next')}
            </Button>
          )}
          {step === 2 && (
            <Button type="primary" loading={busy} onClick={() => void submit()} data-testid="wizard-submit">
              {t('sharing.wizard.submit')}
            </Button>
          )}
        </Space>
      </Form>
    </Card>
  );
}

function ResourceSummary({ r }: { r: Resource }) {
  const { t } = useTranslation();
  const name = useName();
  const en = useEn();
  return (
    <Descriptions size="small" column={1} bordered data-testid="wizard-resource" style={{ marginBottom: 24 }}>
      <Descriptions.Item label={t('catalog.fields.providerOrg')}>{name(r.providerOrg)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.shareMode')}>
        <ModeTag kind="share" mode={r.shareMode} />
        {r.shareConditions && <div>{r.shareConditions}</div>}
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.abstract')}>{en ? r.abstractEn || r.abstractZh : r.abstractZh}</Descriptions.Item>
    </Descriptions>
  );
}

/** The resource's fields as a table with checkboxes (a form control: selectedRowKeys / onChange). */
function FieldTable({
  resource,
  columns,
  shareable,
  selectedRowKeys,
  onChange,
}: {
  resource: Resource;
  columns: TableColumnsType<Field>;
  shareable(f: Field): boolean;
  selectedRowKeys?: string[];
  onChange?(keys: React.Key[]): void;
}) {
  return (
    <Table<Field>
      rowKey="code"
      size="small"
      pagination={false}
      columns={columns}
      dataSource={resource.fields}
      data-testid="wizard-fields"
      rowSelection={{
        selectedRowKeys: selectedRowKeys ?? [],
        onChange: (keys) => onChange?.(keys),
        getCheckboxProps: (f) => ({ disabled: !shareable(f), 'aria-label': f.code }),
      }}
    />
  );
}
