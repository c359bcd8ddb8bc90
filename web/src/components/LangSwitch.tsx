import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLang, setLang } from '../i18n.ts';

/** A button labelled with the other language ('English' / '中文'). */
export default function LangSwitch({ ghost }: { ghost?: boolean }) {
  const { t } = useTranslation();
  const next = currentLang() === 'en' ? 'zh-CN' : 'en';
  return (
    <Button
      ghost={ghost}
      data-testid="lang-switch"
      lang={next}
      aria-label={`${t('lang.switchTo')} — ${t('lang.switchLabel')}`}
      onClick={() => void setLang(next)}
    >
      {t('lang.switchTo')}
    </Button>
  );
}
