// 版本: every published version (newest first) with its rows, size, quality and source; two of them compared
// row by row on a key (added, removed, changed rows with examples, and the structure change); and, for the
// provider, a rollback to an earlier version (a new version sharing its file, with a required comment).
import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Empty,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import { RollbackOutlined, SwapOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, post } from '../../api.ts';
import { formatDateTime, formatNumber } from '../../format.ts';
import { CommentModal } from '../catalog/common.tsx';
import { formatBytes, ScoreText, VersionStateTag } from './common.tsx';
import { SchemaDiffTags } from './SchemaReview.tsx';
import type { Dataset, DiffResult, Version } from './types.ts';

export default function VersionsTab({ d, revision, onRolledBack }: { d: Dataset; revision: number; onRolledBack(): void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [key, setKey] = useState<string[]>([]);
  const [diff, setDiff] = useState<DiffResult | null>(null);
  const [diffError, setDiffError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [rollbackTo, setRollbackTo] = useState<Version | null>(null);

  useEffect(() => {
    let live = true;
    get<{ items: Version[] }>(`/api/datasets/${d.id}/versions`)
      .then((r) => {
        if (!live) return;
        setVersions(r.items);
        const readable = r.items.filter((v) => v.state !== 'expired');
        if (readable.length >= 2) {
          setFrom(readable[1]!.version);
          setTo(readable[0]!.version);
        }
      })
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [d.id, revision]);

  // The columns both chosen versions have: the possible keys of the comparison.
  const keyOptions = useMemo(() => {
    const a = versions?.find((v) => v.version === from)?.schema?.fields.map((f) => f.name) ?? [];
    const b = new Set(versions?.find((v) => v.version === to)?.schema?.fields.map((f) => f.name) ?? []);
    return a.filter((n) => b.has(n)).map((n) => ({ value: n, label: n }));
  }, [versions, from, to]);

  const compare = async () => {
    if (!from || !to) return;
    setBusy(true);
    setDiffError(null);
    try {
      setDiff(await get<DiffResult>(`/api/datasets/${d.id}/diff`, { from, to, key: key.length ? key.join(',') : undefined }));
    } catch (e) {
      setDiff(null);
      setDiffError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const rollback = async (comment: string) => {
    if (!rollbackTo) return;
    const v = await post<Version>(`/api/datasets/${d.id}/rollback`, { version: rollbackTo.version, comment });
    message.success(t('datasets.versions.rolledBack', { version: rollbackTo.version, next: v.version }));
    onRolledBack();
  };

  const options = (versions ?? [])
    .filter((v) => v.state !== 'expired')
    .map((v) => ({ value: v.version, label: t('datasets.versionTag', { version: v.version }) }));

  const columns: TableColumnsType<Version> = [
    { title: t('datasets.versions.number'), dataIndex: 'version', key: 'v', width: 70, render: (v: number) => `v${v}` },
    {
      title: t('datasets.versions.state'),
      key: 'state',
      render: (_v, v) => <VersionStateTag state={v.state} current={v.version === d.currentVersion} />,
    },
    { title: t('datasets.versions.rows'), dataIndex: 'rows', key: 'rows', align: 'right', render: (v: number) => formatNumber(v) },
    { title: t('datasets.versions.size'), dataIndex: 'bytes', key: 'bytes', align: 'right', render: (v: number) => formatBytes(v) },
    { title: t('datasets.versions.quality'), key: 'q', align: 'right', render: (_v, v) => <ScoreText score={v.qualityScore} /> },
    {
      title: t('datasets.versions.source'),
      key: 'source',
      render: (_v, v) =>
        v.source?.kind === 'rollback' ? (
          <Space orientation="vertical" size={0}>
            <Tag icon={<RollbackOutlined />}>{t('datasets.versions.rollbackSource', { version: v.source.toVersion ?? '?' })}</Tag>
            {v.source.comment && <Typography.Text type="secondary">{v.source.comment}</Typography.Text>}
          </Space>
        ) : (
          (v.source?.fileName ?? t(`datasets.sourceKind.${v.source?.kind ?? 'unknown'}`, { defaultValue: v.source?.kind ?? '—' }))
        ),
    },
    { title: t('datasets.versions.by'), dataIndex: 'createdBy', key: 'by', render: (v: string | null) => v ?? '—' },
    { title: t('datasets.versions.at'), dataIndex: 'createdAt', key: 'at', render: (v: string) => formatDateTime(v) },
    ...(d.canManage
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_v: unknown, v: Version) =>
              v.version !== d.currentVersion && v.state !== 'expired' ? (
                <Button size="small" icon={<RollbackOutlined />} onClick={() => setRollbackTo(v)} data-testid={`rollback-${v.version}`}>
                  {t('datasets.versions.rollback')}
                </Button>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {error && <Alert type="error" showIcon title={error} />}
      <Table
        rowKey="version"
        size="small"
        loading={!versions && !error}
        dataSource={versions ?? []}
        columns={columns}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        data-testid="versions-table"
        locale={{ emptyText: t('datasets.versions.none') }}
      />
      {options.length >= 2 && (
        <Card size="small" title={t('datasets.versions.diffTitle')}>
          <Space wrap>
            <Select
              aria-label={t('datasets.versions.from')}
              value={from}
              onChange={setFrom}
              options={options}
              style={{ width: 120 }}
              data-testid="diff-from"
            />
            <SwapOutlined aria-hidden />
            <Select
              aria-label={t('datasets.versions.to')}
              value={to}
              onChange={setTo}
              options={options}
              style={{ width: 120 }}
              data-testid="diff-to"
            />
            <Select
              mode="multiple"
              allowClear
              aria-label={t('datasets.versions.key')}
              placeholder={t('datasets.versions.keyPlaceholder')}
              value={key}
              onChange={setKey}
              options={keyOptions}
              style={{ minWidth: 220 }}
            />
            <Button
              type="primary"
              onClick={() => void compare()}
              loading={busy}
              disabled={!from || !to || from === to}
              data-testid="diff-run"
            >
              {t('datasets.versions.compare')}
            </Button>
          </Space>
          {diffError && <Alert style={{ marginTop: 12 }} type="error" showIcon title={diffError} />}
          {diff && <DiffView diff={diff} />}
        </Card>
      )}
      <CommentModal
        open={!!rollbackTo}
        title={rollbackTo ? t('datasets.versions.rollbackTitle', { version: rollbackTo.version }) : ''}
        okText={t('datasets.versions.rollback')}
        label={t('datasets.versions.rollbackComment')}
        danger
        extra={<Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('datasets.versions.rollbackHint')} />}
        onSubmit={rollback}
        onClose={() => setRollbackTo(null)}
        testId="rollback"
      />
    </Space>
  );
}

function DiffView({ diff }: { diff: DiffResult }) {
  const { t } = useTranslation();
  const counted = diff.added !== null;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%', marginTop: 16 }} data-testid="diff-view">
      <Row gutter={16}>
        <Col xs={12} md={4}>
          <Statistic
            title={t('datasets.diff.rowsFrom', { version: diff.from })}
            value={diff.rowsFrom}
            formatter={(v) => formatNumber(Number(v))}
          />
        </Col>
        <Col xs={12} md={4}>
          <Statistic
            title={t('datasets.diff.rowsTo', { version: diff.to })}
            value={diff.rowsTo}
            formatter={(v) => formatNumber(Number(v))}
          />
        </Col>
        {counted && (
          <>
            <Col xs={8} md={4}>
              <Statistic
                title={t('datasets.diff.added')}
                value={diff.added ?? 0}
                styles={{ content: { color: '#389e0d' } }}
                formatter={(v) => formatNumber(Number(v))}
                data-testid="diff-added"
              />
            </Col>
            <Col xs={8} md={4}>
              <Statistic
                title={t('datasets.diff.removed')}
                value={diff.removed ?? 0}
                styles={{ content: { color: '#cf1322' } }}
                formatter={(v) => formatNumber(Number(v))}
                data-testid="diff-removed"
              />
            </Col>
            <Col xs={8} md={4}>
              <Statistic
                title={t('datasets.diff.changed')}
                value={diff.changed ?? 0}
                styles={{ content: { color: '#d46b08' } }}
                formatter={(v) => formatNumber(Number(v))}
                data-testid="diff-changed"
              />
            </Col>
          </>
        )}
      </Row>
      {counted ? (
        <Typography.Text type="secondary">{t('datasets.diff.byKey', { key: diff.key.join(', ') })}</Typography.Text>
      ) : (
        <Alert type="info" showIcon title={t('datasets.diff.noKey')} />
      )}
      {diff.schema && (
        <div>
          <Typography.Text strong>{t('datasets.diff.schema')}</Typography.Text>{' '}
          {diff.schema.changed ? (
            <SchemaDiffTags diff={diff.schema} />
          ) : (
            <Typography.Text type="secondary">{t('datasets.schemaDiff.same')}</Typography.Text>
          )}
        </div>
      )}
      {!!diff.examples?.length && (
        <Table
          rowKey={(e) => `${e.kind}:${e.key}`}
          size="small"
          pagination={false}
          dataSource={diff.examples}
          data-testid="diff-examples"
          columns={[
            {
              title: t('datasets.diff.kind'),
              dataIndex: 'kind',
              key: 'kind',
              width: 100,
              render: (k: string) => (
                <Tag color={k === 'added' ? 'green' : k === 'removed' ? 'red' : 'orange'}>{t(`datasets.diff.${k}`)}</Tag>
              ),
            },
            { title: t('datasets.diff.key'), dataIndex: 'key', key: 'key', render: (k: string) => <span className="mono">{k}</span> },
          ]}
        />
      )}
      {counted && !diff.examples?.length && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('datasets.diff.same')} />}
    </Space>
  );
}
