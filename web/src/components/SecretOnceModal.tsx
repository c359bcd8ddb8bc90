// The dialog that shows a new AppKey and its AppSecret once (API keys of a user, keys of an application): it
// cannot be dismissed by a click outside, only by saying the secret has been saved.
import { Alert, Button, Descriptions, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

export function SecretOnceModal({
  secret,
  onClose,
  testId,
}: {
  secret: { appKey: string; appSecret: string } | null;
  onClose(): void;
  testId: string;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      open={!!secret}
      title={t('apiKeys.createdTitle')}
      closable={false}
      mask={{ closable: false }}
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose}>
          {t('apiKeys.secretSaved')}
        </Button>
      }
    >
      <Alert type="warning" showIcon title={t('apiKeys.secretWarning')} style={{ marginBottom: 16 }} />
      {secret && (
        <Descriptions column={1} bordered size="small" data-testid={testId}>
          <Descriptions.Item label={t('apiKeys.appKey')}>
            <Typography.Text className="mono" copyable>
              {secret.appKey}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('apiKeys.appSecret')}>
            <Typography.Text className="mono" copyable>
              {secret.appSecret}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
      )}
    </Modal>
  );
}
