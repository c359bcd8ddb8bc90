// 批量导入导出: the import template (XLSX/CSV with Chinese headers), export of the visible catalog, and the
// all-or-nothing import — checked first (dry run), then written; a refused file lists row, column and reason.
import { useState } from 'react';
import { Alert, Button, Divider, Modal, Space, Table, Typography, Upload } from 'antd';
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError, readCookie } from '../../api.ts';
import i18n from '../../i18n.ts';

interface RowError {
  sheet: string;
  row: number;
  column: string;
  code: string;
  message: string;
}

interface ImportResult {
  dryRun: boolean;
  format: 'xlsx' | 'csv';
  resources: number;
  fields: number;
}

async function upload(file: File, dryRun: boolean): Promise<ImportResult> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-language': i18n.language || 'zh-CN',
    'content-type': file.type || 'application/octet-stream',
  };
  const csrf = readCookie('sy_csrf');
  if (csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(`/api/catalog/import?dryRun=${dryRun ? 1 : 0}`, {
    method: 'POST',
    headers,
    body: file,
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => ({}))) as ImportResult & {
    error?: { code: string; message: string; details?: Record<string, unknown> };
  };
  if (!res.ok)
    throw new ApiError(
      res.status,
      data.error?.code ?? `HTTP_${res.status}`,
      data.error?.message ?? String(res.status),
      data.error?.details ?? {},
    );
  return data;
}

export default function BulkModal({ onClose, onImported }: { onClose(): void; onImported(): void }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState<'check' | 'import' | null>(null);
  const [checked, setChecked] = useState<ImportResult | null>(null);
  const [done, setDone] = useState<ImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rows, setRows] = useState<RowError[]>([]);
  const [total, setTotal] = useState(0);

  const run = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(dryRun ? 'check' : 'import');
    setError(null);
    setRows([]);
    try {
      const r = await upload(file, dryRun);
      if (dryRun) setChecked(r);
      else {
        setDone(r);
        onImported();
      }
    } catch (e) {
      setChecked(null);
      setError(e instanceof Error ? e.message : String(e));
      if (e instanceof ApiError && Array.isArray(e.details.errors)) {
        setRows(e.details.errors as RowError[]);
        setTotal(typeof e.details.total === 'number' ? e.details.total : (e.details.errors as RowError[]).length);
      }
    } finally {
      setBusy(null);
    }
  };

  return (
    <Modal
      open
      title={t('catalog.bulk.title')}
      onCancel={onClose}
      footer={<Button onClick={onClose}>{t('common.close')}</Button>}
      width={760}
    >
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {t('catalog.bulk.templates')}
      </Typography.Title>
      <Space wrap>
        <Button icon={<DownloadOutlined />} href="/api/catalog/template.xlsx" download>
          {t('catalog.bulk.templateXlsx')}
        </Button>
        <Button icon={<DownloadOutlined />} href="/api/catalog/template.csv" download>
          {t('catalog.bulk.templateCsv')}
        </Button>
        <Button icon={<DownloadOutlined />} href="/api/catalog/export.xlsx" download>
          {t('catalog.bulk.exportXlsx')}
        </Button>
        <Button icon={<DownloadOutlined />} href="/api/catalog/export.csv" download>
          {t('catalog.bulk.exportCsv')}
        </Button>
      </Space>
      <Divider />
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {t('catalog.bulk.import')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('catalog.bulk.importHint')}</Typography.Paragraph>
      <Space wrap>
        <Upload
          accept=".xlsx,.csv"
          maxCount={1}
          beforeUpload={(f) => {
            setFile(f);
            setChecked(null);
            setDone(null);
            setError(null);
            setRows([]);
            return false;
          }}
          onRemove={() => {
            setFile(null);
            setChecked(null);
          }}
        >
          <Button icon={<UploadOutlined />}>{t('catalog.bulk.choose')}</Button>
        </Upload>
        <Button disabled={!file || !!busy} loading={busy === 'check'} onClick={() => void run(true)}>
          {t('catalog.bulk.check')}
        </Button>
        <Button type="primary" disabled={!file || !checked || !!busy || !!done} loading={busy === 'import'} onClick={() => void run(false)}>
          {t('catalog.bulk.doImport')}
        </Button>
      </Space>
      <div aria-live="polite" style={{ marginTop: 16 }}>
        {checked && !done && (
          <Alert type="success" showIcon title={t('catalog.bulk.checkedOk', { resources: checked.resources, fields: checked.fields })} />
        )}
        {done && <Alert type="success" showIcon title={t('catalog.bulk.imported', { resources: done.resources, fields: done.fields })} />}
        {error && (
          <Alert
            type="error"
            showIcon
            title={error}
            description={rows.length > 0 && total > rows.length ? t('catalog.bulk.rowErrors', { total, shown: rows.length }) : undefined}
          />
        )}
        {rows.length > 0 && (
          <Table<RowError>
            style={{ marginTop: 12 }}
            size="small"
            rowKey={(r) => `${r.sheet}:${r.row}:${r.column}:${r.code}`}
            dataSource={rows}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            columns={[
              { title: t('catalog.bulk.sheet'), dataIndex: 'sheet', key: 'sheet', width: 90 },
              { title: t('catalog.bulk.row'), dataIndex: 'row', key: 'row', width: 60 },
              { title: t('catalog.bulk.column'), dataIndex: 'column', key: 'column', width: 150 },
              { title: t('catalog.bulk.reason'), dataIndex: 'message', key: 'message' },
            ]}
          />
        )}
      </div>
    </Modal>
  );
}
