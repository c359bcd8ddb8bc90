// Shared pieces of the portal feedback pages: a minimal public frame (the portal layout replaces it later),
// status tags, the public thread of a demand or an error report, and safe links. User text is rendered as text
// only (React escapes it; no dangerouslySetInnerHTML); links are followed only when they are http(s).
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { Space, Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../auth.tsx';
import { formatDateTime } from '../../format.ts';
import LangSwitch from '../../components/LangSwitch.tsx';
import type { Demand, ErrorReport, FeedbackEvent, OrgBrief, ResourceBrief } from './types.ts';

export function useEn(): boolean {
  return useTranslation().i18n.language === 'en';
}

export function nameOf(en: boolean, x: OrgBrief | ResourceBrief | null | undefined): string {
  if (!x) return '';
  return en ? x.nameEn || x.nameZh : x.nameZh;
}

/** Where a dataset's public page lives (the portal's dataset page; the lead may move it). */
export function datasetHref(resourceId: string): string {
  return `/data/datasets/${resourceId}`;
}

/** The URL when it is http(s), else undefined: a stored javascript: link is never made clickable. */
export function safeHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** Until the portal layout wraps these pages: a header with the platform name, login and the language switch. */
export function PublicFrame({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  return (
    <div style={{ minHeight: '100vh', background: '#f5f7fa', padding: '24px 16px' }}>
      <Space orientation="vertical" size="large" style={{ width: 1000, maxWidth: '100%', margin: '0 auto', display: 'flex' }}>
        <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
          <Space size="large" wrap>
            <Link to={me ? '/' : '/login'} style={{ fontSize: 18, fontWeight: 600 }}>
              {t('app.name')}
            </Link>
            <nav aria-label={t('feedback.nav')}>
              <Space>
                <Link to="/data/demands">{t('feedback.demands.title')}</Link>
                <Link to="/data/reuses">{t('feedback.reuses.title')}</Link>
              </Space>
            </nav>
          </Space>
          <Space>
            {me ? (
              <span data-testid="portal-user">{me.displayName}</span>
            ) : (
              <Link to={`/login?next=${encodeURIComponent(window.location.pathname)}`}>{t('login.submit')}</Link>
            )}
            <LangSwitch />
          </Space>
        </Space>
        <main>{children}</main>
      </Space>
    </div>
  );
}

const DEMAND_COLORS: Record<string, string> = { accepted: 'green', available: 'blue', rejected: 'red', open: 'gold', closed: 'default' };

export function DemandStatusTag({ d }: { d: Pick<Demand, 'status' | 'answerKind' | 'overdue'> }) {
  const { t } = useTranslation();
  const key = d.answerKind ?? d.status;
  return (
    <Space size={4}>
      <Tag color={DEMAND_COLORS[key]} data-testid="demand-status">
        {t(`feedback.demandStatus.${key}`)}
      </Tag>
      {d.overdue && <Tag color="volcano">{t('feedback.overdue')}</Tag>}
    </Space>
  );
}

const REPORT_COLORS: Record<string, string> = { open: 'gold', needs_info: 'orange', accepted: 'blue', corrected: 'green', rejected: 'red' };

export function ReportStatusTag({ r }: { r: Pick<ErrorReport, 'status' | 'overdue'> }) {
  const { t } = useTranslation();
  return (
    <Space size={4}>
      <Tag color={REPORT_COLORS[r.status]}>{t(`feedback.reportStatus.${r.status}`)}</Tag>
      {r.overdue && <Tag color="volcano">{t('feedback.overdue')}</Tag>}
    </Space>
  );
}

/** The public thread: who did what when, with the text as plain text. */
export function Thread({ events, testId }: { events: FeedbackEvent[]; testId?: string }) {
  const { t } = useTranslation();
  const en = useEn();
  return (
    <Timeline
      data-testid={testId}
      items={events.map((e) => {
        const d = e.details as { plannedDate?: string; fixedVersion?: number; nameZh?: string; nameEn?: string; dueDate?: string };
        return {
          color: e.action === 'overdue' ? 'red' : e.byRole === 'requester' ? 'gray' : 'blue',
          children: (
            <div>
              <Typography.Text strong>
                {t(`feedback.roles.${e.byRole}`)} · {t(`feedback.actions.${e.action}`, { defaultValue: e.action })}
              </Typography.Text>{' '}
              <Typography.Text type="secondary">{formatDateTime(e.at)}</Typography.Text>
              {d.plannedDate && (
                <div>
                  {t('feedback.demands.plannedDate')}: {d.plannedDate}
                </div>
              )}
              {d.fixedVersion && <div>{t('feedback.reports.fixedVersion', { version: d.fixedVersion })}</div>}
              {d.nameZh && <div>→ {en ? d.nameEn || d.nameZh : d.nameZh}</div>}
              {d.dueDate && e.action === 'overdue' && (
                <div>
                  {t('feedback.dueDate')}: {d.dueDate}
                </div>
              )}
              {e.text && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>{e.text}</Typography.Paragraph>}
            </div>
          ),
        };
      })}
    />
  );
}

export function percent(x: number | null): string {
  return x === null ? '—' : `${Math.round(x * 1000) / 10}%`;
}
