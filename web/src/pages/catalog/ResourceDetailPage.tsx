// 资源详情: metadata, fields with their data elements (一数一源 lineage), grade and attributes, the lifecycle
// steps the user may take now (each with a comment), version history with a field-level diff, exports and
// registration.
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Descriptions,
  Empty,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Timeline,
  Tooltip,
  Typography,
  type TableColumnsType,
} from 'antd';
import {
  DownloadOutlined,
  EditOutlined,
  FileProtectOutlined,
  SafetyOutlined,
  SendOutlined,
  SwapOutlined,
  TableOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage, get, post } from '../../api.ts';
import { hasRole, useAuth } from '../../auth.tsx';
import { formatDate, formatDateTime } from '../../format.ts';
import { NotFound } from '../../components/Result.tsx';
import Loading from '../../components/Loading.tsx';
import GradeModal from './GradeModal.tsx';
import { CommentModal, GradeTag, ModeTag, orDash, StatusTag, useCategoryName, useEn, useName } from './common.tsx';
import { HarvestOrigin } from '../harvest/HarvestPage.tsx';
import {
  type Change,
  type Diff,
  type Field,
  type FieldData,
  type Lineage,
  type LineageField,
  type RegistrationPage,
  type Resource,
  type TransitionRef,
  type Version,
} from './types.ts';

const EDITABLE_STATES = ['draft', 'returned', 'published', 'updated:draft', 'updated:returned'];
const OPEN_REG_STATES = ['applied', 'returned_incomplete', 'accepted', 'public_notice', 'objection_review', 'pending_decision'];

export default function ResourceDetailPage() {
  const { id } = useParams();
  return <ResourceDetail key={id} id={id ?? ''} />;
}

