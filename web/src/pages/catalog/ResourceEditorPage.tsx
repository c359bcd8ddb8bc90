// 资源编目: the step-by-step resource editor (basic information → attributes and grade → fields → review and
// submit). Validation runs as the user types (required values, codes, the grade policy the server enforces);
// server refusals land on the field they name, in the step that holds it; an edit against a version someone
// else changed meanwhile (409 STALE_VERSION) says so and offers to reload.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Space,
  Steps,
  Switch,
  Table,
  Tag,
  TreeSelect,
  Typography,
  type FormInstance,
} from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage, get, patch, post, put } from '../../api.ts';
import { hasRole, useAuth } from '../../auth.tsx';
import { useOrgName, useOrgs, useOrgTreeSelect } from '../../orgs.ts';
import Loading from '../../components/Loading.tsx';
import { NotFound } from '../../components/Result.tsx';
import { GradeTag, ModeTag, orDash, useCategories, useCategoryName, useGradeLabel, useName } from './common.tsx';
import {
  DATA_TYPES,
  FORMATS,
  FREQUENCIES,
  GRADES,
  IMPACT_DEGREES,
  IMPACT_OBJECTS,
  MODES,
  PII_KINDS,
  type DataElement,
  type DataType,
  type FieldData,
  type Frequency,
  type Grade,
  type GradingFactor,
  type Mode,
  type PiiKind,
  type PolicyRule,
  type Resource,
  type ResourceData,
} from './types.ts';

interface FieldRow {
  nameZh?: string;
  nameEn?: string;
  code?: string;
  dataType?: DataType;
  length?: number | null;
  precision?: number | null;
  unit?: string;
  required?: boolean;
  elementId?: string | null;
  grade?: Grade;
  gradeLevel?: number | null;
  piiKind?: PiiKind;
  shareMode?: Mode | null;
  openMode?: Mode | null;
}

interface Values {
  providerOrgId?: string;
  nameZh?: string;
  nameEn?: string;
  abstractZh?: string;
  abstractEn?: string;
  keywords?: string[];
  subjectCategory?: string;
  domainCategory?: string;
  formats?: string[];
  updateFrequency?: Frequency;
  spatialCoverage?: string;
  temporalStart?: Dayjs | null;
  temporalEnd?: Dayjs | null;
  releaseDate?: Dayjs | null;
  license?: string;
  contactName?: string;
  contactPhone?: string;
  contactEmail?: string;
  shareMode?: Mode;
  shareConditions?: string;
  shareBasis?: string;
  openMode?: Mode;
  openConditions?: string;
  openBasis?: string;
  grade?: Grade;
  gradeLevel?: number | null;
  gradingFactors?: Partial<GradingFactor>[];
  fields?: FieldRow[];
}

/** Which step holds each top-level form value (server errors jump to it). */
const STEP_OF: Record<string, number> = {
  providerOrgId: 0,
  code: 0,
  nameZh: 0,
  nameEn: 0,
  abstractZh: 0,
  abstractEn: 0,
  keywords: 0,
  subjectCategory: 0,
  domainCategory: 0,
  formats: 0,
  updateFrequency: 0,
  spatialCoverage: 0,
  temporalStart: 0,
  temporalEnd: 0,
  releaseDate: 0,
  license: 0,
  contactName: 0,
  contactPhone: 0,
  contactEmail: 0,
  shareMode: 1,
  shareConditions: 1,
  shareBasis: 1,
  openMode: 1,
  openConditions: 1,
  openBasis: 1,
  grade: 1,
  gradeLevel: 1,
  gradingFactors: 1,
  fields: 2,
};
const STEP_NAMES = [0, 1, 2].map((s) => Object.keys(STEP_OF).filter((k) => STEP_OF[k] === s && k !== 'code'));

const FIELD_CODE = /^[A-Za-z][A-Za-z0-9_]*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const EMPTY_FIELD: FieldRow = { dataType: 'string', grade: 'general', gradeLevel: 1, piiKind: 'none', required: false };

function rank(grade: Grade | undefined, level: number | null | undefined): number {
  if (grade === 'core') return 6;
  if (grade === 'important') return 5;
  return Math.max(1, level ?? 1);
}
function fromRank(r: number): { grade: Grade; level: number | null } {
  if (r >= 6) return { grade: 'core', level: null };
  if (r === 5) return { grade: 'important', level: null };
  return { grade: 'general', level: r };
}

/** The policy rule that forbids `value` for the attribute at this grade, if any (the server checks again). */
function violated(
  policy: PolicyRule[],
  appliesTo: 'resource' | 'field',
  r: number,
  attribute: PolicyRule['attribute'],
  value?: Mode | null,
) {
  if (!value) return undefined;
  const g = fromRank(r);
  return policy.find(
    (p) =>
      p.enabled !== false &&
      p.appliesTo === appliesTo &&
      p.attribute === attribute &&
      p.grade === g.grade &&
      (p.minLevel == null || (g.level ?? 1) >= p.minLevel) &&
      p.forbidden.includes(value),
  );
}

