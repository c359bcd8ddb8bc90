// The "apply for use" button of a conditionally opened dataset (有条件开放): metadata is public, data on request.
// Shown only for open_mode 'conditional'; a visitor who is not signed in goes to the login page first and
// comes back to the application form.
import { Button } from 'antd';
import { FileProtectOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../auth.tsx';

export interface ApplyButtonProps {
  resourceId: string;
  openMode: string;
}

export function ApplyButton({ resourceId, openMode }: ApplyButtonProps) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { me } = useAuth();
  if (openMode !== 'conditional') return null;
  const target = `/data/apply/${encodeURIComponent(resourceId)}`;
  return (
    <Button
      type="primary"
      icon={<FileProtectOutlined />}
      data-testid="openapply-apply-button"
      onClick={() => navigate(me ? target : `/login?next=${encodeURIComponent(target)}`)}
    >
      {t('openApply.apply.button')}
    </Button>
  );
}

export default ApplyButton;