function ResourceDetail({ id }: { id: string }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const name = useName();
  const en = useEn();
  const catName = useCategoryName();
  const [r, setR] = useState<Resource | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [lineage, setLineage] = useState<Lineage | null>(null);
  const [transition, setTransition] = useState<TransitionRef | null>(null);
  const [grading, setGrading] = useState(false);
  const [applying, setApplying] = useState(false);
  const [regs, setRegs] = useState<RegistrationPage | null>(null);
  const canReg = hasRole(me, 'provider_clerk', 'authority_admin', 'auditor');

  const load = useCallback(async () => {
    setError(null);
    try {
      setR(await get<Resource>(`/api/catalog/resources/${id}`));
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) setMissing(true);
      else setError(errorMessage(e));
    }
    get<Lineage>(`/api/elements/resources/${id}/lineage`)
      .then(setLineage)
      .catch(() => setLineage(null));
    if (canReg)
      get<RegistrationPage>('/api/registrations', { resourceId: id, pageSize: 20 })
        .then(setRegs)
        .catch(() => setRegs(null));
  }, [id, canReg]);

  useEffect(() => {
    void load();
  }, [load]);

  if (missing) return <NotFound />;
  if (!r) return error ? <Alert type="error" showIcon title={error} /> : <Loading />;

  const editor = hasRole(me, 'provider_clerk', 'authority_admin');
  const editable = editor && EDITABLE_STATES.includes(r.state);
  const openReg = regs?.items.find((x) => OPEN_REG_STATES.includes(x.state));
  const canApply =
    hasRole(me, 'provider_clerk') && (r.status === 'published' || r.status === 'approved' || r.status === 'updated') && regs && !openReg;
  // A clerk of another department may request a shareable published resource (issue 6).
  const canRequestShare =
    hasRole(me, 'consumer_clerk', 'provider_clerk') &&
    r.shareMode !== 'none' &&
    (r.status === 'published' || r.status === 'updated') &&
    !!me?.org &&
    me.org.id !== r.providerOrg.id;

  const doTransition = async (comment: string) => {
    if (!transition) return;
    const next = await post<Resource>(`/api/catalog/resources/${id}/transitions`, {
      to: transition.to,
      comment,
      lockVersion: r.lockVersion,
    });
    setR(next);
    message.success(t('catalog.detail.transitionDone', { action: en ? transition.en : transition.zh }));
  };

  const doApply = async (comment: string) => {
    const reg = await post<{ id: string }>('/api/registrations', { resourceId: id, comment });
    message.success(t('catalog.registration.applied'));
    navigate(`/registrations?open=${reg.id}`);
  };

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card>
        <Space orientation="vertical" size={8} style={{ width: '100%' }}>
          <Typography.Text type="secondary">
            <Link to="/catalog">{t('catalog.search.title')}</Link> / <span className="mono">{r.code}</span>
          </Typography.Text>
          <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }} data-testid="resource-title">
            {name(r)}
          </Typography.Title>
          {r.nameEn && !en && <Typography.Text type="secondary">{r.nameEn}</Typography.Text>}
          <Space wrap size={[4, 4]} data-testid="resource-tags">
            <StatusTag status={r.status} revisionStatus={r.revisionStatus} />
            <GradeTag grade={r.grade} level={r.gradeLevel} confirmed={r.gradeConfirmed} />
            <ModeTag kind="share" mode={r.shareMode} />
            <ModeTag kind="open" mode={r.openMode} />
            {r.currentVersion > 0 && <Tag>{t('catalog.detail.versionTag', { version: r.currentVersion })}</Tag>}
            {lineage && lineage.repeatedCount > 0 && (
              <Tag color="red">{t('catalog.lineage.repeatedCount', { count: lineage.repeatedCount })}</Tag>
            )}
          </Space>
          <Space wrap data-testid="resource-actions">
            {editable && (
              <Button icon={<EditOutlined />} onClick={() => navigate(`/catalog/resources/${id}/edit`)} data-testid="resource-edit">
                {r.status === 'published' ? t('catalog.detail.revise') : t('common.edit')}
              </Button>
            )}
            {/* Starting a revision of a published resource is the edit button (the editor asks for the comment). */}
            {r.allowedTransitions
              .filter((tr) => !(editable && tr.to === 'updated'))
              .map((tr) => (
                <Button
                  key={tr.to}
                  type={tr.to === 'submitted' || tr.to === 'approved' || tr.to === 'published' ? 'primary' : 'default'}
                  danger={tr.to === 'withdrawn' || tr.to === 'deprecated'}
                  onClick={() => setTransition(tr)}
                  data-testid={`transition-${tr.to}`}
                >
                  {en ? tr.en : tr.zh}
                </Button>
              ))}
            {hasRole(me, 'authority_admin') && r.status !== 'withdrawn' && (
              <Button icon={<SafetyOutlined />} onClick={() => setGrading(true)} data-testid="grade-confirm">
                {t('catalog.grading.confirm')}
              </Button>
            )}
            {canApply && (
              <Button icon={<FileProtectOutlined />} onClick={() => setApplying(true)} data-testid="registration-apply">
                {t('catalog.registration.apply')}
              </Button>
            )}
            {canRequestShare && (
              <Button icon={<SendOutlined />} onClick={() => navigate(`/sharing/new?resourceId=${id}`)} data-testid="sharing-request">
                {t('sharing.wizard.requestButton')}
              </Button>
            )}
            <Button icon={<TableOutlined />} onClick={() => navigate(`/catalog/resources/${id}/data`)} data-testid="resource-data">
              {t('datasets.dataButton')}
            </Button>
            <Button icon={<DownloadOutlined />} href={`/api/catalog/resources/${id}/export.json`} download>
              {t('catalog.detail.exportJson')}
            </Button>
            <Button icon={<DownloadOutlined />} href={`/api/catalog/resources/${id}/table-schema`} download={`${r.code}.tableschema.json`}>
              {t('catalog.detail.exportTableSchema')}
            </Button>
          </Space>
          {r.pending && (
            <Alert
              type="info"
              showIcon
              title={t('catalog.detail.pendingRevision', { status: t(`catalog.revisionStatus.${r.revisionStatus ?? 'draft'}`) })}
            />
          )}
          {error && <Alert type="error" showIcon title={error} />}
          <HarvestOrigin resourceId={r.id} />
        </Space>
      </Card>

      <Card>
        <Tabs
          items={[
            {
              key: 'meta',
              label: t('catalog.detail.metadata'),
              children: <Metadata r={r} catName={catName} />,
            },
            {
              key: 'fields',
              label: t('catalog.detail.fieldsCount', { count: r.fields.length }),
              children: <FieldsTable fields={r.fields} lineage={lineage} />,
            },
            {
              key: 'grade',
              label: t('catalog.detail.gradeBasis'),
              children: <GradeBasis r={r} />,
            },
            {
              key: 'versions',
              label: t('catalog.detail.versions'),
              children: <Versions r={r} />,
            },
            {
              key: 'history',
              label: t('catalog.detail.history'),
              children: r.events.length ? (
                <Timeline
                  data-testid="resource-history"
                  items={[...r.events].reverse().map((e) => ({
                    key: `${e.at}-${e.toState}`,
                    content: (
                      <Space orientation="vertical" size={0}>
                        <span>
                          <Typography.Text strong>{stateLabel(t, e.fromState)}</Typography.Text> →{' '}
                          <Typography.Text strong>{stateLabel(t, e.toState)}</Typography.Text>
                          {' · '}
                          {e.actorName ?? '—'}
                        </span>
                        {e.comment && <Typography.Text>{e.comment}</Typography.Text>}
                        <Typography.Text type="secondary">{formatDateTime(e.at)}</Typography.Text>
                      </Space>
                    ),
                  }))}
                />
              ) : (
                <Empty description={t('catalog.detail.noHistory')} />
              ),
            },
            ...(canReg
              ? [
                  {
                    key: 'registrations',
                    label: t('catalog.registration.title'),
                    children: regs?.items.length ? (
                      <Table
                        rowKey="id"
                        size="small"
                        pagination={false}
                        dataSource={regs.items}
                        columns={[
                          {
                            title: t('catalog.registration.state'),
                            key: 'state',
                            render: (_v, x) => <Link to={`/registrations?open=${x.id}`}>{en ? x.stateLabel.en : x.stateLabel.zh}</Link>,
                          },
                          { title: t('catalog.registration.appliedAt'), key: 'at', render: (_v, x) => formatDateTime(x.appliedAt) },
                          {
                            title: t('catalog.registration.nextDue'),
                            key: 'due',
                            render: (_v, x) =>
                              x.nextDue ? `${t(`catalog.registration.deadline.${x.nextDue.kind}`)} ${formatDate(x.nextDue.dueDate)}` : '—',
                          },
                        ]}
                      />
                    ) : (
                      <Empty description={t('catalog.registration.none')} />
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>

      <CommentModal
        open={!!transition}
        title={transition ? `${en ? transition.en : transition.zh} — ${name(r)}` : ''}
        okText={transition ? (en ? transition.en : transition.zh) : undefined}
        danger={transition?.to === 'withdrawn' || transition?.to === 'deprecated'}
        onSubmit={doTransition}
        onClose={() => setTransition(null)}
        testId="transition"
      />
      <CommentModal
        open={applying}
        title={t('catalog.registration.applyTitle', { name: name(r) })}
        okText={t('catalog.registration.apply')}
        label={t('catalog.registration.applyComment')}
        onSubmit={doApply}
        onClose={() => setApplying(false)}
        testId="apply"
      />
      {grading && <GradeModal r={r} onClose={() => setGrading(false)} onDone={(x) => setR(x)} />}
    </Space>
  );
}

function stateLabel(t: (k: string, o?: Record<string, unknown>) => string, s: string): string {
  if (!s) return '—';
  const [status, rev] = s.split(':');
  const base = t(`catalog.status.${status}`, { defaultValue: status });
  return rev ? `${base} · ${t(`catalog.revisionStatus.${rev}`, { defaultValue: rev })}` : base;
}

function Metadata({ r, catName }: { r: Resource; catName: (c: string) => string }) {
  const { t } = useTranslation();
  const en = useEn();
  const name = useName();
  return (
    <Descriptions
      column={{ xs: 1, md: 2 }}
      size="small"
      bordered
      data-testid="resource-metadata"
      styles={{ label: { width: 120, whiteSpace: 'nowrap' } }}
    >
      <Descriptions.Item label={t('catalog.fields.code')}>
        <span className="mono">{r.code}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.providerOrg')}>{name(r.providerOrg)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.abstract')} span={2}>
        {en ? r.abstractEn || r.abstractZh : r.abstractZh}
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.subjectCategory')}>{catName(r.subjectCategory)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.domainCategory')}>{catName(r.domainCategory)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.keywords')}>
        {orDash(
          r.keywords.length ? (
            <Space wrap size={[4, 4]}>
              {r.keywords.map((k) => (
                <Tag key={k}>{k}</Tag>
              ))}
            </Space>
          ) : null,
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.formats')}>{orDash(r.formats.join(', '))}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.updateFrequency')}>{t(`catalog.frequency.${r.updateFrequency}`)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.spatialCoverage')}>{orDash(r.spatialCoverage)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.temporal')}>
        {r.temporalStart || r.temporalEnd ? `${r.temporalStart ?? '…'} ~ ${r.temporalEnd ?? t('catalog.detail.ongoing')}` : '—'}
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.releaseDate')}>{orDash(r.releaseDate)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.shareMode')}>
        <ModeTag kind="share" mode={r.shareMode} />
        {r.shareConditions && <div>{r.shareConditions}</div>}
        {r.shareBasis && (
          <div>
            {t('catalog.fields.basis')}: {r.shareBasis}
          </div>
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.openMode')}>
        <ModeTag kind="open" mode={r.openMode} />
        {r.openConditions && <div>{r.openConditions}</div>}
        {r.openBasis && (
          <div>
            {t('catalog.fields.basis')}: {r.openBasis}
          </div>
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.grade')}>
        <GradeTag grade={r.grade} level={r.gradeLevel} confirmed={r.gradeConfirmed} />
        {r.gradeConfirmedAt && (
          <Typography.Text type="secondary">
            {t('catalog.grading.confirmedAt', { time: formatDateTime(r.gradeConfirmedAt) })}
          </Typography.Text>
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.license')}>{orDash(r.license)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.contact')}>
        {orDash([r.contactName, r.contactPhone, r.contactEmail].filter(Boolean).join(' · '))}
      </Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.publishedAt')}>{orDash(formatDateTime(r.publishedAt))}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.updatedAt')}>{formatDateTime(r.updatedAt)}</Descriptions.Item>
      <Descriptions.Item label={t('catalog.fields.popularity')}>{r.popularity}</Descriptions.Item>
    </Descriptions>
  );
}

