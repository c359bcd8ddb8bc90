// Places other parts of issue 7 fill in (the lead wires them): featured reuses on the home page, a dataset's
// reuses and feedback thread. Until then each is a titled, clearly marked placeholder section.
import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';

export function Slot({ id, title }: { id: string; title: string }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby={`${id}-title`} data-slot={id} style={{ marginTop: 24 }}>
      <Typography.Title level={3} id={`${id}-title`}>
        {title}
      </Typography.Title>
      <div className="portal-slot">{t('portalweb.slotPending')}</div>
    </section>
  );
}
