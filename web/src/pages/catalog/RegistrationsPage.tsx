// 登记: registration applications with their working-day deadlines. Providers track their applications (and
// apply from a resource's page); the authority sees the dashboard (counts, due soon, overdue) and takes each
// step with a comment. An approved registration shows its certificate.
import { useCallback, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Descriptions,
  Drawer,
  Empty,
  List,
  Row,
  Segmented,
  Space,
  Statistic,
  Table,
  Tag,
  Timeline,
  Typography,
  type TableColumnsType,
} from 'antd';
import { ClockCircleOutlined, ExclamationCircleOutlined, FileDoneOutlined, InboxOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, post } from '../../api.ts';
import { StateFilters } from '../../components/StateFilters.tsx';
import { hasRole, useAuth } from '../../auth.tsx';
import { formatDate, formatDateTime } from '../../format.ts';
import { CommentModal, useEn, useName } from './common.tsx';
import {
  REG_STATES,
  type Dashboard,
  type DashboardItem,
  type RegState,
  type RegistrationDetail,
  type RegistrationPage,
  type RegistrationSummary,
} from './types.ts';

const STATE_COLORS: Record<RegState, string> = {
  applied: 'processing',
  returned_incomplete: 'warning',
  accepted: 'cyan',
  public_notice: 'purple',
  objection_review: 'orange',
  pending_decision: 'geekblue',
  approved: 'success',
  rejected: 'error',
  withdrawn: 'default',
};

export function RegStateTag({ state }: { state: RegState }) {
  const { t } = useTranslation();
  return <Tag color={STATE_COLORS[state]}>{t(`catalog.registration.states.${state}`)}</Tag>;
}

type Scope = 'mine' | 'org' | 'all';

