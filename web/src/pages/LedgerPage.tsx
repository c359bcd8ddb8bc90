// 存证账本: browse and filter the hash-chained ledger, export CSV, run a verification job, and see the
// material anyone needs to verify it independently (the checkpoint signing key, the latest signed head).
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Form,
  Input,
  Progress,
  Row,
  Space,
  Table,
  Tag,
  TreeSelect,
  Typography,
  type TableColumnsType,
} from 'antd';
import { DownloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import FilterActions from '../components/FilterActions.tsx';
import { errorMessage, get, post, withQuery } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { useOrgName, useOrgs, useOrgTreeSelect } from '../orgs.ts';
import KeyValues from '../components/KeyValues.tsx';
import type { LedgerEntry, Page, VerifyJob } from '../types.ts';

interface FilterValues {
  actor?: string;
  org?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

type Filters = Record<string, string | undefined>;

const DONE_STATES = new Set(['completed', 'failed', 'cancelled', 'expired', 'done', 'error']);

function toFilters(v: FilterValues): Filters {
  const s = (x?: string) => x?.trim() || undefined;
  return {
    actor: s(v.actor),
    org: v.org || undefined,
    action: s(v.action),
    objectType: s(v.objectType),
    objectId: s(v.objectId),
    from: v.range?.[0]?.toISOString(),
    to: v.range?.[1]?.toISOString(),
  };
}

export default function LedgerPage() {
  const { t } = useTranslation();
  const [form] = Form.useForm<FilterValues>();
  const { orgs } = useOrgs();
  const orgTree = useOrgTreeSelect(orgs);
  const orgName = useOrgName();
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [data, setData] = useState<Page<LedgerEntry>>({ items: [], total: 0 });
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setData(await get<Page<LedgerEntry>>('/api/ledger/entries', { ...filters, page, pageSize }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  }, [filters, page, pageSize]);

  useEffect(() => {
    void load();
  }, [load]);

  const orgLabel = (id: string | null) => {
    if (!id) return '—';
    const o = orgs.find((x) => x.id === id);
    return o ? orgName(o) : id.slice(0, 8);
  };

  const columns: TableColumnsType<LedgerEntry> = [
    { title: t('ledger.seq'), dataIndex: 'seq', key: 'seq', width: 80 },
    { title: t('ledger.time'), dataIndex: 'time', key: 'time', render: (v: string) => formatDateTime(v) },
    {
      title: t('ledger.actor'),
      key: 'actor',
      render: (_v, e) => (
        <Space size={4}>
          <span>{e.actorName ?? e.actorId ?? '—'}</span>
          {e.actorKind !== 'user' && e.actorKind !== 'system' && (
            <Tag>{t(`ledger.actorKinds.${e.actorKind}`, { defaultValue: e.actorKind })}</Tag>
          )}
        </Space>
      ),
    },
    { title: t('ledger.org'), key: 'org', render: (_v, e) => orgLabel(e.orgId) },
    { title: t('ledger.action'), dataIndex: 'action', key: 'action', render: (v: string) => <Tag color="geekblue">{v}</Tag> },
    {
      title: t('ledger.object'),
      key: 'object',
      render: (_v, e) => (
        <span className="mono" title={e.objectId ? `${e.objectType}:${e.objectId}` : e.objectType}>
          {e.objectType}
          {e.objectId ? `:${e.objectId.length > 12 ? `${e.objectId.slice(0, 8)}…` : e.objectId}` : ''}
        </span>
      ),
    },
    { title: t('ledger.purpose'), dataIndex: 'purpose', key: 'purpose', render: (v: string | null) => v || '—' },
    {
      title: t('ledger.hash'),
      dataIndex: 'hash',
      key: 'hash',
      render: (v: string) => (
        <Typography.Text className="mono" copyable={{ text: v, tooltips: [t('ledger.copyHash'), t('common.copied')] }} title={v}>
          {v.slice(0, 12)}…
        </Typography.Text>
      ),
    },
  ];

  const csvHref = withQuery('/api/ledger/entries.csv', filters);

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('ledger.title')}</h1>}
        extra={
          <Button icon={<DownloadOutlined />} href={csvHref} download data-testid="ledger-export">
            {t('ledger.exportCsv')}
          </Button>
        }
      >
        <Form
          form={form}
          name="ledgerFilters"
          layout="inline"
          onFinish={(v) => {
            setFilters(toFilters(v));
            setPage(1);
          }}
          style={{ marginBottom: 16, rowGap: 8 }}
          aria-label={t('ledger.filters')}
          data-testid="ledger-filters"
        >
          <Form.Item name="actor" label={t('ledger.actor')}>
            <Input allowClear style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="org" label={t('ledger.org')}>
            <TreeSelect
              treeData={orgTree}
              allowClear
              showSearch
              treeNodeFilterProp="title"
              treeDefaultExpandAll
              style={{ width: 200 }}
              placeholder={t('common.all')}
            />
          </Form.Item>
          <Form.Item name="action" label={t('ledger.action')}>
            <Input allowClear style={{ width: 150 }} placeholder="auth.login" />
          </Form.Item>
          <Form.Item name="objectType" label={t('ledger.objectType')}>
            <Input allowClear style={{ width: 120 }} />
          </Form.Item>
          <Form.Item name="objectId" label={t('ledger.objectId')}>
            <Input allowClear style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="range" label={t('ledger.timeRange')}>
            <DatePicker.RangePicker showTime allowEmpty={[true, true]} placeholder={[t('ledger.from'), t('ledger.to')]} />
          </Form.Item>
          <FilterActions
            onReset={() => {
              form.resetFields();
              setFilters({});
              setPage(1);
            }}
          />
        </Form>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
        <Table<LedgerEntry>
          rowKey="seq"
          size="small"
          columns={columns}
          dataSource={data.items}
          loading={loading}
          data-testid="ledger-table"
          scroll={{ x: 'max-content' }}
          expandable={{
            expandedRowRender: (e) => (
              <Space orientation="vertical" style={{ width: '100%' }}>
                <div>
                  <Typography.Text strong>{t('ledger.details')}</Typography.Text>
                  <pre className="json mono">{JSON.stringify(e.details ?? {}, null, 2)}</pre>
                </div>
                {e.objectId && (
                  <div>
                    <Typography.Text strong>{t('ledger.objectId')}: </Typography.Text>
                    <Typography.Text className="mono" copyable>
                      {e.objectId}
                    </Typography.Text>
                  </div>
                )}
                <div>
                  <Typography.Text strong>{t('ledger.hash')}: </Typography.Text>
                  <Typography.Text className="mono" copyable>
                    {e.hash}
                  </Typography.Text>
                </div>
                <div>
                  <Typography.Text strong>{t('ledger.prevHash')}: </Typography.Text>
                  <Typography.Text className="mono">{e.prevHash}</Typography.Text>
                </div>
              </Space>
            ),
          }}
          pagination={{
            current: page,
            pageSize,
            total: data.total,
            showSizeChanger: true,
            showTotal: (total) => t('common.total', { total }),
            onChange: (p, s) => {
              setPage(p);
              setPageSize(s);
            },
          }}
        />
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <VerifyCard />
        </Col>
        <Col xs={24} xl={12}>
          <TrustCard />
        </Col>
      </Row>
    </Space>
  );
}

