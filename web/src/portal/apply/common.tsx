// Pieces shared by the conditional open application pages: state tags and the working-day countdown.
import { Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDate } from '../../format.ts';
import type { EntitlementState, OpenApplyState, OpenDeadline } from './types.ts';

const STATE_COLORS: Record<OpenApplyState, string> = {
  provider_review: 'geekblue',
  supplement: 'warning',
  approved: 'success',
  rejected: 'error',
  withdrawn: 'default',
  lapsed: 'default',
};

export function OpenApplyStateTag({ state }: { state: OpenApplyState }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATE_COLORS[state]} data-testid="openapply-state">
      {t(`openApply.states.${state}`)}
    </Tag>
  );
}

const ENT_COLORS: Record<EntitlementState, string> = { active: 'success', suspended: 'warning', expired: 'default', revoked: 'error' };

export function AccessTag({ state }: { state: EntitlementState | null }) {
  const { t } = useTranslation();
  if (!state) return null;
  return (
    <Tag color={ENT_COLORS[state]} data-testid="openapply-access">
      {t(`openApply.access.${state}`)}
    </Tag>
  );
}

/** "Provider review · 7 working days left (due 2026/12/03)", red when overdue. */
export function OpenDeadlineCountdown({ deadline }: { deadline: OpenDeadline | null }) {
  const { t } = useTranslation();
  if (!deadline) return <Typography.Text type="secondary">—</Typography.Text>;
  const text = deadline.overdue
    ? t('openApply.deadline.overdue')
    : deadline.workingDaysLeft === 0
      ? t('openApply.deadline.dueToday')
      : t('openApply.deadline.workingDaysLeft', { count: deadline.workingDaysLeft ?? 0 });
  return (
    <Tooltip title={t('openApply.deadline.limit', { days: deadline.workingDays, due: deadline.dueDate })}>
      <span data-testid="openapply-countdown">
        <Typography.Text type={deadline.overdue ? 'danger' : undefined} strong={deadline.overdue}>
          {t(`openApply.deadline.kinds.${deadline.kind}`)} · {text}
        </Typography.Text>
        <Typography.Text type="secondary"> ({t('openApply.deadline.due', { date: formatDate(deadline.dueAt) })})</Typography.Text>
      </span>
    </Tooltip>
  );
}