export default function RegistrationsPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const name = useName();
  const [params, setParams] = useSearchParams();
  const provider = hasRole(me, 'provider_clerk') && !hasRole(me, 'authority_admin', 'auditor');
  const [scope, setScope] = useState<Scope>(provider ? 'mine' : 'all');
  const [states, setStates] = useState<RegState[]>([]);
  const [overdue, setOverdue] = useState(false);
  const [page, setPage] = useState(1);
  const [data, setData] = useState<RegistrationPage | null>(null);
  const [dash, setDash] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const openId = params.get('open');

  const load = useCallback(async () => {
    setError(null);
    try {
      setData(
        await get<RegistrationPage>(
          `/api/registrations?${new URLSearchParams([
            ['scope', scope],
            ['page', String(page)],
            ['pageSize', '20'],
            ...(overdue ? [['overdue', 'true']] : []),
            ...states.map((s) => ['state', s]),
          ]).toString()}`,
        ),
      );
    } catch (e) {
      setError(errorMessage(e));
      setData({ items: [], total: 0, page: 1, pageSize: 20 });
    }
    get<Dashboard>('/api/registrations/dashboard')
      .then(setDash)
      .catch(() => setDash(null));
  }, [scope, states, overdue, page]);

  useEffect(() => {
    void load();
  }, [load]);

  const open = (id: string | null) => setParams(id ? { open: id } : {}, { replace: !id });

  const columns: TableColumnsType<RegistrationSummary> = [
    {
      title: t('catalog.registration.subject'),
      key: 'subject',
      render: (_v, r) => (
        <Space orientation="vertical" size={0}>
          <Button type="link" style={{ padding: 0, height: 'auto' }} onClick={() => open(r.id)}>
            {name(r.subject)}
          </Button>
          <Typography.Text type="secondary" className="mono">
            {r.subject.code}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('catalog.fields.providerOrg'), key: 'provider', render: (_v, r) => name(r.provider) },
    {
      title: t('catalog.registration.state'),
      key: 'state',
      render: (_v, r) => (
        <Space size={[0, 4]} wrap>
          <RegStateTag state={r.state} />
          {r.overdue && <Tag color="red">{t('catalog.registration.overdue')}</Tag>}
        </Space>
      ),
    },
    {
      title: t('catalog.registration.nextDue'),
      key: 'due',
      render: (_v, r) => (r.nextDue ? `${t(`catalog.registration.deadline.${r.nextDue.kind}`)} · ${formatDate(r.nextDue.dueDate)}` : '—'),
    },
    { title: t('catalog.registration.appliedAt'), key: 'applied', render: (_v, r) => formatDateTime(r.appliedAt) },
  ];

  const scopes: Scope[] = hasRole(me, 'authority_admin', 'auditor') ? ['all', 'org', 'mine'] : ['mine', 'org'];

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      {dash && <DashboardCards dash={dash} onOpen={open} />}
      <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('catalog.registration.title')}</h1>}>
        <Typography.Paragraph type="secondary">
          {t('catalog.registration.intro')} <Link to="/registration/lookup">{t('catalog.registration.lookupLink')}</Link>
        </Typography.Paragraph>
        <StateFilters
          before={
            <Segmented
              value={scope}
              onChange={(v) => {
                setScope(v as Scope);
                setPage(1);
              }}
              options={scopes.map((s) => ({ value: s, label: t(`catalog.registration.scopes.${s}`) }))}
            />
          }
          states={states}
          options={REG_STATES.map((s) => ({ value: s, label: t(`catalog.registration.states.${s}`) }))}
          stateLabel={t('catalog.registration.state')}
          overdue={overdue}
          overdueLabel={t('catalog.registration.overdueOnly')}
          overdueId="reg-overdue"
          onChange={(f) => {
            setStates(f.states);
            setOverdue(f.overdue);
            setPage(1);
          }}
        />
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
        <Table<RegistrationSummary>
          rowKey="id"
          size="small"
          loading={!data}
          columns={columns}
          dataSource={data?.items ?? []}
          data-testid="registrations-table"
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <Empty description={t('catalog.registration.none')} /> }}
          pagination={{
            current: page,
            pageSize: 20,
            total: data?.total ?? 0,
            hideOnSinglePage: true,
            onChange: setPage,
            showTotal: (total) => t('common.total', { total }),
          }}
        />
      </Card>
      {openId && <RegistrationDrawer id={openId} onClose={() => open(null)} onChanged={() => void load()} />}
    </Space>
  );
}

function DashboardCards({ dash, onOpen }: { dash: Dashboard; onOpen(id: string): void }) {
  const { t } = useTranslation();
  const name = useName();
  const list = (items: DashboardItem[], danger: boolean) => (
    <List
      size="small"
      dataSource={items.slice(0, 6)}
      locale={{ emptyText: t('common.none') }}
      renderItem={(i) => (
        <List.Item key={`${i.registrationId}-${i.kind}`}>
          <Space orientation="vertical" size={0}>
            <Button
              type="link"
              style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'start' }}
              onClick={() => onOpen(i.registrationId)}
            >
              {name({ nameZh: i.subjectNameZh, nameEn: i.subjectNameEn })}
            </Button>
            <Typography.Text type={danger ? 'danger' : 'secondary'} style={{ fontSize: 12 }}>
              {t(`catalog.registration.deadline.${i.kind}`)} · {formatDate(i.dueDate)}
            </Typography.Text>
          </Space>
        </List.Item>
      )}
    />
  );
  return (
    <Row gutter={[16, 16]} data-testid="registration-dashboard">
      <Col xs={24} md={12} xl={6}>
        <Card>
          <Statistic title={t('catalog.registration.total')} value={dash.total} prefix={<InboxOutlined />} />
          <Space size={[4, 4]} wrap style={{ marginTop: 8 }}>
            {REG_STATES.filter((s) => dash.byState[s]).map((s) => (
              <Tag key={s} color={STATE_COLORS[s]}>
                {t(`catalog.registration.states.${s}`)} {dash.byState[s]}
              </Tag>
            ))}
          </Space>
        </Card>
      </Col>
      <Col xs={24} md={12} xl={6}>
        <Card>
          <Statistic title={t('catalog.registration.open')} value={dash.open} prefix={<FileDoneOutlined />} />
        </Card>
      </Col>
      <Col xs={24} md={12} xl={6}>
        <Card>
          <Statistic title={t('catalog.registration.dueSoon')} value={dash.dueSoonCount} prefix={<ClockCircleOutlined />} />
          {list(dash.dueSoon, false)}
        </Card>
      </Col>
      <Col xs={24} md={12} xl={6}>
        <Card>
          <Statistic
            title={t('catalog.registration.overdue')}
            value={dash.overdueCount}
            prefix={<ExclamationCircleOutlined />}
            styles={dash.overdueCount ? { content: { color: '#cf1322' } } : undefined}
          />
          {list(dash.overdue, true)}
        </Card>
      </Col>
    </Row>
  );
}

