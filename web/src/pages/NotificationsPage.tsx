import { useCallback, useEffect, useState } from 'react';
import { Alert, Badge, Button, Card, List, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { errorMessage, get, post } from '../api.ts';
import { formatDateTime } from '../format.ts';
import type { Notification, NotificationPage } from '../types.ts';
import { useUnread } from '../unread.tsx';
import { useNotificationText } from '../components/InboxDrawer.tsx';

export default function NotificationsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const unread = useUnread();
  const text = useNotificationText();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [data, setData] = useState<NotificationPage>({ items: [], total: 0, unread: 0 });
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setData(await get<NotificationPage>('/api/notifications', { unread: unreadOnly ? 1 : undefined, page, pageSize }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  }, [unreadOnly, page, pageSize]);

  useEffect(() => {
    void load();
  }, [load]);

  const markRead = async (n: Notification) => {
    try {
      await post(`/api/notifications/${n.id}/read`);
      unread.refresh();
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
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
    <Card
      title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('notifications.title')}</h1>}
      extra={
        <Space>
          <label htmlFor="unread-only">{t('notifications.unreadOnly')}</label>
          <Switch
            id="unread-only"
            checked={unreadOnly}
            onChange={(v) => {
              setUnreadOnly(v);
              setPage(1);
            }}
          />
          <Button onClick={readAll} disabled={!data.unread}>
            {t('notifications.readAll')}
          </Button>
        </Space>
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <List
        loading={loading}
        dataSource={data.items}
        locale={{ emptyText: t('notifications.empty') }}
        pagination={{
          current: page,
          pageSize,
          total: data.total,
          showSizeChanger: true,
          showTotal: (total) => t('common.total', { total }),
          onChange: (p, s) => {
            setPage(p);
            setPageSize(s);
          },
        }}
        renderItem={(n) => {
          const { title, body } = text(n);
          return (
            <List.Item
              key={n.id}
              actions={[
                ...(n.link
                  ? [
                      <Button key="open" type="link" onClick={() => navigate(n.link!)}>
                        {t('notifications.open')}
                      </Button>,
                    ]
                  : []),
                ...(!n.readAt
                  ? [
                      <Button key="read" type="link" onClick={() => void markRead(n)}>
                        {t('notifications.markRead')}
                      </Button>,
                    ]
                  : []),
              ]}
            >
              <List.Item.Meta
                title={
                  <Space>
                    {!n.readAt && <Badge status="processing" text={t('notifications.unread')} />}
                    <Typography.Text strong={!n.readAt}>{title}</Typography.Text>
                  </Space>
                }
                description={
                  <>
                    {body && <div>{body}</div>}
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {formatDateTime(n.createdAt)}
                    </Typography.Text>
                  </>
                }
              />
            </List.Item>
          );
        }}
      />
    </Card>
  );
}