function toValues(r: Resource): Values {
  const d: ResourceData = r.pending?.resource ?? r;
  const fields: FieldData[] = r.pending?.fields ?? r.fields;
  const day = (s: string | null) => (s ? dayjs(s) : null);
  return {
    providerOrgId: r.providerOrg.id,
    nameZh: d.nameZh,
    nameEn: d.nameEn,
    abstractZh: d.abstractZh,
    abstractEn: d.abstractEn,
    keywords: d.keywords,
    subjectCategory: d.subjectCategory,
    domainCategory: d.domainCategory,
    formats: d.formats,
    updateFrequency: d.updateFrequency,
    spatialCoverage: d.spatialCoverage,
    temporalStart: day(d.temporalStart),
    temporalEnd: day(d.temporalEnd),
    releaseDate: day(d.releaseDate),
    license: d.license,
    contactName: d.contactName,
    contactPhone: d.contactPhone,
    contactEmail: d.contactEmail,
    shareMode: d.shareMode,
    shareConditions: d.shareConditions,
    shareBasis: d.shareBasis,
    openMode: d.openMode,
    openConditions: d.openConditions,
    openBasis: d.openBasis,
    grade: d.grade,
    gradeLevel: d.gradeLevel,
    gradingFactors: d.gradingFactors,
    fields: fields.map((f) => ({ ...f })),
  };
}

function metadataBody(v: Values) {
  const s = (x: string | undefined) => (x ?? '').trim();
  const day = (x: Dayjs | null | undefined) => (x ? x.format('YYYY-MM-DD') : null);
  return {
    nameZh: s(v.nameZh),
    nameEn: s(v.nameEn),
    abstractZh: s(v.abstractZh),
    abstractEn: s(v.abstractEn),
    keywords: (v.keywords ?? []).map((k) => k.trim()).filter(Boolean),
    subjectCategory: v.subjectCategory ?? '',
    domainCategory: v.domainCategory ?? '',
    formats: v.formats ?? [],
    updateFrequency: v.updateFrequency,
    spatialCoverage: s(v.spatialCoverage),
    temporalStart: day(v.temporalStart),
    temporalEnd: day(v.temporalEnd),
    releaseDate: day(v.releaseDate),
    license: s(v.license),
    contactName: s(v.contactName),
    contactPhone: s(v.contactPhone),
    contactEmail: s(v.contactEmail),
    shareMode: v.shareMode,
    shareConditions: v.shareMode === 'conditional' ? s(v.shareConditions) : '',
    shareBasis: v.shareMode === 'none' ? s(v.shareBasis) : '',
    openMode: v.openMode,
    openConditions: v.openMode === 'conditional' ? s(v.openConditions) : '',
    openBasis: v.openMode === 'none' ? s(v.openBasis) : '',
    grade: v.grade,
    gradeLevel: v.grade === 'general' ? (v.gradeLevel ?? 1) : null,
    gradingFactors: (v.gradingFactors ?? []).filter((f): f is GradingFactor => !!f?.object && !!f.degree),
  };
}

function fieldsBody(v: Values) {
  return (v.fields ?? []).map((f) => ({
    nameZh: (f.nameZh ?? '').trim(),
    nameEn: (f.nameEn ?? '').trim(),
    code: (f.code ?? '').trim(),
    dataType: f.dataType ?? 'string',
    length: f.length ?? null,
    precision: f.precision ?? null,
    unit: (f.unit ?? '').trim(),
    required: !!f.required,
    elementId: f.elementId || null,
    grade: f.grade ?? 'general',
    gradeLevel: (f.grade ?? 'general') === 'general' ? (f.gradeLevel ?? 1) : null,
    piiKind: f.piiKind ?? 'none',
    ...(f.shareMode ? { shareMode: f.shareMode } : {}),
    ...(f.openMode ? { openMode: f.openMode } : {}),
  }));
}

/** A server error's field as a form name path: 'fields[2].openMode' or '/fields/2/openMode' → ['fields', 2, 'openMode']. */
function errorPaths(e: ApiError): (string | number)[][] {
  const d = e.details ?? {};
  const raw: string[] = [];
  if (Array.isArray(d.fields) && e.code === 'CATALOG_MISSING_METADATA') raw.push(...(d.fields as string[]));
  else if (typeof d.field === 'string') raw.push(d.field);
  else if (Array.isArray(d.errors)) {
    for (const x of d.errors as { instancePath?: string; params?: { missingProperty?: string } }[]) {
      const p = (x.instancePath ?? '') + (x.params?.missingProperty ? `/${x.params.missingProperty}` : '');
      if (p) raw.push(p);
    }
  }
  return raw.map((s) =>
    s
      .replace(/^\/?(body\/)?/, '')
      .split(/[./[\]]+/)
      .filter(Boolean)
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
  );
}

export default function ResourceEditorPage() {
  const { id } = useParams();
  return <Editor key={id ?? 'new'} id={id} />;
}

