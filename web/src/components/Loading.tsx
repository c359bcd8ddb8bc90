import { Spin } from 'antd';
import { useTranslation } from 'react-i18next';

export default function Loading() {
  const { t } = useTranslation();
  return (
    <div style={{ padding: 48, textAlign: 'center' }} role="status" aria-live="polite">
      <Spin />
      <div style={{ marginTop: 8, color: '#888' }}>{t('app.loading')}</div>
    </div>
  );
}