function ElementCell({ l }: { l: LineageField | undefined }) {
  const { t } = useTranslation();
  const name = useName();
  if (!l?.element) return <>—</>;
  return (
    <Space orientation="vertical" size={0}>
      <span>
        {name(l.element)}{' '}
        <Typography.Text type="secondary" className="mono">
          {l.element.code}
        </Typography.Text>
      </span>
      {l.isAuthoritativeSource && <Tag color="green">{t('catalog.lineage.authoritative')}</Tag>}
      {l.repeatedCollection && (
        <Tooltip title={t('catalog.lineage.repeatedHint', { org: name(l.authoritativeOrg) })}>
          <Tag color="red" tabIndex={0} data-testid="repeated-flag">
            {t('catalog.lineage.repeated')}
          </Tag>
        </Tooltip>
      )}
      {!l.isAuthoritativeSource && l.authoritativeOrg && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('catalog.lineage.source')}:{' '}
          {l.authoritativeResource ? (
            <Link to={`/catalog/resources/${l.authoritativeResource.id}`}>
              {name(l.authoritativeOrg)} · {name(l.authoritativeResource)}
            </Link>
          ) : (
            name(l.authoritativeOrg)
          )}
        </Typography.Text>
      )}
      {!l.authoritativeOrg && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('catalog.lineage.noSource')}
        </Typography.Text>
      )}
    </Space>
  );
}

