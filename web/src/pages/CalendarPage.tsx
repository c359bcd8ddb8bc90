// 工作日历: the working-day calendar (statutory holidays, adjusted working days, admin overrides) as a month
// view. The authority admin sets or removes an override on a date.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, App as AntApp, Badge, Button, Calendar, Card, DatePicker, Form, Input, Modal, Select, Space, Tag, Typography } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { del, errorMessage, get, put } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { canEdit } from '../access.ts';
import type { CalendarDay, CalendarYear } from '../types.ts';

type DayClass = 'working' | 'weekend' | 'holiday' | 'adjusted';

function classify(day: CalendarDay | undefined, d: Dayjs): DayClass {
  const weekend = d.day() === 0 || d.day() === 6;
  if (!day) return weekend ? 'weekend' : 'working';
  if (day.kind === 'holiday') return 'holiday';
  if (day.kind === 'adjusted_workday') return 'adjusted';
  if (day.working) return weekend ? 'adjusted' : 'working';
  return weekend ? 'weekend' : 'holiday';
}

const COLORS: Record<DayClass, string> = { working: 'default', weekend: 'default', holiday: 'red', adjusted: 'orange' };

export default function CalendarPage() {
  const { t, i18n } = useTranslation();
  const { me } = useAuth();
  const editable = !!me && canEdit('calendar', me.roles);
  const [year, setYear] = useState(() => dayjs().year());
  const [data, setData] = useState<CalendarYear | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ date: Dayjs | null } | null>(null);

  const load = useCallback(async () => {
    try {
      setData(await get<CalendarYear>(`/api/calendar/${year}`));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [year]);

  useEffect(() => {
    void load();
  }, [load]);

  const days = useMemo(() => new Map((data?.days ?? []).map((d) => [d.date, d])), [data]);

  const cell = (d: Dayjs) => {
    const day = days.get(d.format('YYYY-MM-DD'));
    const cls = classify(day, d);
    return (
      <div data-testid={`cal-${d.format('YYYY-MM-DD')}`} data-kind={cls}>
        {cls !== 'working' && cls !== 'weekend' && <Tag color={COLORS[cls]}>{t(`calendar.${cls}`)}</Tag>}
        {cls === 'weekend' && <Typography.Text type="secondary">{t('calendar.weekend')}</Typography.Text>}
        {day?.name && <div style={{ fontSize: 12 }}>{day.name}</div>}
        {!!day?.override && <Badge color="purple" text={t('calendar.override')} />}
      </div>
    );
  };

  return (
    <Card
      title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('calendar.title')}</h1>}
      extra={
        editable && (
          <Button icon={<EditOutlined />} onClick={() => setEditing({ date: null })}>
            {t('calendar.setOverride')}
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 12 }} aria-label={t('calendar.legend')}>
        <Tag color="red">{t('calendar.holiday')}</Tag>
        <Tag color="orange">{t('calendar.adjusted')}</Tag>
        <Badge color="purple" text={t('calendar.override')} />
        {editable && <Typography.Text type="secondary">{t('calendar.adminHint')}</Typography.Text>}
      </Space>
      {data && !data.dataAvailable && <Alert type="warning" showIcon title={t('calendar.noData', { year })} style={{ marginBottom: 12 }} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Calendar
        key={i18n.language}
        cellRender={(current, info) => (info.type === 'date' ? cell(current) : info.originNode)}
        onPanelChange={(d) => setYear(d.year())}
        onSelect={(d, info) => {
          if (d.year() !== year) setYear(d.year());
          if (editable && info.source === 'date') setEditing({ date: d });
        }}
      />
      {editing && (
        <OverrideModal
          date={editing.date}
          days={days}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void load();
          }}
        />
      )}
    </Card>
  );
}

function OverrideModal({
  date,
  days,
  onClose,
  onSaved,
}: {
  date: Dayjs | null;
  days: Map<string, CalendarDay>;
  onClose(): void;
  onSaved(): void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ date: Dayjs; kind: 'workday' | 'holiday'; note: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const picked = Form.useWatch('date', form) ?? date;
  const current = picked ? days.get(picked.format('YYYY-MM-DD')) : undefined;

  const submit = async (v: { date: Dayjs; kind: 'workday' | 'holiday'; note: string }) => {
    setBusy(true);
    setError(null);
    try {
      await put(`/api/calendar/overrides/${v.date.format('YYYY-MM-DD')}`, { kind: v.kind, note: v.note.trim() });
      message.success(t('calendar.saved'));
      onSaved();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!picked) return;
    setBusy(true);
    try {
      await del(`/api/calendar/overrides/${picked.format('YYYY-MM-DD')}`);
      message.success(t('calendar.removed'));
      onSaved();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={picked ? t('calendar.overrideTitle', { date: picked.format('YYYY-MM-DD') }) : t('calendar.setOverride')}
      onCancel={onClose}
      footer={[
        current?.override ? (
          <Button key="remove" danger onClick={() => void remove()} disabled={busy}>
            {t('calendar.removeOverride')}
          </Button>
        ) : null,
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="ok" type="primary" loading={busy} onClick={() => form.submit()}>
          {t('common.save')}
        </Button>,
      ]}
    >
      <Form
        form={form}
        name="calendarOverride"
        layout="vertical"
        onFinish={submit}
        initialValues={{ date: date ?? undefined, kind: current?.working ? 'holiday' : 'workday', note: '' }}
      >
        <Form.Item name="date" label={t('calendar.title')} rules={[{ required: true }]}>
          <DatePicker />
        </Form.Item>
        <Form.Item name="kind" label={t('calendar.kind')} rules={[{ required: true }]}>
          <Select
            options={[
              { value: 'workday', label: t('calendar.kindWorkday') },
              { value: 'holiday', label: t('calendar.kindHoliday') },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="note"
          label={t('calendar.note')}
          rules={[{ required: true, whitespace: true, message: t('calendar.noteRequired') }]}
        >
          <Input maxLength={200} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
