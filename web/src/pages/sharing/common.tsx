// Pieces shared by the sharing pages: the state tags of requests and grants, the countdown to a deadline, the
// names of resources (with their fields) and organizations the entitlement API only gives as ids, and the
// reason dialog every grant change needs.
import { useEffect, useMemo, useState } from 'react';
import { Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { get } from '../../api.ts';
import Chart from '../../components/Chart.tsx';
import { formatDate, formatUntil } from '../../format.ts';
import { useOrgs } from '../../orgs.ts';
import type { Resource } from '../catalog/types.ts';
import type { Deadline, EntitlementState, SharingState } from './types.ts';

const STATE_COLORS: Record<SharingState, string> = {
  compliance_review: 'processing',
  provider_review: 'geekblue',
  provider_refused: 'warning',
  negotiation: 'purple',
  coordination: 'orange',
  approved: 'success',
  rejected: 'error',
  withdrawn: 'default',
};

export function SharingStateTag({ state }: { state: SharingState }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATE_COLORS[state]} data-testid="sharing-state">
      {t(`sharing.states.${state}`)}
    </Tag>
  );
}

const ENT_COLORS: Record<EntitlementState, string> = { active: 'success', suspended: 'warning', expired: 'default', revoked: 'error' };

export function EntitlementStateTag({ state }: { state: EntitlementState }) {
  const { t } = useTranslation();
  return (
    <Tag color={ENT_COLORS[state]} data-testid="entitlement-state">
      {t(`sharing.grants.states.${state}`)}
    </Tag>
  );
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** "3 days left (due 2024/05/08)" or "overdue by 2 days", red when overdue and orange when less than a day is left. */
export function DeadlineCountdown({ deadline }: { deadline: Deadline | null }) {
  const { t } = useTranslation();
  if (!deadline) return <>—</>;
  const left = new Date(deadline.dueAt).getTime() - Date.now();
  const overdue = deadline.overdue || left < 0;
  const text = overdue
    ? t('sharing.deadline.overdueBy', { count: Math.max(1, Math.ceil(-left / DAY)) })
    : left < DAY
      ? t('sharing.deadline.hoursLeft', { count: Math.max(1, Math.ceil(left / HOUR)) })
      : deadline.workingDaysLeft !== null
        ? // Statutory limits count working days (weekends and holidays on the calendar don't count).
          deadline.workingDaysLeft === 0
          ? t('sharing.deadline.dueToday')
          : t('sharing.deadline.workingDaysLeft', { count: deadline.workingDaysLeft })
        : t('sharing.deadline.daysLeft', { count: Math.ceil(left / DAY) });
  return (
    <Tooltip title={t('sharing.deadline.limit', { days: deadline.workingDays, due: formatUntil(deadline.dueAt) })}>
      <span data-testid="deadline-countdown">
        <Typography.Text type={overdue ? 'danger' : left < DAY ? 'warning' : undefined} strong={overdue}>
          {t(`sharing.deadline.kinds.${deadline.kind}`)} · {text}
        </Typography.Text>
        <Typography.Text type="secondary"> ({t('sharing.deadline.due', { date: formatDate(deadline.dueAt) })})</Typography.Text>
      </span>
    </Tooltip>
  );
}

const resourceCache = new Map<string, Promise<Resource | null>>();

/** Catalog resources by id (name, provider, fields), loaded once per page load; null for one the user may not read. */
export function useResources(ids: readonly string[]): Record<string, Resource | null> {
  const [map, setMap] = useState<Record<string, Resource | null>>({});
  const key = [...new Set(ids)].sort().join(',');
  useEffect(() => {
    let live = true;
    for (const id of key ? key.split(',') : []) {
      if (!resourceCache.has(id))
        resourceCache.set(
          id,
          get<Resource>(`/api/catalog/resources/${id}`).catch(() => null),
        );
      void resourceCache.get(id)!.then((r) => {
        if (live) setMap((m) => (id in m ? m : { ...m, [id]: r }));
      });
    }
    return () => {
      live = false;
    };
  }, [key]);
  return map;
}

/** The name of an organization by id in the UI language (the id itself until the list has loaded). */
export function useOrgNameById() {
  const { orgs } = useOrgs();
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return (id: string) => {
    const o = orgs.find((x) => x.id === id);
    return o ? (en ? o.nameEn || o.nameZh : o.nameZh) : '';
  };
}

/** Field code → name in the UI language, falling back to the code. */
export function fieldName(resource: Resource | null | undefined, code: string, en: boolean): string {
  const f = resource?.fields.find((x) => x.code === code);
  return f ? (en ? f.nameEn || f.nameZh : f.nameZh) : code;
}

/** Calls (bars) and rows (line) per China day. */
export function CallsChart({
  days,
  ariaLabel,
  testId,
}: {
  days: { day: string; calls: number; rows: number }[];
  ariaLabel: string;
  testId?: string;
}) {
  const { t } = useTranslation();
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { data: [t('sharing.usage.calls'), t('sharing.usage.rows')] },
      grid: { left: 48, right: 48, top: 40, bottom: 32 },
      xAxis: { type: 'category', data: days.map((d) => d.day.slice(5)) },
      yAxis: [
        { type: 'value', name: t('sharing.usage.calls'), minInterval: 1 },
        { type: 'value', name: t('sharing.usage.rows'), minInterval: 1 },
      ],
      series: [
        { name: t('sharing.usage.calls'), type: 'bar', data: days.map((d) => d.calls) },
        { name: t('sharing.usage.rows'), type: 'line', yAxisIndex: 1, data: days.map((d) => d.rows) },
      ],
    }),
    [days, t],
  );
  return <Chart option={option} ariaLabel={ariaLabel} testId={testId} height={260} />;
}
