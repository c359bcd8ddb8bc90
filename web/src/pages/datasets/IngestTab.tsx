// 导入: the provider uploads a file (resumable, with progress) with its reading options, and follows each
// ingest live: status, phase, rows read so far, the errors with where they happened, and the rejected values.
// 从数据库导入 (SpecsCard): the same ingests fed by a query on a source database.
import { useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Form,
  Input,
  Row,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import { LoadingOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, post } from '../../api.ts';
import { formatDateTime, formatNumber } from '../../format.ts';
import UploadDropzone, { type UploadedFile } from '../../components/UploadDropzone.tsx';
import SpecsCard from '../sources/SpecsCard.tsx';
import { formatBytes, IngestErrorText, IngestStatusTag, reasonText, warningText } from './common.tsx';
import { ACTIVE_STATUSES, type BadRow, type Dataset, type Ingest } from './types.ts';

const ACCEPT = '.csv,.tsv,.txt,.xlsx,.json,.ndjson,.jsonl,.parquet';

interface Options {
  encoding: 'auto' | 'utf-8' | 'gbk' | 'gb18030';
  delimiter: 'auto' | ',' | '\t' | ';' | '|';
  header: boolean;
  sheet: string;
}

const DEFAULTS: Options = { encoding: 'auto', delimiter: 'auto', header: true, sheet: '' };

/** The options as the API takes them (automatic detection: the option is left out). */
function apiOptions(o: Options) {
  return {
    ...(o.encoding !== 'auto' ? { encoding: o.encoding } : {}),
    ...(o.delimiter !== 'auto' ? { delimiter: o.delimiter } : {}),
    header: o.header,
    ...(o.sheet.trim() ? { sheet: o.sheet.trim() } : {}),
  };
}

export default function IngestTab({
  dataset,
  items,
  error,
  onStarted,
  onChanged,
  onReview,
}: {
  dataset: Dataset;
  items: Ingest[] | null;
  error: string | null;
  onStarted(i: Ingest): void;
  onChanged(): void;
  onReview(): void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Options>();
  const [startError, setStartError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [cancelling, setCancelling] = useState<string | null>(null);

  const start = async (file: UploadedFile) => {
    setStartError(null);
    setStarting(true);
    try {
      const opts = { ...DEFAULTS, ...form.getFieldsValue() };
      const i = await post<Ingest>(`/api/datasets/${dataset.id}/ingests`, { uploadId: file.uploadId, options: apiOptions(opts) });
      message.success(t('datasets.ingest.started', { name: file.fileName }));
      onStarted(i);
    } catch (e) {
      setStartError(errorMessage(e));
    } finally {
      setStarting(false);
    }
  };

  const cancel = async (i: Ingest) => {
    setCancelling(i.id);
    try {
      await post(`/api/ingests/${i.id}/cancel`);
      onChanged();
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setCancelling(null);
    }
  };

  const columns: TableColumnsType<Ingest> = [
    { title: t('datasets.ingest.startedAt'), dataIndex: 'createdAt', key: 'at', width: 170, render: (v: string) => formatDateTime(v) },
    {
      title: t('datasets.ingest.file'),
      key: 'file',
      render: (_v, i) =>
        i.source?.kind === 'upload' || i.source?.fileName ? (
          <Space orientation="vertical" size={0}>
            <span>{i.source?.fileName}</span>
            {typeof i.source?.size === 'number' && <Typography.Text type="secondary">{formatBytes(i.source.size)}</Typography.Text>}
          </Space>
        ) : (
          t(`datasets.sourceKind.${i.source?.kind ?? 'unknown'}`, { defaultValue: i.source?.kind ?? '—' })
        ),
    },
    {
      title: t('datasets.ingest.status'),
      key: 'status',
      width: 140,
      render: (_v, i) => (
        <Space size={4}>
          {ACTIVE_STATUSES.includes(i.status) && <LoadingOutlined aria-hidden />}
          <IngestStatusTag status={i.status} />
        </Space>
      ),
    },
    { title: t('datasets.ingest.progress'), key: 'progress', render: (_v, i) => <ProgressCell i={i} /> },
    { title: t('datasets.ingest.version'), key: 'version', width: 80, render: (_v, i) => (i.version ? `v${i.version}` : '—') },
    { title: t('datasets.ingest.by'), dataIndex: 'createdBy', key: 'by', render: (v: string | null) => v ?? '—' },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      render: (_v, i) => (
        <Space size={4}>
          {i.status === 'awaiting_schema' && (
            <Button size="small" type="primary" onClick={onReview} data-testid="ingest-review">
              {t('datasets.ingest.review')}
            </Button>
          )}
          {(i.status === 'awaiting_schema' || i.status === 'queued') && (
            <Button size="small" danger loading={cancelling === i.id} onClick={() => void cancel(i)}>
              {t('datasets.ingest.cancel')}
            </Button>
          )}
        </Space>
      ),
    },
  ];

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card size="small" title={t('datasets.ingest.newTitle')}>
        <Form form={form} layout="vertical" initialValues={DEFAULTS} data-testid="ingest-options">
          <Row gutter={16}>
            <Col xs={24} md={6}>
              <Form.Item name="encoding" label={t('datasets.ingest.encoding')}>
                <Select
                  options={[
                    { value: 'auto', label: t('datasets.ingest.auto') },
                    { value: 'utf-8', label: 'UTF-8' },
                    { value: 'gbk', label: 'GBK' },
                    { value: 'gb18030', label: 'GB18030' },
                  ]}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={6}>
              <Form.Item name="delimiter" label={t('datasets.ingest.delimiter')}>
                <Select
                  options={[
                    { value: 'auto', label: t('datasets.ingest.auto') },
                    { value: ',', label: t('datasets.ingest.delimiters.comma') },
                    { value: '\t', label: t('datasets.ingest.delimiters.tab') },
                    { value: ';', label: t('datasets.ingest.delimiters.semicolon') },
                    { value: '|', label: t('datasets.ingest.delimiters.pipe') },
                  ]}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={6}>
              <Form.Item name="header" label={t('datasets.ingest.header')} valuePropName="checked">
                <Switch />
              </Form.Item>
            </Col>
            <Col xs={24} md={6}>
              <Form.Item name="sheet" label={t('datasets.ingest.sheet')} tooltip={t('datasets.ingest.sheetHint')}>
                <Input maxLength={100} placeholder={t('datasets.ingest.sheetPlaceholder')} />
              </Form.Item>
            </Col>
          </Row>
        </Form>
        <UploadDropzone accept={ACCEPT} onComplete={(f) => void start(f)} disabled={starting} />
        {startError && <Alert style={{ marginTop: 12 }} type="error" showIcon title={startError} />}
      </Card>

      <SpecsCard datasetId={dataset.id} onRunStarted={onChanged} />

      {error && <Alert type="warning" showIcon title={error} />}
      <Table
        rowKey="id"
        size="small"
        loading={!items && !error}
        dataSource={items ?? []}
        columns={columns}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        data-testid="ingest-table"
        locale={{ emptyText: t('datasets.ingest.none') }}
        expandable={{
          rowExpandable: (i) => !!i.error || !!i.badRows?.length || !!i.progress?.warnings?.length,
          expandedRowRender: (i) => <IngestDetails i={i} />,
        }}
      />
    </Space>
  );
}

/** Phase, rows read (a number that grows while the file is read), rows written, format and encoding. */
function ProgressCell({ i }: { i: Ingest }) {
  const { t } = useTranslation();
  const p = i.progress ?? {};
  return (
    <Space orientation="vertical" size={0} data-testid="ingest-progress">
      <span>
        {p.phase && ACTIVE_STATUSES.includes(i.status) && (
          <Typography.Text type="secondary">{t(`datasets.phase.${p.phase}`, { defaultValue: p.phase })} · </Typography.Text>
        )}
        <span data-testid="ingest-rows">{t('datasets.ingest.rowsRead', { rows: formatNumber(p.rowsRead ?? 0) })}</span>
        {typeof p.rowsWritten === 'number' && <span> · {t('datasets.ingest.rowsWritten', { rows: formatNumber(p.rowsWritten) })}</span>}
      </span>
      {(p.format || p.encoding) && (
        <Space size={2}>
          {p.format && <Tag>{p.format.toUpperCase()}</Tag>}
          {p.encoding && <Tag>{p.encoding.toUpperCase()}</Tag>}
        </Space>
      )}
      {i.error && <IngestErrorText error={i.error} />}
      {i.badRowCount > 0 && <Typography.Text type="warning">{t('datasets.ingest.badRowCount', { count: i.badRowCount })}</Typography.Text>}
    </Space>
  );
}

function IngestDetails({ i }: { i: Ingest }) {
  const { t } = useTranslation();
  const warnings = i.progress?.warnings ?? [];
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="ingest-details">
      {i.error && <Alert type="error" showIcon title={<IngestErrorText error={i.error} />} />}
      {warnings.length > 0 && (
        <Alert
          type="warning"
          showIcon
          title={t('datasets.ingest.warnings')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {warnings.map((w) => (
                <li key={w}>{warningText(t, w)}</li>
              ))}
            </ul>
          }
        />
      )}
      {!!i.badRows?.length && (
        <>
          <Typography.Text strong>
            {t('datasets.ingest.badRowsTitle', {
              shown: formatNumber(i.badRows.length),
              total: formatNumber(Math.max(i.badRowCount, i.badRows.length)),
            })}
          </Typography.Text>
          <Table<BadRow>
            rowKey={(r) => `${r.row}:${r.column ?? ''}:${r.reason}`}
            size="small"
            dataSource={i.badRows}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            data-testid="bad-rows"
            columns={[
              { title: t('datasets.ingest.badRow.row'), dataIndex: 'row', key: 'row', width: 90, render: (v: number) => formatNumber(v) },
              { title: t('datasets.ingest.badRow.column'), dataIndex: 'column', key: 'column', render: (v: string | null) => v ?? '—' },
              {
                title: t('datasets.ingest.badRow.value'),
                dataIndex: 'value',
                key: 'value',
                render: (v: string | null | undefined) => (v === null || v === undefined ? '—' : <span className="mono">{v}</span>),
              },
              { title: t('datasets.ingest.badRow.reason'), key: 'reason', render: (_v, r) => reasonText(t, r) },
            ]}
          />
        </>
      )}
    </Space>
  );
}