function RegistrationDrawer({ id, onClose, onChanged }: { id: string; onClose(): void; onChanged(): void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const name = useName();
  const en = useEn();
  const [r, setR] = useState<RegistrationDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [step, setStep] = useState<RegistrationDetail['allowedTransitions'][number] | null>(null);

  useEffect(() => {
    setR(null);
    get<RegistrationDetail>(`/api/registrations/${id}`)
      .then(setR)
      .catch((e) => setError(errorMessage(e)));
  }, [id]);

  return (
    <Drawer
      open
      onClose={onClose}
      size={640}
      title={r ? name(r.subject) : t('catalog.registration.title')}
      data-testid="registration-drawer"
    >
      {error && <Alert type="error" showIcon title={error} />}
      {r && (
        <Space orientation="vertical" style={{ width: '100%' }} size="middle">
          <Space wrap>
            <RegStateTag state={r.state} />
            {r.overdue && <Tag color="red">{t('catalog.registration.overdue')}</Tag>}
            {r.resourceId && <Link to={`/catalog/resources/${r.resourceId}`}>{t('catalog.registration.viewResource')}</Link>}
          </Space>
          {r.allowedTransitions.length > 0 && (
            <Space wrap>
              {r.allowedTransitions.map((x) => (
                <Button
                  key={x.to}
                  type={x.to === 'approved' || x.to === 'accepted' || x.to === 'public_notice' ? 'primary' : 'default'}
                  danger={x.to === 'rejected' || x.to === 'withdrawn'}
                  onClick={() => setStep(x)}
                  data-testid={`reg-step-${x.to}`}
                >
                  {en ? x.labelEn : x.labelZh}
                </Button>
              ))}
            </Space>
          )}
          {r.certificate && (
            <Card size="small" title={t('catalog.registration.certificate')} data-testid="registration-certificate">
              <Descriptions size="small" column={1}>
                <Descriptions.Item label={t('catalog.registration.number')}>
                  <Typography.Text copyable className="mono">
                    {r.certificate.number}
                  </Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t('catalog.registration.queryCode')}>
                  <Typography.Text copyable className="mono">
                    {r.certificate.queryCode}
                  </Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t('catalog.registration.contentHash')}>
                  <Typography.Text copyable className="mono">
                    {r.certificate.contentHash}
                  </Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t('catalog.registration.issuedAt')}>{formatDateTime(r.certificate.issuedAt)}</Descriptions.Item>
                <Descriptions.Item label={t('catalog.registration.validUntil')}>{r.certificate.validUntil}</Descriptions.Item>
                <Descriptions.Item label={t('catalog.registration.certStatus')}>
                  {t(`catalog.registration.certStatuses.${r.certificate.status}`)}
                </Descriptions.Item>
              </Descriptions>
            </Card>
          )}
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t('catalog.fields.code')}>
              <span className="mono">{r.subject.code}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('catalog.fields.providerOrg')}>{name(r.provider)}</Descriptions.Item>
            <Descriptions.Item label={t('catalog.registration.type')}>
              {t(`catalog.registration.types.${r.registrationType}`, { defaultValue: r.registrationType })}
            </Descriptions.Item>
            <Descriptions.Item label={t('catalog.registration.appliedAt')}>{formatDateTime(r.appliedAt)}</Descriptions.Item>
            {r.noticeStartDate && (
              <Descriptions.Item label={t('catalog.registration.notice')}>
                {r.noticeStartDate} ~ {r.noticeEndDate}
              </Descriptions.Item>
            )}
            <Descriptions.Item label={t('catalog.registration.applyComment')}>{r.comment || '—'}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={3} style={{ fontSize: 15 }}>
            {t('catalog.registration.deadlines')}
          </Typography.Title>
          <Table
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={r.deadlines}
            locale={{ emptyText: t('common.none') }}
            columns={[
              {
                title: t('catalog.registration.deadlineKind'),
                key: 'kind',
                render: (_v, d) => t(`catalog.registration.deadline.${d.kind}`),
              },
              {
                title: t('catalog.registration.workingDays'),
                key: 'wd',
                render: (_v, d) => t('catalog.lists.workingDays', { count: d.workingDays }),
              },
              { title: t('catalog.registration.due'), key: 'due', render: (_v, d) => d.dueDate },
              {
                title: t('catalog.fields.status'),
                key: 'status',
                render: (_v, d) =>
                  d.overdue && d.status === 'open' ? (
                    <Tag color="red">{t('catalog.registration.overdue')}</Tag>
                  ) : (
                    <Tag color={d.status === 'open' ? 'processing' : 'default'}>{t(`catalog.registration.deadlineStatus.${d.status}`)}</Tag>
                  ),
              },
            ]}
          />
          <Typography.Title level={3} style={{ fontSize: 15 }}>
            {t('catalog.registration.timeline')}
          </Typography.Title>
          <Timeline
            data-testid="registration-timeline"
            items={r.timeline.map((e, i) => ({
              key: i,
              color: e.to === 'rejected' ? 'red' : e.to === 'approved' ? 'green' : 'blue',
              content: (
                <Space orientation="vertical" size={0}>
                  <span>
                    <RegStateTag state={e.to} />{' '}
                    {e.actorName ?? t(`catalog.registration.actorKinds.${e.actorKind}`, { defaultValue: e.actorKind })}
                  </span>
                  {e.comment && <Typography.Text>{e.comment}</Typography.Text>}
                  <Typography.Text type="secondary">{formatDateTime(e.at)}</Typography.Text>
                </Space>
              ),
            }))}
          />
          {r.objections.length > 0 && (
            <>
              <Typography.Title level={3} style={{ fontSize: 15 }}>
                {t('catalog.registration.objections')}
              </Typography.Title>
              <List
                size="small"
                dataSource={r.objections}
                renderItem={(o) => (
                  <List.Item key={o.id}>
                    <Space orientation="vertical" size={0}>
                      <span>
                        <Typography.Text strong>{o.name}</Typography.Text>{' '}
                        {o.contact && <Typography.Text type="secondary">({o.contact})</Typography.Text>}
                      </span>
                      <span>{o.reason}</span>
                      <Typography.Text type="secondary">{formatDateTime(o.createdAt)}</Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
            </>
          )}
        </Space>
      )}
      <CommentModal
        open={!!step}
        title={step ? (en ? step.labelEn : step.labelZh) : ''}
        okText={step ? (en ? step.labelEn : step.labelZh) : undefined}
        danger={step?.to === 'rejected' || step?.to === 'withdrawn'}
        testId="reg-step"
        onSubmit={async (comment) => {
          if (!step) return;
          const next = await post<RegistrationDetail>(`/api/registrations/${id}/transitions`, { to: step.to, comment });
          setR(next);
          message.success(t('common.saved'));
          onChanged();
        }}
        onClose={() => setStep(null)}
      />
    </Drawer>
  );
}