export function FieldsTable({ fields, lineage }: { fields: (Field | FieldData)[]; lineage?: Lineage | null }) {
  const { t } = useTranslation();
  const en = useEn();
  const byCode = new Map((lineage?.fields ?? []).map((l) => [l.code, l]));
  const columns: TableColumnsType<Field | FieldData> = [
    { title: '#', key: 'pos', width: 48, render: (_v, _f, i) => i + 1 },
    {
      title: t('catalog.field.name'),
      key: 'name',
      render: (_v, f) => (
        <Space orientation="vertical" size={0}>
          <span>{en ? f.nameEn || f.nameZh : f.nameZh}</span>
          {!en && f.nameEn && <Typography.Text type="secondary">{f.nameEn}</Typography.Text>}
        </Space>
      ),
    },
    { title: t('catalog.field.code'), dataIndex: 'code', key: 'code', render: (v: string) => <span className="mono">{v}</span> },
    {
      title: t('catalog.field.dataType'),
      key: 'type',
      render: (_v, f) =>
        `${t(`catalog.dataType.${f.dataType}`)}${f.length ? `(${f.length}${f.precision != null ? `,${f.precision}` : ''})` : ''}${f.unit ? ` ${f.unit}` : ''}`,
    },
    { title: t('catalog.field.grade'), key: 'grade', render: (_v, f) => <GradeTag grade={f.grade} level={f.gradeLevel} /> },
    { title: t('catalog.field.share'), key: 'share', render: (_v, f) => <ModeTag kind="share" mode={f.shareMode} /> },
    { title: t('catalog.field.open'), key: 'open', render: (_v, f) => <ModeTag kind="open" mode={f.openMode} /> },
    {
      title: t('catalog.field.pii'),
      key: 'pii',
      render: (_v, f) => (f.piiKind === 'none' ? '—' : <Tag color="purple">{t(`catalog.pii.${f.piiKind}`)}</Tag>),
    },
    { title: t('catalog.field.element'), key: 'element', render: (_v, f) => <ElementCell l={byCode.get(f.code)} /> },
  ];
  return (
    <Table
      rowKey={(f) => f.code}
      size="small"
      columns={columns}
      dataSource={fields}
      pagination={false}
      scroll={{ x: 'max-content' }}
      data-testid="fields-table"
    />
  );
}

