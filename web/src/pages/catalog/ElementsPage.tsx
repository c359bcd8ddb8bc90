// 数据元: the registry of standard data elements with each one's authoritative source (一数一源), the report of
// repeated collection and conflicts per department, and the arbitration queue the authority decides.
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  Alert,
  App as AntApp,
  Badge,
  Button,
  Card,
  Col,
  Empty,
  Form,
  Input,
  List,
  Modal,
  Radio,
  Row,
  Segmented,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import { PlusOutlined, SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { errorMessage, get, post } from '../../api.ts';
import { hasRole, useAuth } from '../../auth.tsx';
import { applyServerError } from '../../forms.ts';
import { formatDateTime } from '../../format.ts';
import { CommentModal, orDash, useName } from './common.tsx';
import type { Arbitration, DataElement, Report, ReportRow, ResourceList } from './types.ts';

const TABS = ['registry', 'report', 'arbitrations'] as const;

export default function ElementsPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const canArbitrate = hasRole(me, 'authority_admin', 'auditor');
  const tabs = TABS.filter((k) => k !== 'arbitrations' || canArbitrate);
  const tab = tabs.find((k) => k === params.get('tab')) ?? 'registry';
  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('catalog.elements.title')}</h1>}>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'registry' ? {} : { tab: k }, { replace: true })}
        items={tabs.map((k) => ({
          key: k,
          label: t(`catalog.elements.tabs.${k}`),
          children: k === 'registry' ? <Registry /> : k === 'report' ? <ReportTab /> : <Arbitrations />,
        }))}
      />
    </Card>
  );
}

function Registry() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const name = useName();
  const [q, setQ] = useState('');
  const [items, setItems] = useState<DataElement[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [claiming, setClaiming] = useState<DataElement | null>(null);
  const authority = hasRole(me, 'authority_admin');
  const provider = hasRole(me, 'provider_clerk');

  const load = useCallback(async (query: string) => {
    setLoading(true);
    setError(null);
    try {
      setItems((await get<{ items: DataElement[] }>('/api/elements', { q: query || undefined })).items);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load('');
  }, [load]);

  const columns: TableColumnsType<DataElement> = [
    { title: t('catalog.elements.code'), dataIndex: 'code', key: 'code', render: (v: string) => <span className="mono">{v}</span> },
    {
      title: t('catalog.elements.name'),
      key: 'name',
      render: (_v, e) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{name(e)}</Typography.Text>
          {e.status === 'retired' && <Tag>{t('catalog.elements.retired')}</Tag>}
        </Space>
      ),
    },
    { title: t('catalog.elements.standard'), dataIndex: 'standardRef', key: 'std', width: 260, render: (v: string) => orDash(v) },
    { title: t('catalog.elements.format'), key: 'fmt', render: (_v, e) => `${e.dataType}${e.format ? ` · ${e.format}` : ''}` },
    {
      title: t('catalog.elements.source'),
      key: 'source',
      render: (_v, e) =>
        e.authoritativeOrg ? (
          <Space orientation="vertical" size={0}>
            <span>{name(e.authoritativeOrg)}</span>
            {e.authoritativeResource && (
              <Link to={`/catalog/resources/${e.authoritativeResource.id}`}>{name(e.authoritativeResource)}</Link>
            )}
          </Space>
        ) : (
          <Tag color="orange">{t('catalog.elements.noSource')}</Tag>
        ),
    },
    { title: t('catalog.elements.mapped'), dataIndex: 'mappedFields', key: 'mapped' },
    {
      title: t('catalog.elements.repeated'),
      key: 'repeated',
      render: (_v, e) => (e.repeatedFields ? <Tag color="red">{e.repeatedFields}</Tag> : 0),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_v, e) => (
        <Space size={4} wrap>
          {e.openArbitrationId && <Tag color="volcano">{t('catalog.elements.inArbitration')}</Tag>}
          {provider && (
            <Button size="small" onClick={() => setClaiming(e)} aria-label={`${t('catalog.elements.claim')}: ${name(e)}`}>
              {t('catalog.elements.claim')}
            </Button>
          )}
        </Space>
      ),
    },
  ];

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Input.Search
          allowClear
          placeholder={t('catalog.elements.searchPlaceholder')}
          aria-label={t('catalog.elements.searchPlaceholder')}
          enterButton={<SearchOutlined />}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onSearch={(v) => void load(v.trim())}
          style={{ width: 320 }}
        />
        {authority && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('catalog.elements.create')}
          </Button>
        )}
      </Space>
      {error && <Alert type="error" showIcon title={error} />}
      <Table<DataElement>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={items}
        loading={loading}
        data-testid="elements-table"
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        expandable={{
          expandedRowRender: (e) => (
            <Space orientation="vertical" size={4}>
              <Typography.Text>{name({ nameZh: e.definitionZh, nameEn: e.definitionEn }) || '—'}</Typography.Text>
              {e.synonyms.length > 0 && (
                <span>
                  {t('catalog.elements.synonyms')}:{' '}
                  {e.synonyms.map((s) => (
                    <Tag key={s}>{s}</Tag>
                  ))}
                </span>
              )}
              {e.pattern && (
                <span>
                  {t('catalog.elements.pattern')}: <code>{e.pattern}</code>
                </span>
              )}
            </Space>
          ),
        }}
      />
      {creating && (
        <CreateElementModal
          onClose={() => setCreating(false)}
          onDone={() => {
            setCreating(false);
            message.success(t('common.saved'));
            void load(q);
          }}
        />
      )}
      {claiming && (
        <ClaimModal
          element={claiming}
          onClose={() => setClaiming(null)}
          onDone={(outcome) => {
            setClaiming(null);
            message.success(t(`catalog.elements.claimOutcome.${outcome}`));
            void load(q);
          }}
        />
      )}
    </Space>
  );
}