function Editor({ id }: { id?: string }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const name = useName();
  const [step, setStep] = useState(0);
  const [resource, setResource] = useState<Resource | null>(null);
  const [loading, setLoading] = useState(!!id);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState<'save' | 'submit' | null>(null);
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState(false);
  const [policy, setPolicy] = useState<PolicyRule[]>([]);
  const [elements, setElements] = useState<DataElement[]>([]);
  const authority = hasRole(me, 'authority_admin');

  const load = useCallback(async () => {
    if (!id) return;
    setLoading(true);
    try {
      const r = await get<Resource>(`/api/catalog/resources/${id}`);
      setResource(r);
      form.resetFields();
      form.setFieldsValue(toValues(r));
      setStale(false);
      setError(null);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) setMissing(true);
      else setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  }, [id, form]);

  useEffect(() => {
    void load();
    get<{ items: PolicyRule[] }>('/api/catalog/grade-policy')
      .then((p) => setPolicy(p.items))
      .catch(() => undefined);
    get<{ items: DataElement[] }>('/api/elements')
      .then((r) => setElements(r.items))
      .catch(() => undefined);
  }, [load]);

  if (missing) return <NotFound />;
  if (loading) return <Loading />;

  const stepTitles = [
    t('catalog.editor.stepBasic'),
    t('catalog.editor.stepAttributes'),
    t('catalog.editor.stepFields'),
    t('catalog.editor.stepReview'),
  ];

  const next = async () => {
    try {
      await form.validateFields(
        STEP_NAMES[step]!.map((n) => [n]),
        { recursive: true },
      );
      setStep((s) => Math.min(3, s + 1));
    } catch {
      /* the errors show on the fields */
    }
  };

  const showServerError = (e: unknown) => {
    if (e instanceof ApiError && e.code === 'STALE_VERSION') {
      setStale(true);
      return;
    }
    if (e instanceof ApiError) {
      const paths = errorPaths(e).filter((p) => typeof p[0] === 'string' && p[0] in STEP_OF);
      if (paths.length) {
        form.setFields(paths.map((p) => ({ name: p as never, errors: [errorMessage(e)] })));
        setStep(STEP_OF[p0(paths)]!);
        setError(errorMessage(e));
        return;
      }
    }
    setError(errorMessage(e));
  };

  const save = async (submit: boolean) => {
    setError(null);
    if (submit && !comment.trim()) {
      setCommentError(true);
      return;
    }
    let v: Values;
    try {
      await form.validateFields(undefined, { recursive: true });
      v = form.getFieldsValue(true) as Values;
    } catch (e) {
      const first = (e as { errorFields?: { name: (string | number)[] }[] }).errorFields?.[0]?.name[0];
      if (typeof first === 'string' && first in STEP_OF) setStep(STEP_OF[first]!);
      return;
    }
    if (submit && !(v.fields ?? []).length) {
      setStep(2);
      setError(t('catalog.editor.fieldsRequired'));
      return;
    }
    setBusy(submit ? 'submit' : 'save');
    try {
      let r: Resource;
      if (!resource) {
        r = await post<Resource>('/api/catalog/resources', {
          ...(authority && v.providerOrgId ? { providerOrgId: v.providerOrgId } : {}),
          ...metadataBody(v),
          fields: fieldsBody(v),
        });
        setResource(r);
      } else {
        const c = comment.trim() || undefined;
        r = await patch<Resource>(`/api/catalog/resources/${resource.id}`, {
          lockVersion: resource.lockVersion,
          ...(c ? { comment: c } : {}),
          ...metadataBody(v),
        });
        setResource(r);
        r = await put<Resource>(`/api/catalog/resources/${r.id}/fields`, {
          lockVersion: r.lockVersion,
          ...(c ? { comment: c } : {}),
          fields: fieldsBody(v),
        });
        setResource(r);
      }
      if (submit) {
        const to = r.allowedTransitions.find((x) => x.to === 'submitted');
        if (to)
          r = await post<Resource>(`/api/catalog/resources/${r.id}/transitions`, {
            to: 'submitted',
            comment: comment.trim(),
            lockVersion: r.lockVersion,
          });
        message.success(t('catalog.editor.submitted'));
      } else message.success(t('catalog.editor.saved'));
      navigate(`/catalog/resources/${r.id}`);
    } catch (e) {
      showServerError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={
          <h1 style={{ fontSize: 18, margin: 0 }}>
            {resource ? t('catalog.editor.editTitle', { name: name(resource) }) : t('catalog.editor.createTitle')}
          </h1>
        }
        extra={resource && <span className="mono">{resource.code}</span>}
      >
        <Steps current={step} onChange={setStep} items={stepTitles.map((title) => ({ title }))} data-testid="editor-steps" />
      </Card>
      {stale && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          data-testid="editor-stale"
          title={t('catalog.editor.staleTitle')}
          description={t('catalog.editor.staleText')}
          action={
            <Button onClick={() => void load()} data-testid="editor-reload">
              {t('catalog.editor.reload')}
            </Button>
          }
        />
      )}
      {error && (
        <Alert type="error" showIcon role="alert" title={error} data-testid="editor-error" closable onClose={() => setError(null)} />
      )}
      {resource?.status === 'published' && <Alert type="info" showIcon title={t('catalog.editor.revisionNote')} />}
      <Card>
        <Form<Values>
          form={form}
          layout="vertical"
          name="resourceEditor"
          data-testid="resource-editor"
          initialValues={{
            keywords: [],
            formats: [],
            shareMode: 'unconditional',
            openMode: 'none',
            grade: 'general',
            gradeLevel: 1,
            gradingFactors: [],
            fields: [],
            providerOrgId: me?.org?.id,
          }}
          scrollToFirstError
        >
          <div hidden={step !== 0}>
            <BasicStep authority={authority} creating={!resource} />
          </div>
          <div hidden={step !== 1}>
            <AttributesStep form={form} policy={policy} />
          </div>
          <div hidden={step !== 2}>
            <FieldsStep form={form} policy={policy} elements={elements} />
          </div>
          {step === 3 && (
            <ReviewStep
              values={form.getFieldsValue(true) as Values}
              comment={comment}
              setComment={(c) => {
                setComment(c);
                if (c.trim()) setCommentError(false);
              }}
              commentError={commentError}
              revision={!!resource && (resource.status === 'published' || resource.status === 'updated')}
            />
          )}
        </Form>
        <Space style={{ marginTop: 24 }} wrap>
          {step > 0 && (
            <Button onClick={() => setStep(step - 1)} data-testid="editor-prev">
              {t('catalog.editor.prev')}
            </Button>
          )}
          {step < 3 && (
            <Button type="primary" onClick={() => void next()} data-testid="editor-next">
              {t('catalog.editor.next')}
            </Button>
          )}
          <Button onClick={() => void save(false)} loading={busy === 'save'} disabled={!!busy} data-testid="editor-save">
            {t('catalog.editor.saveDraft')}
          </Button>
          {step === 3 && (
            <Button
              type="primary"
              onClick={() => void save(true)}
              loading={busy === 'submit'}
              disabled={!!busy}
              data-testid="editor-submit"
            >
              {t('catalog.editor.saveSubmit')}
            </Button>
          )}
          <Button type="link" onClick={() => navigate(resource ? `/catalog/resources/${resource.id}` : '/catalog')}>
            {t('common.cancel')}
          </Button>
        </Space>
      </Card>
    </Space>
  );
}

