// 结构确认: the structure inferred from a new file, for the provider to confirm or correct before a version is
// built: each column's name, type, date format, whether it is required, its personal-information kind (proposed
// from the detection, with its confidence), the catalog field it carries, and the primary key. When the
// dataset already has a structure, what changed (added, removed, retyped columns) is shown first.
import { useMemo, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Checkbox,
  Descriptions,
  Input,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
  type TableColumnsType,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, post } from '../../api.ts';
import { formatDateTime, formatNumber } from '../../format.ts';
import { useName } from '../catalog/common.tsx';
import type { Resource } from '../catalog/types.ts';
import { PiiFindings, piiLabel, warningText } from './common.tsx';
import { FIELD_TYPES, PII_KINDS, type FieldType, type Ingest, type SchemaDiff, type SchemaField, type TableSchema } from './types.ts';

interface Row {
  /** The staging column (stable while the name is edited). */
  source: string;
  name: string;
  type: FieldType;
  format: string;
  required: boolean;
  piiKind: string;
  fieldCode: string | null;
  key: boolean;
  original: SchemaField;
}

function keyOf(s: TableSchema | null | undefined): string[] {
  const pk = s?.primaryKey;
  return pk === undefined ? [] : Array.isArray(pk) ? pk : [pk];
}

/** The catalog field a column most likely carries: same code, or same Chinese or English name. */
function guessField(resource: Resource, name: string): string | null {
  const n = name.trim().toLowerCase();
  const f =
    resource.fields.find((x) => x.code.toLowerCase() === n) ??
    resource.fields.find((x) => x.nameZh === name.trim() || x.nameEn.toLowerCase() === n);
  return f?.code ?? null;
}

/**
 * The rows to edit: the proposal, with what the provider decided for the dataset's confirmed structure carried
 * over to the columns it already had (name, PII kind, catalog field, required, primary key) — data cannot
 * tell those again. Types and formats are the proposal's: what changed there is shown as the schema change.
 */
function initialRows(schema: TableSchema, resource: Resource, confirmed: TableSchema | null): Row[] {
  const before = new Map((confirmed?.fields ?? []).map((f) => [f.source ?? f.name, f]));
  const oldKey = keyOf(confirmed);
  const keptKey = oldKey.length > 0 && oldKey.every((k) => schema.fields.some((f) => (f.source ?? f.name) === k || f.name === k));
  const pk = keptKey ? oldKey : keyOf(schema);
  return schema.fields.map((f) => {
    const source = f.source ?? f.name;
    const prev = before.get(source);
    const hints = { ...(f['x-shuyuan'] ?? {}) };
    const prevHints = prev?.['x-shuyuan'] ?? {};
    const name = prev?.name ?? f.name;
    const piiKind = typeof prevHints.piiKind === 'string' ? prevHints.piiKind : typeof hints.piiKind === 'string' ? hints.piiKind : 'none';
    const fieldCode =
      typeof prevHints.fieldCode === 'string'
        ? prevHints.fieldCode
        : typeof hints.fieldCode === 'string'
          ? hints.fieldCode
          : guessField(resource, f.name);
    return {
      source,
      name,
      type: f.type,
      format: f.format ?? '',
      required: prev ? !!prev.constraints?.required : !!f.constraints?.required,
      piiKind,
      fieldCode,
      key: pk.includes(name) || pk.includes(source),
      original: f,
    };
  });
}

/** The schema to confirm: the proposal with the provider's edits (everything else in a field is kept). */
export function confirmedSchema(proposed: TableSchema, rows: Row[]): TableSchema {
  const fields: SchemaField[] = rows.map((r) => {
    const { format: _format, constraints, trueValues, falseValues, ...rest } = r.original;
    const dated = r.type === 'date' || r.type === 'datetime';
    const hints = { ...(r.original['x-shuyuan'] ?? {}), piiKind: r.piiKind };
    if (r.fieldCode) hints.fieldCode = r.fieldCode;
    else delete hints.fieldCode;
    return {
      ...rest,
      name: r.name.trim(),
      type: r.type,
      ...(dated && r.format.trim() ? { format: r.format.trim() } : {}),
      ...(r.type === 'boolean' && trueValues !== undefined ? { trueValues } : {}),
      ...(r.type === 'boolean' && falseValues !== undefined ? { falseValues } : {}),
      source: r.source,
      constraints: { ...(constraints ?? {}), required: r.required },
      'x-shuyuan': hints,
    };
  });
  const { primaryKey: _pk, fields: _f, ...rest } = proposed;
  const key = rows.filter((r) => r.key).map((r) => r.name.trim());
  return { ...rest, fields, ...(key.length ? { primaryKey: key } : {}) };
}