interface ElementForm {
  code: string;
  nameZh: string;
  nameEn?: string;
  definitionZh?: string;
  dataType: string;
  format?: string;
  standardRef?: string;
  synonyms?: string[];
}

const ELEMENT_TYPES = ['string', 'code', 'integer', 'decimal', 'date', 'datetime', 'boolean'];

function CreateElementModal({ onClose, onDone }: { onClose(): void; onDone(): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<ElementForm>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const req = (field: string) => [{ required: true, whitespace: true, message: t('common.required', { field }) }];
  const submit = async (v: ElementForm) => {
    setBusy(true);
    setError(null);
    try {
      await post('/api/elements', { ...v, synonyms: v.synonyms ?? [] });
      onDone();
    } catch (e) {
      if (!applyServerError(form, e, ['code', 'nameZh'])) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('catalog.elements.create')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
    >
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ dataType: 'string' }}>
        <Form.Item
          name="code"
          label={t('catalog.elements.code')}
          rules={[...req(t('catalog.elements.code')), { pattern: /^[A-Za-z][A-Za-z0-9-]{1,31}$/, message: t('catalog.elements.codeRule') }]}
        >
          <Input className="mono" placeholder="DE-XX-0001" />
        </Form.Item>
        <Form.Item name="nameZh" label={t('catalog.fields.nameZh')} rules={req(t('catalog.fields.nameZh'))}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="nameEn" label={t('catalog.fields.nameEn')}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="definitionZh" label={t('catalog.elements.definition')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="dataType" label={t('catalog.field.dataType')} rules={req(t('catalog.field.dataType'))}>
            <Select style={{ width: 140 }} options={ELEMENT_TYPES.map((d) => ({ value: d, label: d }))} />
          </Form.Item>
          <Form.Item name="format" label={t('catalog.elements.format')}>
            <Input style={{ width: 140 }} placeholder="c18" />
          </Form.Item>
        </Space>
        <Form.Item name="standardRef" label={t('catalog.elements.standard')}>
          <Input maxLength={300} placeholder="GB 11643-1999" />
        </Form.Item>
        <Form.Item name="synonyms" label={t('catalog.elements.synonyms')}>
          <Select mode="tags" open={false} suffixIcon={null} tokenSeparators={[',', '，', '、']} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}

function ClaimModal({ element, onClose, onDone }: { element: DataElement; onClose(): void; onDone(outcome: string): void }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const name = useName();
  const [resources, setResources] = useState<{ value: string; label: string }[]>([]);
  const [resourceId, setResourceId] = useState<string | undefined>();
  useEffect(() => {
    if (!me?.org) return;
    get<ResourceList>('/api/catalog/resources', { orgId: me.org.id, pageSize: 200 })
      .then((r) => setResources(r.items.map((x) => ({ value: x.id, label: `${name(x)} (${x.code})` }))))
      .catch(() => undefined);
  }, [me?.org?.id]);
  return (
    <CommentModal
      open
      title={t('catalog.elements.claimTitle', { name: name(element) })}
      label={t('catalog.elements.basis')}
      extra={
        <>
          <Typography.Paragraph type="secondary">{t('catalog.elements.claimHint')}</Typography.Paragraph>
          <Form.Item label={t('catalog.elements.claimResource')} required>
            <Select
              aria-label={t('catalog.elements.claimResource')}
              showSearch
              optionFilterProp="label"
              value={resourceId}
              onChange={setResourceId}
              options={resources}
            />
          </Form.Item>
        </>
      }
      onSubmit={async (basis) => {
        if (!resourceId) throw new Error(t('common.required', { field: t('catalog.elements.claimResource') }));
        const r = await post<{ outcome: string }>(`/api/elements/${element.id}/claims`, { resourceId, basis });
        onDone(r.outcome);
      }}
      onClose={onClose}
    />
  );
}

function ReportTab() {
  const { t } = useTranslation();
  const name = useName();
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<Report>('/api/elements/report')
      .then(setReport)
      .catch((e) => setError(errorMessage(e)));
  }, []);
  if (error) return <Alert type="error" showIcon title={error} />;
  const columns: TableColumnsType<ReportRow> = [
    { title: t('catalog.elements.department'), key: 'org', render: (_v, r) => name(r.org) },
    {
      title: t('catalog.elements.repeatedFields'),
      key: 'rep',
      sorter: (a, b) => a.repeatedFields.count - b.repeatedFields.count,
      render: (_v, r) => (r.repeatedFields.count ? <Tag color="red">{r.repeatedFields.count}</Tag> : 0),
    },
    {
      title: t('catalog.elements.openConflicts'),
      key: 'conf',
      render: (_v, r) => (r.openConflicts.count ? <Tag color="volcano">{r.openConflicts.count}</Tag> : 0),
    },
    {
      title: t('catalog.elements.sourceOf'),
      key: 'src',
      render: (_v, r) => (
        <Space size={[0, 4]} wrap>
          {r.authoritativeElements.map((e) => (
            <Tag key={e.id} color="green">
              {name(e)}
            </Tag>
          ))}
        </Space>
      ),
    },
  ];
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Row gutter={16}>
        <Col xs={24} md={8}>
          <Card size="small">
            <Statistic title={t('catalog.elements.repeatedFields')} value={report?.totals.repeatedFields ?? '—'} />
          </Card>
        </Col>
        <Col xs={24} md={8}>
          <Card size="small">
            <Statistic title={t('catalog.elements.openConflicts')} value={report?.totals.openConflicts ?? '—'} />
          </Card>
        </Col>
        <Col xs={24} md={8}>
          <Card size="small">
            <Statistic title={t('catalog.elements.withoutSource')} value={report?.totals.elementsWithoutSource ?? '—'} />
          </Card>
        </Col>
      </Row>
      <Table<ReportRow>
        rowKey={(r) => r.org.id}
        size="small"
        loading={!report}
        columns={columns}
        dataSource={report?.items ?? []}
        pagination={false}
        data-testid="elements-report"
        expandable={{
          rowExpandable: (r) => r.repeatedFields.count + r.openConflicts.count > 0,
          expandedRowRender: (r) => (
            <Space orientation="vertical" style={{ width: '100%' }}>
              {r.repeatedFields.items.map((f) => (
                <div key={f.fieldId}>
                  <Tag color="red">{t('catalog.lineage.repeated')}</Tag>
                  <Link to={`/catalog/resources/${f.resource.id}`}>{name(f.resource)}</Link> ·{' '}
                  {name({ nameZh: f.fieldNameZh, nameEn: f.fieldNameEn })} → {name(f.element)} · {t('catalog.lineage.source')}:{' '}
                  {f.authoritativeResourceId ? (
                    <Link to={`/catalog/resources/${f.authoritativeResourceId}`}>{name(f.authoritativeOrg)}</Link>
                  ) : (
                    name(f.authoritativeOrg)
                  )}
                </div>
              ))}
              {r.openConflicts.items.map((c) => (
                <div key={c.arbitrationId}>
                  <Tag color="volcano">{t('catalog.elements.conflict')}</Tag>
                  {name(c.element)} · {c.claimants.map((o) => name(o)).join(' / ')} · {formatDateTime(c.openedAt)}
                </div>
              ))}
            </Space>
          ),
        }}
      />
    </Space>
  );
}