function p0(paths: (string | number)[][]): string {
  return String(paths[0]![0]);
}

function BasicStep({ authority, creating }: { authority: boolean; creating: boolean }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const cats = useCategories();
  const name = useName();
  const orgName = useOrgName();
  const { orgs } = useOrgs();
  const orgTree = useOrgTreeSelect(orgs);
  const req = (field: string) => [{ required: true, whitespace: true, message: t('common.required', { field }) }];
  return (
    <Row gutter={16}>
      <Col xs={24} md={12}>
        <Form.Item
          name="providerOrgId"
          label={t('catalog.fields.providerOrg')}
          rules={authority ? req(t('catalog.fields.providerOrg')) : []}
        >
          {authority && creating ? (
            <TreeSelect treeData={orgTree} showSearch treeNodeFilterProp="title" treeDefaultExpandAll />
          ) : (
            <Select disabled options={[{ value: me?.org?.id ?? '', label: orgName(me?.org) }]} />
          )}
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item name="updateFrequency" label={t('catalog.fields.updateFrequency')} rules={req(t('catalog.fields.updateFrequency'))}>
          <Select
            showSearch
            optionFilterProp="label"
            options={FREQUENCIES.map((f) => ({ value: f, label: t(`catalog.frequency.${f}`) }))}
          />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item name="nameZh" label={t('catalog.fields.nameZh')} rules={[...req(t('catalog.fields.nameZh')), { max: 200 }]}>
          <Input maxLength={200} />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item name="nameEn" label={t('catalog.fields.nameEn')} rules={[{ max: 300 }]}>
          <Input maxLength={300} />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item name="abstractZh" label={t('catalog.fields.abstractZh')} rules={[...req(t('catalog.fields.abstractZh')), { max: 4000 }]}>
          <Input.TextArea rows={4} maxLength={4000} showCount />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item name="abstractEn" label={t('catalog.fields.abstractEn')} rules={[{ max: 8000 }]}>
          <Input.TextArea rows={4} maxLength={8000} />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item name="subjectCategory" label={t('catalog.fields.subjectCategory')} rules={req(t('catalog.fields.subjectCategory'))}>
          <Select
            showSearch
            optionFilterProp="label"
            options={['base', 'domain'].map((kind) => ({
              label: t(`catalog.categoryKinds.${kind}`),
              options: cats.filter((c) => c.enabled && c.kind === kind).map((c) => ({ value: c.code, label: `${name(c)} (${c.code})` })),
            }))}
          />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item name="domainCategory" label={t('catalog.fields.domainCategory')} rules={req(t('catalog.fields.domainCategory'))}>
          <Select
            showSearch
            optionFilterProp="label"
            options={cats.filter((c) => c.enabled && c.kind === 'domain').map((c) => ({ value: c.code, label: `${name(c)} (${c.code})` }))}
          />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item name="keywords" label={t('catalog.fields.keywords')} extra={t('catalog.editor.keywordsHint')}>
          <Select mode="tags" tokenSeparators={[',', '，', '、']} open={false} suffixIcon={null} />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item name="formats" label={t('catalog.fields.formats')}>
          <Select mode="multiple" options={FORMATS.map((f) => ({ value: f, label: f }))} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name="spatialCoverage" label={t('catalog.fields.spatialCoverage')}>
          <Input maxLength={200} />
        </Form.Item>
      </Col>
      <Col xs={12} md={4}>
        <Form.Item name="temporalStart" label={t('catalog.fields.temporalStart')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={12} md={4}>
        <Form.Item
          name="temporalEnd"
          label={t('catalog.fields.temporalEnd')}
          dependencies={['temporalStart']}
          rules={[
            ({ getFieldValue }) => ({
              validator: (_r, v: Dayjs | null) => {
                const s = getFieldValue('temporalStart') as Dayjs | null;
                return !v || !s || !v.isBefore(s, 'day')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('catalog.editor.endBeforeStart')));
              },
            }),
          ]}
        >
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name="releaseDate" label={t('catalog.fields.releaseDate')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={24} md={6}>
        <Form.Item name="license" label={t('catalog.fields.license')}>
          <Input maxLength={200} />
        </Form.Item>
      </Col>
      <Col xs={24} md={6}>
        <Form.Item name="contactName" label={t('catalog.fields.contactName')}>
          <Input maxLength={100} />
        </Form.Item>
      </Col>
      <Col xs={24} md={6}>
        <Form.Item name="contactPhone" label={t('catalog.fields.contactPhone')}>
          <Input maxLength={50} />
        </Form.Item>
      </Col>
      <Col xs={24} md={6}>
        <Form.Item
          name="contactEmail"
          label={t('catalog.fields.contactEmail')}
          rules={[{ pattern: EMAIL, message: t('catalog.editor.emailInvalid') }]}
        >
          <Input maxLength={200} type="email" />
        </Form.Item>
      </Col>
    </Row>
  );
}

