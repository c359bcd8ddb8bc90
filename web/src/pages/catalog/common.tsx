// Pieces shared by the catalog pages: names in the UI language, the category dictionary, the tags for status,
// grade and share/open attributes, highlighted search text rendered without HTML, and the comment dialog
// every lifecycle step needs.
import { Fragment, useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert, Form, Input, Modal, Select, Space, Tag, Typography, type ButtonProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, get } from '../../api.ts';
import type { Category, Grade, Mode, RevisionStatus, Status } from './types.ts';

export function useEn(): boolean {
  const { i18n } = useTranslation();
  return i18n.language === 'en';
}

/** The name of anything with nameZh/nameEn in the UI language (Chinese when the English one is empty). */
export function useName() {
  const en = useEn();
  return (o: { nameZh: string; nameEn?: string } | null | undefined) => (o ? (en ? o.nameEn || o.nameZh : o.nameZh) : '');
}

/** A name in the UI language over its code (a table cell). */
export function NameCode({ item }: { item: { nameZh: string; nameEn?: string; code: string } }) {
  const name = useName();
  return (
    <Space orientation="vertical" size={0}>
      <span>{name(item)}</span>
      <Typography.Text type="secondary" className="mono">
        {item.code}
      </Typography.Text>
    </Space>
  );
}

let categoryCache: Promise<Category[]> | null = null;

/** The category dictionary (base libraries and domains), loaded once per page load. */
export function useCategories(): Category[] {
  const [items, setItems] = useState<Category[]>([]);
  useEffect(() => {
    categoryCache ??= get<{ items: Category[] }>('/api/catalog/categories').then((r) => r.items);
    let live = true;
    categoryCache
      .then((c) => {
        if (live) setItems(c);
      })
      .catch(() => {
        categoryCache = null;
      });
    return () => {
      live = false;
    };
  }, []);
  return items;
}

export function useCategoryName() {
  const cats = useCategories();
  const name = useName();
  return (code: string | null | undefined) => {
    if (!code) return '';
    const c = cats.find((x) => x.code === code);
    return c ? name(c) : code;
  };
}

const STATUS_COLORS: Record<Status, string> = {
  draft: 'default',
  submitted: 'processing',
  returned: 'warning',
  approved: 'cyan',
  published: 'success',
  updated: 'geekblue',
  deprecated: 'orange',
  withdrawn: 'default',
};

export function StatusTag({ status, revisionStatus }: { status: Status; revisionStatus?: RevisionStatus | null }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status]} data-testid="status-tag">
      {t(`catalog.status.${status}`)}
      {status === 'updated' && revisionStatus ? ` · ${t(`catalog.revisionStatus.${revisionStatus}`)}` : ''}
    </Tag>
  );
}

const GRADE_COLORS: Record<Grade, string> = { core: 'red', important: 'volcano', general: 'blue' };

export function useGradeLabel() {
  const { t } = useTranslation();
  return (grade: Grade, level?: number | null) =>
    grade === 'general' && level ? t('catalog.gradeWithLevel', { level }) : t(`catalog.grade.${grade}`);
}

export function GradeTag({ grade, level, confirmed }: { grade: Grade; level?: number | null; confirmed?: boolean }) {
  const { t } = useTranslation();
  const label = useGradeLabel();
  return (
    <Tag color={GRADE_COLORS[grade]}>
      {label(grade, level)}
      {confirmed === false ? ` (${t('catalog.gradeProposed')})` : ''}
    </Tag>
  );
}

const MODE_COLORS: Record<Mode, string> = { unconditional: 'green', conditional: 'gold', none: 'default' };

export function ModeTag({ kind, mode }: { kind: 'share' | 'open'; mode: Mode }) {
  const { t } = useTranslation();
  return <Tag color={MODE_COLORS[mode]}>{t(`catalog.${kind}.${mode}`)}</Tag>;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

function unescapeHtml(s: string): string {
  return s.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e);
}

/**
 * Renders a search snippet: the server sends HTML-escaped text with matches in <mark>…</mark>. Only the mark
 * tags become elements; everything else is shown as text (never parsed as HTML).
 */