function Arbitrations() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const name = useName();
  const [status, setStatus] = useState<'open' | 'decided'>('open');
  const [items, setItems] = useState<Arbitration[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [deciding, setDeciding] = useState<Arbitration | null>(null);
  const [winner, setWinner] = useState<string | undefined>();
  const authority = hasRole(me, 'authority_admin');

  const load = useCallback(async () => {
    setItems(null);
    setError(null);
    try {
      setItems((await get<{ items: Arbitration[] }>('/api/elements/arbitrations', { status })).items);
    } catch (e) {
      setError(errorMessage(e));
      setItems([]);
    }
  }, [status]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Segmented
        value={status}
        onChange={(v) => setStatus(v as 'open' | 'decided')}
        options={[
          { value: 'open', label: t('catalog.elements.arbitrationOpen') },
          { value: 'decided', label: t('catalog.elements.arbitrationDecided') },
        ]}
      />
      {error && <Alert type="error" showIcon title={error} />}
      <List
        loading={!items}
        dataSource={items ?? []}
        data-testid="arbitrations"
        locale={{ emptyText: <Empty description={t('catalog.elements.noArbitrations')} /> }}
        renderItem={(a) => (
          <List.Item key={a.id}>
            <Card
              size="small"
              style={{ width: '100%' }}
              title={
                <Space>
                  {name(a.element)}
                  <span className="mono">{a.element.code}</span>
                  {a.status === 'open' ? (
                    <Badge status="processing" text={t('catalog.elements.arbitrationOpen')} />
                  ) : (
                    <Tag>{t('catalog.elements.arbitrationDecided')}</Tag>
                  )}
                </Space>
              }
              extra={
                authority &&
                a.status === 'open' && (
                  <Button
                    type="primary"
                    size="small"
                    onClick={() => {
                      setWinner(undefined);
                      setDeciding(a);
                    }}
                  >
                    {t('catalog.elements.decide')}
                  </Button>
                )
              }
            >
              <Typography.Text type="secondary">{t('catalog.elements.openedAt', { time: formatDateTime(a.openedAt) })}</Typography.Text>
              <Table
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={a.claims}
                columns={[
                  { title: t('catalog.elements.claimant'), key: 'org', width: 180, render: (_v, c) => name(c.org) },
                  {
                    title: t('catalog.elements.claimResource'),
                    key: 'res',
                    width: 220,
                    render: (_v, c) => (c.resource ? <Link to={`/catalog/resources/${c.resource.id}`}>{name(c.resource)}</Link> : '—'),
                  },
                  { title: t('catalog.elements.basis'), dataIndex: 'basis', key: 'basis' },
                  {
                    title: t('catalog.fields.status'),
                    key: 'status',
                    render: (_v, c) => (
                      <Tag color={c.status === 'accepted' ? 'green' : c.status === 'pending' ? 'blue' : 'default'}>
                        {t(`catalog.elements.claimStatus.${c.status}`)}
                      </Tag>
                    ),
                  },
                ]}
              />
              {a.comment && (
                <Typography.Paragraph style={{ marginTop: 8 }}>
                  {t('catalog.elements.decision')}: {a.comment}
                </Typography.Paragraph>
              )}
            </Card>
          </List.Item>
        )}
      />
      <CommentModal
        open={!!deciding}
        title={deciding ? t('catalog.elements.decideTitle', { name: name(deciding.element) }) : ''}
        label={t('catalog.elements.reasoning')}
        extra={
          deciding && (
            <Form.Item label={t('catalog.elements.winner')} required>
              <Radio.Group value={winner} onChange={(e) => setWinner(e.target.value as string)}>
                <Space orientation="vertical">
                  {deciding.claims.map((c) => (
                    <Radio key={c.id} value={c.id}>
                      {name(c.org)}
                      {c.resource ? ` · ${name(c.resource)}` : ''}
                    </Radio>
                  ))}
                </Space>
              </Radio.Group>
            </Form.Item>
          )
        }
        onSubmit={async (comment) => {
          if (!deciding) return;
          if (!winner) throw new Error(t('catalog.elements.chooseWinner'));
          await post(`/api/elements/arbitrations/${deciding.id}/decide`, { winnerClaimId: winner, comment });
          message.success(t('catalog.elements.decided'));
          await load();
        }}
        onClose={() => setDeciding(null)}
      />
    </Space>
  );
}