function AttributesStep({ form, policy }: { form: FormInstance<Values>; policy: PolicyRule[] }) {
  const { t } = useTranslation();
  const gradeLabel = useGradeLabel();
  const grade = Form.useWatch('grade', form);
  const gradeLevel = Form.useWatch('gradeLevel', form);
  const fields = Form.useWatch('fields', form) as FieldRow[] | undefined;
  const shareMode = Form.useWatch('shareMode', form);
  const openMode = Form.useWatch('openMode', form);
  const effective = useMemo(
    () => Math.max(rank(grade, gradeLevel), ...(fields ?? []).map((f) => rank(f?.grade, f?.gradeLevel))),
    [grade, gradeLevel, fields],
  );
  const eff = fromRank(effective);

  useEffect(() => {
    // Re-check the attributes whenever the grade they depend on changes.
    const touched = form.isFieldsTouched(['shareMode']) || form.isFieldsTouched(['openMode']) || form.getFieldError('openMode').length > 0;
    if (touched) void form.validateFields(['shareMode', 'openMode']).catch(() => undefined);
  }, [effective, form]);

  const policyRule = (attribute: PolicyRule['attribute']) => () => ({
    validator: (_r: unknown, v: Mode | undefined) => {
      const p = violated(policy, 'resource', effective, attribute, v);
      return p
        ? Promise.reject(
            new Error(
              t('catalog.editor.policyViolation', {
                rule: p.code,
                grade: gradeLabel(eff.grade, eff.level),
                value: t(`catalog.${attribute === 'share_mode' ? 'share' : 'open'}.${v}`),
                source: p.source,
              }),
            ),
          )
        : Promise.resolve();
    },
  });
  const modeOptions = (kind: 'share' | 'open') => MODES.map((m) => ({ value: m, label: t(`catalog.${kind}.${m}`) }));
  const required = (field: string) => ({ required: true, whitespace: true, message: t('common.required', { field }) });

  return (
    <Row gutter={24}>
      <Col xs={24} lg={12}>
        <Form.Item
          name="shareMode"
          label={t('catalog.fields.shareMode')}
          rules={[required(t('catalog.fields.shareMode')), policyRule('share_mode')]}
        >
          <Radio.Group options={modeOptions('share')} optionType="button" />
        </Form.Item>
        {shareMode === 'conditional' && (
          <Form.Item
            name="shareConditions"
            label={t('catalog.fields.shareConditions')}
            rules={[required(t('catalog.fields.shareConditions'))]}
          >
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
        )}
        {shareMode === 'none' && (
          <Form.Item name="shareBasis" label={t('catalog.fields.shareBasis')} rules={[required(t('catalog.fields.shareBasis'))]}>
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
        )}
        <Form.Item
          name="openMode"
          label={t('catalog.fields.openMode')}
          rules={[required(t('catalog.fields.openMode')), policyRule('open_mode')]}
        >
          <Radio.Group options={modeOptions('open')} optionType="button" />
        </Form.Item>
        {openMode === 'conditional' && (
          <Form.Item
            name="openConditions"
            label={t('catalog.fields.openConditions')}
            rules={[required(t('catalog.fields.openConditions'))]}
          >
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
        )}
        {openMode === 'none' && (
          <Form.Item name="openBasis" label={t('catalog.fields.openBasis')}>
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
        )}
      </Col>
      <Col xs={24} lg={12}>
        <Form.Item
          name="grade"
          label={t('catalog.fields.gradeProposal')}
          rules={[required(t('catalog.fields.grade'))]}
          extra={t('catalog.editor.gradeHint')}
        >
          <Radio.Group options={GRADES.map((g) => ({ value: g, label: t(`catalog.grade.${g}`) }))} optionType="button" />
        </Form.Item>
        {grade === 'general' && (
          <Form.Item name="gradeLevel" label={t('catalog.fields.gradeLevel')}>
            <Radio.Group options={[1, 2, 3, 4].map((l) => ({ value: l, label: gradeLabel('general', l) }))} optionType="button" />
          </Form.Item>
        )}
        <Typography.Paragraph data-testid="effective-grade">
          {t('catalog.editor.effectiveGrade')} <GradeTag grade={eff.grade} level={eff.level} />
        </Typography.Paragraph>
        <Typography.Text strong>{t('catalog.fields.gradingFactors')}</Typography.Text>
        <Typography.Paragraph type="secondary">{t('catalog.editor.factorsHint')}</Typography.Paragraph>
        <Form.List name="gradingFactors">
          {(items, { add, remove }) => (
            <>
              {items.map((f, i) => (
                <Space key={f.key} align="baseline" wrap>
                  <Form.Item name={[f.name, 'object']} rules={[required(t('catalog.editor.impactObject'))]}>
                    <Select
                      aria-label={`${t('catalog.editor.impactObject')} ${i + 1}`}
                      placeholder={t('catalog.editor.impactObject')}
                      style={{ width: 200 }}
                      options={IMPACT_OBJECTS.map((o) => ({ value: o, label: t(`catalog.impactObject.${o}`) }))}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'degree']} rules={[required(t('catalog.editor.impactDegree'))]}>
                    <Select
                      aria-label={`${t('catalog.editor.impactDegree')} ${i + 1}`}
                      placeholder={t('catalog.editor.impactDegree')}
                      style={{ width: 160 }}
                      options={IMPACT_DEGREES.map((o) => ({ value: o, label: t(`catalog.impactDegree.${o}`) }))}
                    />
                  </Form.Item>
                  <Button
                    type="text"
                    icon={<DeleteOutlined />}
                    aria-label={`${t('common.delete')} ${i + 1}`}
                    onClick={() => remove(f.name)}
                  />
                </Space>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({})}>
                {t('catalog.editor.addFactor')}
              </Button>
            </>
          )}
        </Form.List>
      </Col>
    </Row>
  );
}

