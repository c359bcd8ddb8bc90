// The inbox behind the bell: the latest notifications, newest first; opening one marks it read.
import { useCallback, useEffect, useState } from 'react';
import { Alert, Badge, Button, Drawer, List, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { errorMessage, get, post } from '../api.ts';
import { formatDateTime } from '../format.ts';
import type { Notification, NotificationPage } from '../types.ts';
import { useUnread } from '../unread.tsx';

export function useNotificationText() {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return (n: Notification) => ({ title: en ? n.titleEn || n.titleZh : n.titleZh, body: en ? n.bodyEn || n.bodyZh : n.bodyZh });
}

export default function InboxDrawer({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const unread = useUnread();
  const text = useNotificationText();
  const [items, setItems] = useState<Notification[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const page = await get<NotificationPage>('/api/notifications', { page: 1, pageSize: 10 });
      setItems(page.items);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (open) void load();
  }, [open, load]);

  const openItem = async (n: Notification) => {
    if (!n.readAt) {
      await post(`/api/notifications/${n.id}/read`).catch(() => undefined);
      unread.refresh();
    }
    if (n.link) {
      onClose();
      navigate(n.link);
    } else void load();
  };

  const readAll = async () => {
    try {
      await post('/api/notifications/read-all');
      unread.refresh();
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={t('notifications.title')}
      size={400}
      extra={
        <Button size="small" onClick={readAll} disabled={!unread.count}>
          {t('notifications.readAll')}
        </Button>
      }
      footer={
        <Button
          type="link"
          onClick={() => {
            onClose();
            navigate('/notifications');
          }}
        >
          {t('notifications.viewAll')}
        </Button>
      }
    >
      {error && <Alert type="error" showIcon title={error} />}
      <List
        loading={loading}
        dataSource={items}
        locale={{ emptyText: t('notifications.empty') }}
        data-testid="inbox-list"
        renderItem={(n) => {
          const { title, body } = text(n);
          return (
            <List.Item key={n.id}>
              <Space orientation="vertical" size={2} style={{ width: '100%' }}>
                <Button
                  type="link"
                  style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'start' }}
                  onClick={() => void openItem(n)}
                >
                  {!n.readAt && <Badge status="processing" aria-label={t('notifications.unread')} style={{ marginInlineEnd: 6 }} />}
                  <Typography.Text strong={!n.readAt}>{title}</Typography.Text>
                </Button>
                {body && <Typography.Text type="secondary">{body}</Typography.Text>}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {formatDateTime(n.createdAt)}
                </Typography.Text>
              </Space>
            </List.Item>
          );
        }}
      />
    </Drawer>
  );
}
