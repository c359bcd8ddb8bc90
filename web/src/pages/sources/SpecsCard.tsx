// 从数据库导入 (the dataset's 导入 tab): the ingest specs feeding this dataset from a source database — a
// connection, one SELECT, full or incremental, an optional cron schedule — and "run now". A run is a job; once
// the runner has started the ingest (the spec's last run leaves queued/running) the ingest list is reloaded and
// follows it like an uploaded file.
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import { CaretRightOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { del, errorMessage, get, post } from '../../api.ts';
import { formatDateTime } from '../../format.ts';
import { applyServerError } from '../../forms.ts';
import { KIND_LABELS, type Connection, type Spec, type SpecMode } from './types.ts';

const POLL_MS = 1500;
const RUN_ACTIVE = ['queued', 'running'];

export default function SpecsCard({ datasetId, onRunStarted }: { datasetId: string; onRunStarted(): void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [specs, setSpecs] = useState<Spec[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [running, setRunning] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const seen = useRef(new Map<string, string>());
  const notify = useRef(onRunStarted);
  notify.current = onRunStarted;

  const reload = useCallback(() => setTick((n) => n + 1), []);

  // Loads the specs; polls while a run is queued or running, and reloads the ingest list when one ends.
  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    const ctrl = new AbortController();
    const load = async () => {
      try {
        const r = await get<{ items: Spec[] }>('/api/sources/specs', { datasetId }, ctrl.signal);
        if (!live) return;
        setSpecs(r.items);
        setError(null);
        let ended = false;
        for (const s of r.items) {
          const key = s.lastRun ? `${s.lastRun.at}:${s.lastRun.status}` : '';
          const before = seen.current.get(s.id);
          if (before !== undefined && before !== key && s.lastRun && !RUN_ACTIVE.includes(s.lastRun.status)) ended = true;
          seen.current.set(s.id, key);
        }
        if (ended) notify.current();
        if (r.items.some((s) => s.lastRun && RUN_ACTIVE.includes(s.lastRun.status))) timer = window.setTimeout(() => void load(), POLL_MS);
      } catch (e) {
        if (!live || (e as Error).name === 'AbortError') return;
        setError(errorMessage(e));
      }
    };
    void load();
    return () => {
      live = false;
      ctrl.abort();
      window.clearTimeout(timer);
    };
  }, [datasetId, tick]);

  const run = async (s: Spec) => {
    setRunning(s.id);
    try {
      await post(`/api/sources/specs/${s.id}/run`);
      message.success(t('sources.spec.runQueued', { name: s.name }));
      reload();
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setRunning(null);
    }
  };

  const remove = async (s: Spec) => {
    try {
      await del(`/api/sources/specs/${s.id}`);
      message.success(t('sources.spec.deleted', { name: s.name }));
      reload();
    } catch (e) {
      message.error(errorMessage(e));
    }
  };

  const columns: TableColumnsType<Spec> = [
    { title: t('sources.spec.name'), dataIndex: 'name', key: 'name' },
    {
      title: t('sources.spec.connection'),
      key: 'connection',
      render: (_v, s) => (
        <Space size={4}>
          <span>{s.connectionName}</span>
          <Tag>{KIND_LABELS[s.kind]}</Tag>
        </Space>
      ),
    },
    {
      title: t('sources.spec.mode'),
      key: 'mode',
      render: (_v, s) => (
        <Space orientation="vertical" size={0}>
          <span>{t(`sources.spec.modes.${s.mode}`)}</span>
          {s.mode === 'incremental' && (
            <Typography.Text type="secondary">
              {t('sources.spec.markShort', { column: s.incrementalColumn ?? '—', value: s.lastValue ?? '—' })}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t('sources.spec.schedule'),
      key: 'schedule',
      render: (_v, s) =>
        s.schedule ? (
          <Space orientation="vertical" size={0}>
            <span className="mono">{s.schedule}</span>
            {s.nextRunAt && (
              <Typography.Text type="secondary">{t('sources.spec.nextRun', { at: formatDateTime(s.nextRunAt) })}</Typography.Text>
            )}
          </Space>
        ) : (
          t('sources.spec.onDemand')
        ),
    },
    {
      title: t('sources.spec.lastRun'),
      key: 'lastRun',
      render: (_v, s) =>
        s.lastRun ? (
          <Space orientation="vertical" size={0} data-testid="spec-last-run">
            <Space size={4}>
              <Tag color={{ queued: 'default', running: 'processing', succeeded: 'success', failed: 'error' }[s.lastRun.status]}>
                {t(`sources.spec.runStatus.${s.lastRun.status}`)}
              </Tag>
              <Typography.Text type="secondary">{formatDateTime(s.lastRun.at)}</Typography.Text>
            </Space>
            {s.lastRun.error && <Typography.Text type="danger">{s.lastRun.error.message}</Typography.Text>}
          </Space>
        ) : (
          '—'
        ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      render: (_v, s) => (
        <Space size={4}>
          <Button
            size="small"
            type="primary"
            icon={<CaretRightOutlined />}
            loading={running === s.id}
            disabled={!!s.lastRun && RUN_ACTIVE.includes(s.lastRun.status)}
            onClick={() => void run(s)}
            data-testid="spec-run"
          >
            {t('sources.spec.run')}
          </Button>
          <Popconfirm
            title={t('sources.spec.deleteConfirm', { name: s.name })}
            okText={t('common.delete')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() => remove(s)}
          >
            <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('sources.spec.deleteNamed', { name: s.name })} />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <Card
      size="small"
      title={t('sources.spec.title')}
      data-testid="source-specs"
      extra={
        <Button size="small" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="spec-add">
          {t('sources.spec.add')}
        </Button>
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Table
        rowKey="id"
        size="small"
        loading={!specs && !error}
        dataSource={specs ?? []}
        columns={columns}
        pagination={false}
        scroll={{ x: 'max-content' }}
        data-testid="specs-table"
        locale={{ emptyText: t('sources.spec.none') }}
        expandable={{
          expandedRowRender: (s) => (
            <pre className="mono" style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
              {s.query}
            </pre>
          ),
        }}
      />
      {creating && (
        <SpecModal
          datasetId={datasetId}
          onClose={() => setCreating(false)}
          onSaved={(s) => {
            setCreating(false);
            message.success(t('sources.spec.created', { name: s.name }));
            reload();
          }}
        />
      )}
    </Card>
  );
}

interface SpecValues {
  connectionId: string;
  name?: string;
  query: string;
  mode: SpecMode;
  incrementalColumn?: string;
  schedule?: string;
}

const SPEC_FIELDS = ['connectionId', 'name', 'query', 'mode', 'incrementalColumn', 'schedule'];

function SpecModal({ datasetId, onClose, onSaved }: { datasetId: string; onClose(): void; onSaved(s: Spec): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<SpecValues>();
  const [connections, setConnections] = useState<Connection[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mode = Form.useWatch('mode', form);

  useEffect(() => {
    get<{ items: Connection[] }>('/api/sources')
      .then((r) => setConnections(r.items))
      .catch((e: unknown) => setLoadError(errorMessage(e)));
  }, []);

  const submit = async (v: SpecValues) => {
    setBusy(true);
    setError(null);
    try {
      const s = await post<Spec>('/api/sources/specs', {
        datasetId,
        connectionId: v.connectionId,
        ...(v.name?.trim() ? { name: v.name.trim() } : {}),
        query: v.query.trim(),
        mode: v.mode,
        ...(v.mode === 'incremental' ? { incrementalColumn: v.incrementalColumn?.trim() } : {}),
        schedule: v.schedule?.trim() ? v.schedule.trim() : null,
      });
      onSaved(s);
    } catch (e) {
      if (!applyServerError(form, e, SPEC_FIELDS)) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      width={720}
      title={t('sources.spec.add')}
      onCancel={onClose}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      okButtonProps={{ 'data-testid': 'spec-save' } as Record<string, string>}
      destroyOnHidden
    >
      <Form<SpecValues> form={form} name="specForm" layout="vertical" onFinish={submit} initialValues={{ mode: 'full' }}>
        {loadError && <Alert type="error" showIcon title={loadError} style={{ marginBottom: 12 }} />}
        {connections && !connections.length && (
          <Alert type="info" showIcon title={t('sources.spec.noConnections')} style={{ marginBottom: 12 }} />
        )}
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              name="connectionId"
              label={t('sources.spec.connection')}
              rules={[{ required: true, message: t('sources.spec.connectionRequired') }]}
            >
              <Select
                loading={!connections && !loadError}
                options={(connections ?? []).map((c) => ({
                  value: c.id,
                  label: `${c.name}（${KIND_LABELS[c.kind]} ${c.host}:${c.port}/${c.database}）`,
                }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="name" label={t('sources.spec.name')} tooltip={t('sources.spec.nameHint')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="query"
          label={t('sources.spec.query')}
          extra={t('sources.spec.queryHint')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('sources.spec.query') }) }]}
        >
          <Input.TextArea className="mono" rows={6} maxLength={100000} spellCheck={false} placeholder="select * from ..." />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="mode" label={t('sources.spec.mode')}>
              <Radio.Group
                options={[
                  { value: 'full', label: t('sources.spec.modes.full') },
                  { value: 'incremental', label: t('sources.spec.modes.incremental') },
                ]}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            {mode === 'incremental' && (
              <Form.Item
                name="incrementalColumn"
                label={t('sources.spec.incrementalColumn')}
                tooltip={t('sources.spec.incrementalHint')}
                rules={[
                  { required: true, whitespace: true, message: t('common.required', { field: t('sources.spec.incrementalColumn') }) },
                ]}
              >
                <Input maxLength={128} />
              </Form.Item>
            )}
          </Col>
        </Row>
        <Form.Item name="schedule" label={t('sources.spec.schedule')} extra={t('sources.spec.scheduleHint')}>
          <Input maxLength={100} className="mono" placeholder="0 2 * * *" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