function FieldsStep({ form, policy, elements }: { form: FormInstance<Values>; policy: PolicyRule[]; elements: DataElement[] }) {
  const { t } = useTranslation();
  const name = useName();
  const gradeLabel = useGradeLabel();
  const shareMode = Form.useWatch('shareMode', form);
  const openMode = Form.useWatch('openMode', form);
  const required = (field: string, i: number) => ({
    required: true,
    whitespace: true,
    message: `#${i + 1} ${t('common.required', { field })}`,
  });
  const cell = { style: { marginBottom: 0 } };

  const fieldPolicy = (i: number, attribute: PolicyRule['attribute']) => ({
    validator: (_r: unknown, v: Mode | null | undefined) => {
      const f = (form.getFieldValue(['fields', i]) ?? {}) as FieldRow;
      const value = v || (attribute === 'share_mode' ? shareMode : openMode);
      const r = rank(f.grade, f.gradeLevel);
      const p = violated(policy, 'field', r, attribute, value);
      if (!p) return Promise.resolve();
      const g = fromRank(r);
      return Promise.reject(
        new Error(
          t('catalog.editor.policyViolation', {
            rule: p.code,
            grade: gradeLabel(g.grade, g.level),
            value: t(`catalog.${attribute === 'share_mode' ? 'share' : 'open'}.${value}`),
            source: p.source,
          }),
        ),
      );
    },
  });

  return (
    <Form.List name="fields">
      {(items, { add, remove, move }) => (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph type="secondary">{t('catalog.editor.fieldsHint')}</Typography.Paragraph>
          <Table
            rowKey="key"
            size="small"
            pagination={false}
            dataSource={items}
            scroll={{ x: 'max-content' }}
            data-testid="editor-fields"
            locale={{ emptyText: t('catalog.editor.noFields') }}
            columns={[
              { title: '#', key: 'i', width: 40, render: (_v, _f, i) => i + 1 },
              {
                title: t('catalog.field.nameZh'),
                key: 'nameZh',
                render: (_v, f, i) => (
                  <Form.Item name={[f.name, 'nameZh']} rules={[required(t('catalog.field.nameZh'), i)]} {...cell}>
                    <Input aria-label={`${t('catalog.field.nameZh')} ${i + 1}`} style={{ width: 150 }} maxLength={200} />
                  </Form.Item>
                ),
              },
              {
                title: t('catalog.field.nameEn'),
                key: 'nameEn',
                render: (_v, f, i) => (
                  <Form.Item name={[f.name, 'nameEn']} {...cell}>
                    <Input aria-label={`${t('catalog.field.nameEn')} ${i + 1}`} style={{ width: 150 }} maxLength={300} />
                  </Form.Item>
                ),
              },
              {
                title: t('catalog.field.code'),
                key: 'code',
                render: (_v, f, i) => (
                  <Form.Item
                    name={[f.name, 'code']}
                    {...cell}
                    rules={[
                      required(t('catalog.field.code'), i),
                      { pattern: FIELD_CODE, message: t('catalog.editor.fieldCodeRule') },
                      {
                        validator: (_r, v: string | undefined) => {
                          const all = ((form.getFieldValue('fields') ?? []) as FieldRow[]).map((x) => (x?.code ?? '').trim().toLowerCase());
                          return v && all.filter((c) => c === v.trim().toLowerCase()).length > 1
                            ? Promise.reject(new Error(t('catalog.editor.fieldCodeDuplicate')))
                            : Promise.resolve();
                        },
                      },
                    ]}
                  >
                    <Input aria-label={`${t('catalog.field.code')} ${i + 1}`} style={{ width: 130 }} className="mono" maxLength={64} />
                  </Form.Item>
                ),
              },
              {
                title: t('catalog.field.dataType'),
                key: 'dataType',
                render: (_v, f, i) => (
                  <Space.Compact>
                    <Form.Item name={[f.name, 'dataType']} rules={[required(t('catalog.field.dataType'), i)]} {...cell}>
                      <Select
                        aria-label={`${t('catalog.field.dataType')} ${i + 1}`}
                        style={{ width: 110 }}
                        showSearch
                        optionFilterProp="label"
                        options={DATA_TYPES.map((d) => ({ value: d, label: t(`catalog.dataType.${d}`) }))}
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, 'length']} {...cell}>
                      <InputNumber
                        aria-label={`${t('catalog.field.length')} ${i + 1}`}
                        placeholder={t('catalog.field.length')}
                        min={1}
                        style={{ width: 80 }}
                      />
                    </Form.Item>
                  </Space.Compact>
                ),
              },
              {
                title: t('catalog.field.grade'),
                key: 'grade',
                render: (_v, f, i) => (
                  <Space.Compact>
                    <Form.Item name={[f.name, 'grade']} {...cell}>
                      <Select
                        aria-label={`${t('catalog.field.grade')} ${i + 1}`}
                        style={{ width: 110 }}
                        options={GRADES.map((g) => ({ value: g, label: t(`catalog.grade.${g}`) }))}
                        onChange={() =>
                          void form
                            .validateFields([['fields', f.name, 'shareMode'], ['fields', f.name, 'openMode'], 'shareMode', 'openMode'])
                            .catch(() => undefined)
                        }
                      />
                    </Form.Item>
                    <Form.Item noStyle shouldUpdate={(a: Values, b: Values) => a.fields?.[f.name]?.grade !== b.fields?.[f.name]?.grade}>
                      {() =>
                        form.getFieldValue(['fields', f.name, 'grade']) === 'general' ? (
                          <Form.Item name={[f.name, 'gradeLevel']} {...cell}>
                            <Select
                              aria-label={`${t('catalog.fields.gradeLevel')} ${i + 1}`}
                              style={{ width: 130 }}
                              options={[1, 2, 3, 4].map((l) => ({ value: l, label: gradeLabel('general', l) }))}
                            />
                          </Form.Item>
                        ) : null
                      }
                    </Form.Item>
                  </Space.Compact>
                ),
              },
              {
                title: t('catalog.field.pii'),
                key: 'pii',
                render: (_v, f, i) => (
                  <Form.Item name={[f.name, 'piiKind']} {...cell}>
                    <Select
                      aria-label={`${t('catalog.field.pii')} ${i + 1}`}
                      style={{ width: 120 }}
                      showSearch
                      optionFilterProp="label"
                      options={PII_KINDS.map((p) => ({ value: p, label: t(`catalog.pii.${p}`) }))}
                    />
                  </Form.Item>
                ),
              },
              {
                title: t('catalog.field.share'),
                key: 'share',
                render: (_v, f, i) => (
                  <Form.Item name={[f.name, 'shareMode']} {...cell} rules={[fieldPolicy(f.name, 'share_mode')]}>
                    <Select
                      aria-label={`${t('catalog.field.share')} ${i + 1}`}
                      allowClear
                      placeholder={t('catalog.editor.inherit')}
                      style={{ width: 130 }}
                      options={MODES.map((m) => ({ value: m, label: t(`catalog.share.${m}`) }))}
                    />
                  </Form.Item>
                ),
              },
              {
                title: t('catalog.field.open'),
                key: 'open',
                render: (_v, f, i) => (
                  <Form.Item name={[f.name, 'openMode']} {...cell} rules={[fieldPolicy(f.name, 'open_mode')]}>
                    <Select
                      aria-label={`${t('catalog.field.open')} ${i + 1}`}
                      allowClear
                      placeholder={t('catalog.editor.inherit')}
                      style={{ width: 130 }}
                      options={MODES.map((m) => ({ value: m, label: t(`catalog.open.${m}`) }))}
                    />
                  </Form.Item>
                ),
              },
              {
                title: t('catalog.field.element'),
                key: 'element',
                render: (_v, f, i) => (
                  <Form.Item name={[f.name, 'elementId']} {...cell}>
                    <Select
                      aria-label={`${t('catalog.field.element')} ${i + 1}`}
                      allowClear
                      showSearch
                      optionFilterProp="label"
                      style={{ width: 180 }}
                      placeholder={t('catalog.editor.noElement')}
                      options={elements.map((e) => ({ value: e.id, label: `${name(e)} (${e.code})` }))}
                    />
                  </Form.Item>
                ),
              },
              {
                title: t('catalog.field.required'),
                key: 'required',
                render: (_v, f, i) => (
                  <Form.Item name={[f.name, 'required']} valuePropName="checked" {...cell}>
                    <Switch aria-label={`${t('catalog.field.required')} ${i + 1}`} size="small" />
                  </Form.Item>
                ),
              },
              {
                title: t('common.actions'),
                key: 'actions',
                render: (_v, f, i) => (
                  <Space size={0}>
                    <Button
                      type="text"
                      size="small"
                      icon={<ArrowUpOutlined />}
                      disabled={i === 0}
                      aria-label={t('catalog.editor.moveUp', { n: i + 1 })}
                      onClick={() => move(i, i - 1)}
                    />
                    <Button
                      type="text"
                      size="small"
                      icon={<ArrowDownOutlined />}
                      disabled={i === items.length - 1}
                      aria-label={t('catalog.editor.moveDown', { n: i + 1 })}
                      onClick={() => move(i, i + 1)}
                    />
                    <Button
                      type="text"
                      size="small"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={t('catalog.editor.removeField', { n: i + 1 })}
                      onClick={() => remove(f.name)}
                    />
                  </Space>
                ),
              },
            ]}
          />
          <Button icon={<PlusOutlined />} onClick={() => add({ ...EMPTY_FIELD })} data-testid="field-add">
            {t('catalog.editor.addField')}
          </Button>
        </Space>
      )}
    </Form.List>
  );
}