function VerifyCard() {
  const { t } = useTranslation();
  const [job, setJob] = useState<VerifyJob | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | null>(null);

  useEffect(
    () => () => {
      if (timer.current) window.clearTimeout(timer.current);
    },
    [],
  );

  const poll = async (jobId: string) => {
    try {
      const j = await get<VerifyJob>(`/api/ledger/verify/${encodeURIComponent(jobId)}`);
      setJob(j);
      if (j.result || DONE_STATES.has(j.state)) {
        setRunning(false);
        return;
      }
      timer.current = window.setTimeout(() => void poll(jobId), 1000);
    } catch (e) {
      setError(errorMessage(e));
      setRunning(false);
    }
  };

  const start = async () => {
    setRunning(true);
    setError(null);
    setJob(null);
    try {
      const { jobId } = await post<{ jobId: string }>('/api/ledger/verify');
      setJob({ state: 'created' });
      await poll(jobId);
    } catch (e) {
      setError(errorMessage(e));
      setRunning(false);
    }
  };

  const r = job?.result;
  return (
    <Card
      title={
        <Space>
          <SafetyCertificateOutlined />
          {t('ledger.verify')}
        </Space>
      }
      data-testid="ledger-verify-card"
    >
      <Button type="primary" onClick={() => void start()} loading={running} data-testid="ledger-verify">
        {t('ledger.verify')}
      </Button>
      <div aria-live="polite" style={{ marginTop: 16 }}>
        {running && job && (
          <Space>
            <Progress type="circle" size={24} percent={50} status="active" showInfo={false} />
            {t('ledger.verifying', { state: job.state })}
          </Space>
        )}
        {r?.ok && (
          <Alert
            type="success"
            showIcon
            title={t('ledger.verifyOk', { entries: r.entries, checkpoints: r.checkpoints })}
            data-testid="ledger-verify-result"
          />
        )}
        {r && !r.ok && (
          <Alert
            type="error"
            showIcon
            title={t('ledger.verifyBad', { seq: r.firstBad?.seq ?? '?', reason: r.firstBad?.reason ?? '' })}
            data-testid="ledger-verify-result"
          />
        )}
        {!running && job && !r && DONE_STATES.has(job.state) && (
          <Alert
            type="error"
            showIcon
            title={t('ledger.verifyFailed', { message: typeof job.error === 'string' ? job.error : job.state })}
          />
        )}
        {error && <Alert type="error" showIcon title={error} />}
      </div>
    </Card>
  );
}

function TrustCard() {
  const { t } = useTranslation();
  const [key, setKey] = useState<Record<string, unknown> | null>(null);
  const [checkpoint, setCheckpoint] = useState<Record<string, unknown> | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const label = (k: string) => t(`ledger.fields.${k}`, { defaultValue: k });

  useEffect(() => {
    get<Record<string, unknown>>('/api/ledger/key')
      .then(setKey)
      .catch((e) => setError(errorMessage(e)));
    get<Record<string, unknown> | null>('/api/ledger/checkpoints/latest')
      .then((c) => setCheckpoint(c ?? null))
      .catch(() => setCheckpoint(null));
  }, []);

  return (
    <Card title={t('ledger.trust')} data-testid="ledger-trust">
      {error && <Alert type="error" showIcon title={error} />}
      <Typography.Title level={3} style={{ fontSize: 14 }}>
        {t('ledger.publicKey')}
      </Typography.Title>
      {key && <KeyValues value={key} testId="ledger-key" label={label} />}
      <Typography.Title level={3} style={{ fontSize: 14, marginTop: 16 }}>
        {t('ledger.latestCheckpoint')}
      </Typography.Title>
      {checkpoint ? (
        <KeyValues value={checkpoint} testId="ledger-checkpoint" label={label} />
      ) : (
        checkpoint === null && <Typography.Text type="secondary">{t('ledger.noCheckpoint')}</Typography.Text>
      )}
    </Card>
  );
}
