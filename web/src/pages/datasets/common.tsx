// Pieces shared by the data pages: the quality score (a big coloured number), status and state tags, PII kind
// labels, the text of an ingest error with where it happened, and the reason of a rejected value.
import { Space, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { formatNumber } from '../../format.ts';
import type { BadRow, IngestError, IngestStatus, PiiFinding, QualityReport, Version } from './types.ts';

export { formatBytes } from '../../components/UploadDropzone.tsx';

/** Green from 90, blue from 80, orange from 60, red below; grey when there is no score. */
export function scoreColor(score: number | null | undefined): string {
  if (score === null || score === undefined) return '#8c8c8c';
  if (score >= 90) return '#389e0d';
  if (score >= 80) return '#1d5fbf';
  if (score >= 60) return '#d46b08';
  return '#cf1322';
}

export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? '—' : (Math.round(score * 10) / 10).toFixed(1);
}

/** The overall quality score as a big number in its colour, with the grade beside it. */
export function QualityScore({ score, grade, size = 40 }: { score: number | null; grade?: QualityReport['grade']; size?: number }) {
  const { t } = useTranslation();
  return (
    <Space align="baseline" size={8} data-testid="quality-score">
      <span
        style={{ fontSize: size, fontWeight: 600, lineHeight: 1, color: scoreColor(score) }}
        aria-label={t('datasets.quality.scoreLabel')}
      >
        {formatScore(score)}
      </span>
      {score !== null && <Typography.Text type="secondary">/ 100</Typography.Text>}
      {grade && <Tag color={scoreColor(score)}>{t('datasets.quality.grade', { grade })}</Tag>}
    </Space>
  );
}

/** A small score in its colour (tables). */
export function ScoreText({ score }: { score: number | null | undefined }) {
  return <span style={{ color: scoreColor(score), fontWeight: 600 }}>{formatScore(score)}</span>;
}

const STATUS_COLORS: Record<IngestStatus, string> = {
  queued: 'default',
  staging: 'processing',
  awaiting_schema: 'warning',
  building: 'processing',
  checking: 'processing',
  published: 'success',
  failed: 'error',
  cancelled: 'default',
};

export function IngestStatusTag({ status }: { status: IngestStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status]} data-testid="ingest-status">
      {t(`datasets.status.${status}`)}
    </Tag>
  );
}

const STATE_COLORS: Record<Version['state'], string> = { published: 'success', superseded: 'default', expired: 'default' };

export function VersionStateTag({ state, current }: { state: Version['state']; current: boolean }) {
  const { t } = useTranslation();
  return (
    <Space size={4}>
      {current && <Tag color="blue">{t('datasets.versions.current')}</Tag>}
      <Tag color={STATE_COLORS[state]}>{t(`datasets.versionState.${state}`)}</Tag>
    </Space>
  );
}

/** The label of a PII kind (the catalog's names; the permit kind is the data plane's own). */
export function piiLabel(t: TFunction, kind: string): string {
  if (kind === 'hk_macao_permit') return t('datasets.piiHkMacao');
  return t(`catalog.pii.${kind}`, { defaultValue: kind });
}

export function isPii(kind: string | null | undefined): kind is string {
  return !!kind && kind !== 'none';
}

export function PiiTag({ kind, confidence }: { kind: string; confidence?: number }) {
  const { t } = useTranslation();
  const pct = confidence === undefined ? '' : ` ${Math.round(confidence * 100)}%`;
  return (
    <Tag color="purple" data-testid="pii-tag">
      {piiLabel(t, kind)}
      {pct}
    </Tag>
  );
}

/** The detected kinds of one column, strongest first, as tags with their confidence. */
export function PiiFindings({ findings }: { findings: PiiFinding[] | undefined }) {
  const { t } = useTranslation();
  if (!findings?.length) return null;
  return (
    <Space size={[2, 2]} wrap>
      {findings.map((f) => (
        <Tooltip
          key={f.kind}
          title={
            f.sampled
              ? t('datasets.schema.detectedHint', { matched: formatNumber(f.matched ?? 0), sampled: formatNumber(f.sampled) })
              : undefined
          }
        >
          <span>
            <PiiTag kind={f.kind} confidence={f.confidence} />
          </span>
        </Tooltip>
      ))}
    </Space>
  );
}

/** Where an ingest error happened (file, line or row, column), from its params. */
export function errorLocation(t: TFunction, params: Record<string, unknown> | undefined): string {
  if (!params) return '';
  const parts: string[] = [];
  if (params.file !== undefined) parts.push(t('datasets.error.file', { file: String(params.file) }));
  if (params.line !== undefined) parts.push(t('datasets.error.line', { line: String(params.line) }));
  if (params.row !== undefined) parts.push(t('datasets.error.row', { row: String(params.row) }));
  if (params.column !== undefined) parts.push(t('datasets.error.column', { column: String(params.column) }));
  return parts.join(' · ');
}

/** An ingest's error: its code, the message (the server's, in the UI language) and where it happened. */
export function IngestErrorText({ error }: { error: IngestError }) {
  const { t } = useTranslation();
  const where = errorLocation(t, error.params);
  const detail = (error.details as { message?: unknown } | null | undefined)?.message;
  return (
    <Space orientation="vertical" size={0} data-testid="ingest-error">
      <span>
        <Tag color="error" className="mono">
          {error.code}
        </Tag>
        <Typography.Text type="danger">
          {error.message ?? (typeof detail === 'string' ? detail : t('datasets.error.generic'))}
        </Typography.Text>
      </span>
      {where && <Typography.Text type="secondary">{where}</Typography.Text>}
    </Space>
  );
}

/** The reason of a rejected value (a code such as VALUE_NOT_INTEGER) in the UI language. */
export function reasonText(t: TFunction, r: BadRow): string {
  return t(`datasets.reason.${r.reason}`, { defaultValue: r.reason });
}

/** A staging warning (a code such as FILE_NO_ROWS) in the UI language. */
export function warningText(t: TFunction, code: string): string {
  return t(`datasets.warning.${code}`, { defaultValue: code });
}