export default function SchemaReview({
  ingest,
  resource,
  confirmed,
  onDone,
}: {
  ingest: Ingest;
  resource: Resource;
  /** The dataset's confirmed structure (null before the first version). */
  confirmed: TableSchema | null;
  onDone(): void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const name = useName();
  const proposed = ingest.proposedSchema!;
  const [rows, setRows] = useState<Row[]>(() => initialRows(proposed, resource, confirmed));
  const [busy, setBusy] = useState<'confirm' | 'cancel' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const set = (source: string, patch: Partial<Row>) => setRows((rs) => rs.map((r) => (r.source === source ? { ...r, ...patch } : r)));

  const problems = useMemo(() => {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      const n = r.name.trim();
      if (!n) out.push(t('datasets.schema.nameEmpty', { column: r.source }));
      else if (n === '_row') out.push(t('datasets.schema.nameReserved', { name: n }));
      else if (seen.has(n)) out.push(t('datasets.schema.nameDuplicate', { name: n }));
      seen.add(n);
    }
    return out;
  }, [rows, t]);

  const fieldOptions = resource.fields.map((f) => ({ value: f.code, label: `${name(f)} (${f.code})` }));
  const piiOptions = PII_KINDS.map((k) => ({ value: k, label: piiLabel(t, k) }));

  const confirm = async () => {
    setBusy('confirm');
    setError(null);
    try {
      await post(`/api/ingests/${ingest.id}/confirm`, { schema: confirmedSchema(proposed, rows) });
      message.success(t('datasets.schema.confirmed'));
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  const cancel = async () => {
    setBusy('cancel');
    setError(null);
    try {
      await post(`/api/ingests/${ingest.id}/cancel`);
      message.info(t('datasets.schema.cancelled'));
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  const columns: TableColumnsType<Row> = [
    {
      title: t('datasets.schema.name'),
      key: 'name',
      width: 200,
      render: (_v, r, i) => (
        <Space orientation="vertical" size={0}>
          <Input
            value={r.name}
            maxLength={128}
            onChange={(e) => set(r.source, { name: e.target.value })}
            aria-label={t('datasets.schema.nameOf', { n: i + 1 })}
            status={!r.name.trim() ? 'error' : undefined}
          />
          {r.name.trim() !== r.source && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('datasets.schema.sourceColumn', { column: r.source })}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t('datasets.schema.type'),
      key: 'type',
      width: 130,
      render: (_v, r, i) => (
        <Select
          value={r.type}
          style={{ width: 120 }}
          onChange={(v: FieldType) => set(r.source, { type: v })}
          aria-label={t('datasets.schema.typeOf', { n: i + 1 })}
          options={FIELD_TYPES.map((x) => ({ value: x, label: t(`datasets.type.${x}`) }))}
          data-testid={`schema-type-${i + 1}`}
        />
      ),
    },
    {
      title: t('datasets.schema.format'),
      key: 'format',
      width: 150,
      render: (_v, r, i) =>
        r.type === 'date' || r.type === 'datetime' ? (
          <Input
            value={r.format}
            maxLength={64}
            className="mono"
            placeholder={r.type === 'date' ? '%Y-%m-%d' : '%Y-%m-%d %H:%M:%S'}
            onChange={(e) => set(r.source, { format: e.target.value })}
            aria-label={t('datasets.schema.formatOf', { n: i + 1 })}
          />
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    {
      title: t('datasets.schema.required'),
      key: 'required',
      width: 70,
      align: 'center',
      render: (_v, r, i) => (
        <Checkbox
          checked={r.required}
          onChange={(e) => set(r.source, { required: e.target.checked })}
          aria-label={t('datasets.schema.requiredOf', { n: i + 1 })}
        />
      ),
    },
    {
      title: t('datasets.schema.pii'),
      key: 'pii',
      width: 220,
      render: (_v, r, i) => (
        <Space orientation="vertical" size={2}>
          <Select
            value={r.piiKind}
            style={{ width: 190 }}
            onChange={(v: string) => set(r.source, { piiKind: v })}
            aria-label={t('datasets.schema.piiOf', { n: i + 1 })}
            options={piiOptions}
            data-testid={`schema-pii-${i + 1}`}
          />
          <PiiFindings findings={ingest.pii?.[r.source]} />
        </Space>
      ),
    },
    {
      title: t('datasets.schema.catalogField'),
      key: 'field',
      width: 220,
      render: (_v, r, i) => (
        <Select
          value={r.fieldCode}
          allowClear
          showSearch
          optionFilterProp="label"
          style={{ width: 200 }}
          placeholder={t('datasets.schema.noCatalogField')}
          onChange={(v: string | undefined) => set(r.source, { fieldCode: v ?? null })}
          aria-label={t('datasets.schema.catalogFieldOf', { n: i + 1 })}
          options={fieldOptions}
        />
      ),
    },
    {
      title: t('datasets.schema.key'),
      key: 'key',
      width: 60,
      align: 'center',
      render: (_v, r, i) => (
        <Checkbox
          checked={r.key}
          onChange={(e) => set(r.source, { key: e.target.checked })}
          aria-label={t('datasets.schema.keyOf', { n: i + 1 })}
        />
      ),
    },
    {
      title: t('datasets.schema.sample'),
      key: 'sample',
      render: (_v, r) => {
        const h = r.original['x-shuyuan'] ?? {};
        return (
          <Space orientation="vertical" size={0}>
            <Typography.Text className="mono" style={{ fontSize: 12 }} ellipsis={{ tooltip: true }}>
              {(h.sample ?? []).slice(0, 3).join(' · ') || '—'}
            </Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('datasets.schema.stats', { distinct: formatNumber(h.distinct ?? 0), empty: formatNumber(h.nullCount ?? 0) })}
              {h.keyCandidate ? ` · ${t('datasets.schema.keyCandidate')}` : ''}
            </Typography.Text>
          </Space>
        );
      },
    },
  ];

  const p = ingest.progress ?? {};
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="schema-review">
      <Descriptions size="small" column={{ xs: 1, md: 3 }}>
        <Descriptions.Item label={t('datasets.ingest.file')}>{ingest.source?.fileName ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('datasets.schema.rows')}>{formatNumber(p.rowsRead ?? 0)}</Descriptions.Item>
        <Descriptions.Item label={t('datasets.schema.detected')}>
          {[p.format?.toUpperCase(), p.encoding?.toUpperCase()].filter(Boolean).join(' · ') || '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('datasets.ingest.startedAt')}>{formatDateTime(ingest.createdAt)}</Descriptions.Item>
        <Descriptions.Item label={t('datasets.ingest.by')}>{ingest.createdBy ?? '—'}</Descriptions.Item>
      </Descriptions>
      {ingest.schemaDiff && <DiffAlert diff={ingest.schemaDiff} />}
      {!!p.warnings?.length && <Alert type="warning" showIcon title={p.warnings.map((w) => warningText(t, w)).join('；')} />}
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t('datasets.schema.intro')}
      </Typography.Paragraph>
      <Table
        rowKey="source"
        size="small"
        pagination={false}
        dataSource={rows}
        columns={columns}
        scroll={{ x: 'max-content' }}
        data-testid="schema-table"
      />
      {problems.length > 0 && <Alert type="error" showIcon title={problems.join('；')} />}
      {error && <Alert type="error" showIcon title={error} role="alert" />}
      <Space>
        <Button
          type="primary"
          onClick={() => void confirm()}
          loading={busy === 'confirm'}
          disabled={!!busy || problems.length > 0}
          data-testid="schema-confirm"
        >
          {t('datasets.schema.confirm')}
        </Button>
        <Button danger onClick={() => void cancel()} loading={busy === 'cancel'} disabled={!!busy} data-testid="schema-cancel">
          {t('datasets.schema.cancel')}
        </Button>
      </Space>
    </Space>
  );
}

/** What changed against the dataset's structure: added, removed and retyped columns, other constraints. */
export function DiffAlert({ diff }: { diff: SchemaDiff }) {
  const { t } = useTranslation();
  if (!diff.changed) return <Alert type="success" showIcon title={t('datasets.schemaDiff.same')} />;
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="schema-diff"
      title={t('datasets.schemaDiff.title')}
      description={<SchemaDiffTags diff={diff} />}
    />
  );
}

export function SchemaDiffTags({ diff }: { diff: SchemaDiff }) {
  const { t } = useTranslation();
  return (
    <Space wrap size={[4, 4]}>
      {diff.added.map((n) => (
        <Tag key={`a:${n}`} color="green">
          {t('datasets.schemaDiff.added', { name: n })}
        </Tag>
      ))}
      {diff.removed.map((n) => (
        <Tag key={`r:${n}`} color="red">
          {t('datasets.schemaDiff.removed', { name: n })}
        </Tag>
      ))}
      {diff.retyped.map((r) => (
        <Tooltip key={`t:${r.name}`} title={`${r.from} → ${r.to}`}>
          <Tag color="orange">{t('datasets.schemaDiff.retyped', { name: r.name, from: r.from, to: r.to })}</Tag>
        </Tooltip>
      ))}
      {diff.constraints.map((c) => (
        <Tag key={`c:${c.name}:${c.what}`} color="blue">
          {t('datasets.schemaDiff.constraint', { name: c.name, what: t(`datasets.schemaDiff.what.${c.what}`, { defaultValue: c.what }) })}
        </Tag>
      ))}
    </Space>
  );
}