function GradeBasis({ r }: { r: Resource }) {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary">{t('catalog.grading.basisIntro')}</Typography.Paragraph>
      <Table
        rowKey={(b) => `${b.source}:${b.ref ?? ''}`}
        size="small"
        pagination={false}
        dataSource={r.gradeBasis}
        columns={[
          { title: t('catalog.grading.source'), key: 'source', render: (_v, b) => t(`catalog.grading.sources.${b.source}`) },
          { title: t('catalog.grading.ref'), key: 'ref', render: (_v, b) => <span className="mono">{b.ref ?? '—'}</span> },
          { title: t('catalog.fields.grade'), key: 'grade', render: (_v, b) => <GradeTag grade={b.grade} level={b.level} /> },
        ]}
      />
    </Space>
  );
}

// ------------------------------------------------------------------------------------------ versions and diff

function Versions({ r }: { r: Resource }) {
  const { t } = useTranslation();
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [from, setFrom] = useState<string | null>(null);
  const [to, setTo] = useState<string | null>(null);
  const [diff, setDiff] = useState<Diff | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    get<{ items: Version[] }>(`/api/catalog/resources/${r.id}/versions`)
      .then((v) => {
        setVersions(v.items);
        const nums = v.items.map((x) => String(x.version));
        if (r.pending) {
          setFrom('current');
          setTo('pending');
        } else if (nums.length >= 2) {
          setFrom(nums[1]!);
          setTo(nums[0]!);
        }
      })
      .catch((e) => setError(errorMessage(e)));
  }, [r.id, r.pending, r.lockVersion]);

  const compare = async () => {
    if (!from || !to) return;
    setBusy(true);
    setError(null);
    try {
      setDiff(await get<Diff>(`/api/catalog/resources/${r.id}/diff`, { from, to }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const options = [
    ...(versions ?? []).map((v) => ({ value: String(v.version), label: t('catalog.versions.version', { version: v.version }) })),
    { value: 'current', label: t('catalog.versions.current') },
    ...(r.pending ? [{ value: 'pending', label: t('catalog.versions.pending') }] : []),
  ];

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      {error && <Alert type="error" showIcon title={error} />}
      <Table
        rowKey="version"
        size="small"
        loading={!versions && !error}
        pagination={false}
        dataSource={versions ?? []}
        data-testid="versions-table"
        locale={{ emptyText: t('catalog.versions.none') }}
        columns={[
          { title: t('catalog.versions.number'), dataIndex: 'version', key: 'v', render: (v: number) => `v${v}` },
          {
            title: t('catalog.versions.reason'),
            dataIndex: 'reason',
            key: 'reason',
            render: (v: string) => t(`catalog.versions.reasons.${v}`),
          },
          { title: t('catalog.comment'), dataIndex: 'comment', key: 'comment', render: (v: string) => orDash(v) },
          { title: t('catalog.versions.by'), dataIndex: 'createdByName', key: 'by', render: (v: string | null) => orDash(v) },
          { title: t('catalog.versions.at'), dataIndex: 'createdAt', key: 'at', render: (v: string) => formatDateTime(v) },
        ]}
      />
      {(options.length > 2 || r.pending) && (
        <Card size="small" title={t('catalog.versions.diffTitle')}>
          <Space wrap>
            <Select
              aria-label={t('catalog.versions.from')}
              placeholder={t('catalog.versions.from')}
              value={from}
              onChange={setFrom}
              options={options}
              style={{ width: 160 }}
              data-testid="diff-from"
            />
            <SwapOutlined aria-hidden />
            <Select
              aria-label={t('catalog.versions.to')}
              placeholder={t('catalog.versions.to')}
              value={to}
              onChange={setTo}
              options={options}
              style={{ width: 160 }}
              data-testid="diff-to"
            />
            <Button
              type="primary"
              onClick={() => void compare()}
              loading={busy}
              disabled={!from || !to || from === to}
              data-testid="diff-run"
            >
              {t('catalog.versions.compare')}
            </Button>
          </Space>
          {diff && <DiffView diff={diff} />}
        </Card>
      )}
    </Space>
  );
}

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') || '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function DiffView({ diff }: { diff: Diff }) {
  const { t } = useTranslation();
  const attr = (a: string) => t(`catalog.attr.${a}`, { defaultValue: a });
  const changeCols: TableColumnsType<Change> = [
    { title: t('catalog.versions.attribute'), dataIndex: 'attribute', key: 'a', render: (v: string) => attr(v) },
    {
      title: t('catalog.versions.before'),
      key: 'from',
      render: (_v, c) => (
        <Typography.Text delete type="danger">
          {show(c.from)}
        </Typography.Text>
      ),
    },
    { title: t('catalog.versions.after'), key: 'to', render: (_v, c) => <Typography.Text type="success">{show(c.to)}</Typography.Text> },
  ];
  const nothing = !diff.metadata.length && !diff.fields.added.length && !diff.fields.removed.length && !diff.fields.changed.length;
  return (
    <Space orientation="vertical" style={{ width: '100%', marginTop: 16 }} data-testid="diff-view">
      {nothing && <Alert type="info" showIcon title={t('catalog.versions.same')} />}
      {diff.metadata.length > 0 && (
        <>
          <Typography.Title level={3} style={{ fontSize: 14 }}>
            {t('catalog.versions.metadataChanges')}
          </Typography.Title>
          <Table rowKey="attribute" size="small" pagination={false} dataSource={diff.metadata} columns={changeCols} />
        </>
      )}
      {diff.fields.added.length > 0 && (
        <>
          <Typography.Title level={3} style={{ fontSize: 14 }}>
            {t('catalog.versions.fieldsAdded')}
          </Typography.Title>
          <Space wrap>
            {diff.fields.added.map((f) => (
              <Tag key={f.code} color="green">
                + {f.nameZh} ({f.code})
              </Tag>
            ))}
          </Space>
        </>
      )}
      {diff.fields.removed.length > 0 && (
        <>
          <Typography.Title level={3} style={{ fontSize: 14 }}>
            {t('catalog.versions.fieldsRemoved')}
          </Typography.Title>
          <Space wrap>
            {diff.fields.removed.map((f) => (
              <Tag key={f.code} color="red">
                − {f.nameZh} ({f.code})
              </Tag>
            ))}
          </Space>
        </>
      )}
      {diff.fields.changed.map((c) => (
        <div key={c.code}>
          <Typography.Title level={3} style={{ fontSize: 14 }}>
            {t('catalog.versions.fieldChanged', { code: c.code })}
          </Typography.Title>
          <Table rowKey="attribute" size="small" pagination={false} dataSource={c.changes} columns={changeCols} />
        </div>
      ))}
    </Space>
  );
}