export function Marked({ html }: { html: string }) {
  const parts = html.split(/(<mark>|<\/mark>)/);
  const out: ReactNode[] = [];
  let inMark = false;
  parts.forEach((p, i) => {
    if (p === '<mark>') inMark = true;
    else if (p === '</mark>') inMark = false;
    else if (p) out.push(inMark ? <mark key={i}>{unescapeHtml(p)}</mark> : <Fragment key={i}>{unescapeHtml(p)}</Fragment>);
  });
  return <>{out}</>;
}

/** '—' for empty values in descriptions. */
export function orDash(v: ReactNode): ReactNode {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length) ? '—' : v;
}

/**
 * A dialog asking for the comment a step needs (required), then running the step. The error of a failed step
 * stays in the dialog.
 */
export function CommentModal({
  open,
  title,
  okText,
  danger,
  label,
  extra,
  onSubmit,
  onClose,
  testId,
}: {
  open: boolean;
  title: string;
  okText?: string;
  danger?: boolean;
  label?: string;
  extra?: ReactNode;
  onSubmit(comment: string): Promise<void>;
  onClose(): void;
  testId?: string;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ comment: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const field = label ?? t('catalog.comment');

  useEffect(() => {
    if (open) {
      form.resetFields();
      setError(null);
    }
  }, [open, form]);

  const submit = async (v: { comment: string }) => {
    setBusy(true);
    setError(null);
    try {
      await onSubmit(v.comment.trim());
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={title}
      okText={okText ?? t('common.ok')}
      cancelText={t('common.cancel')}
      okButtonProps={{ danger, 'data-testid': `${testId ?? 'comment'}-ok` } as ButtonProps}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit} data-testid={testId ?? 'comment-form'}>
        {extra}
        <Form.Item name="comment" label={field} rules={[{ required: true, whitespace: true, message: t('common.required', { field }) }]}>
          <Input.TextArea rows={3} maxLength={2000} showCount autoFocus />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}

/**
 * Picks catalog resources by searching (GET /api/search/resources, names and codes in the UI language); the
 * labels of chosen ones are kept while the options change.
 */
export function ResourcePicker({
  value,
  onChange,
  multiple,
  initial,
  ariaLabel,
  id,
}: {
  value?: string | string[];
  onChange?(v: string | string[] | undefined): void;
  multiple?: boolean;
  initial?: { id: string; code: string; nameZh: string; nameEn: string }[];
  ariaLabel?: string;
  id?: string;
}) {
  const { t } = useTranslation();
  const name = useName();
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const [labels, setLabels] = useState<Record<string, string>>(() =>
    Object.fromEntries((initial ?? []).map((r) => [r.id, `${name(r)} (${r.code})`])),
  );
  const [loading, setLoading] = useState(false);
  const timer = useRef<number | null>(null);
  const search = (q: string) => {
    if (timer.current) window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      setLoading(true);
      get<{ items: { id: string; code: string; nameZh: string; nameEn: string }[] }>('/api/search/resources', {
        q: q.trim() || undefined,
        pageSize: 20,
        facets: false,
      })
        .then((r) => {
          const opts = r.items.map((x) => ({ value: x.id, label: `${name(x)} (${x.code})` }));
          setOptions(opts);
          setLabels((l) => ({ ...l, ...Object.fromEntries(opts.map((o) => [o.value, o.label])) }));
        })
        .catch(() => setOptions([]))
        .finally(() => setLoading(false));
    }, 250);
  };
  useEffect(() => {
    search('');
  }, []);
  const chosen = (Array.isArray(value) ? value : value ? [value] : []).filter((v) => !options.some((o) => o.value === v));
  return (
    <Select
      id={id}
      aria-label={ariaLabel}
      mode={multiple ? 'multiple' : undefined}
      showSearch
      allowClear
      filterOption={false}
      onSearch={search}
      loading={loading}
      value={value}
      onChange={(v) => onChange?.(v)}
      placeholder={t('catalog.pickResource')}
      notFoundContent={loading ? t('app.loading') : t('common.noData')}
      options={[...chosen.map((v) => ({ value: v, label: labels[v] ?? v })), ...options]}
    />
  );
}