function ReviewStep({
  values: v,
  comment,
  setComment,
  commentError,
  revision,
}: {
  values: Values;
  comment: string;
  setComment(c: string): void;
  commentError: boolean;
  revision: boolean;
}) {
  const { t } = useTranslation();
  const catName = useCategoryName();
  const fields = v.fields ?? [];
  const eff = fromRank(Math.max(rank(v.grade, v.gradeLevel), ...fields.map((f) => rank(f?.grade, f?.gradeLevel))));
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle" data-testid="editor-review">
      <Descriptions bordered size="small" column={{ xs: 1, md: 2 }}>
        <Descriptions.Item label={t('catalog.fields.nameZh')}>{orDash(v.nameZh)}</Descriptions.Item>
        <Descriptions.Item label={t('catalog.fields.nameEn')}>{orDash(v.nameEn)}</Descriptions.Item>
        <Descriptions.Item label={t('catalog.fields.abstractZh')} span={2}>
          {orDash(v.abstractZh)}
        </Descriptions.Item>
        <Descriptions.Item label={t('catalog.fields.subjectCategory')}>{orDash(catName(v.subjectCategory))}</Descriptions.Item>
        <Descriptions.Item label={t('catalog.fields.domainCategory')}>{orDash(catName(v.domainCategory))}</Descriptions.Item>
        <Descriptions.Item label={t('catalog.fields.updateFrequency')}>
          {v.updateFrequency ? t(`catalog.frequency.${v.updateFrequency}`) : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('catalog.fields.keywords')}>{orDash((v.keywords ?? []).join('、'))}</Descriptions.Item>
        <Descriptions.Item label={t('catalog.fields.shareMode')}>
          {v.shareMode && <ModeTag kind="share" mode={v.shareMode} />}
        </Descriptions.Item>
        <Descriptions.Item label={t('catalog.fields.openMode')}>
          {v.openMode && <ModeTag kind="open" mode={v.openMode} />}
        </Descriptions.Item>
        <Descriptions.Item label={t('catalog.editor.effectiveGrade')}>
          <GradeTag grade={eff.grade} level={eff.level} />
        </Descriptions.Item>
        <Descriptions.Item label={t('catalog.editor.fieldCount')}>
          {fields.length ? (
            <Space wrap size={[4, 4]}>
              {fields.map((f, i) => (
                <Tag key={i}>{f?.nameZh || f?.code}</Tag>
              ))}
            </Space>
          ) : (
            <Typography.Text type="danger">{t('catalog.editor.noFields')}</Typography.Text>
          )}
        </Descriptions.Item>
      </Descriptions>
      <Form.Item
        label={t('catalog.editor.submitComment')}
        required
        validateStatus={commentError ? 'error' : undefined}
        help={
          commentError
            ? t('common.required', { field: t('catalog.editor.submitComment') })
            : revision
              ? t('catalog.editor.revisionCommentHint')
              : undefined
        }
        htmlFor="editor-submit-comment"
      >
        <Input.TextArea
          id="editor-submit-comment"
          rows={3}
          maxLength={2000}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          data-testid="editor-comment"
        />
      </Form.Item>
    </Space>
  );
}
