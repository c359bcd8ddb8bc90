// 谁用了我的数据: which organizations used records about the logged-in person or company through the data gateway,
// when, for what purpose and from which resource — never the data itself (issue 6 §6).
import { useEffect, useState } from 'react';
import { Alert, Card, Empty, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage, get } from '../../api.ts';
import { formatDateTime } from '../../format.ts';
import { useName } from '../catalog/common.tsx';

interface Use {
  messageId: string;
  at: string;
  org: { id: string; nameZh: string; nameEn: string } | null;
  resource: { id: string; code: string; nameZh: string; nameEn: string } | null;
  purpose: string | null;
  service: string;
}

/** The delivery form of a gateway service (bulk delivery has several services: the extract, its file, …). */
const form = (service: string) => (service === 'records' ? 'query' : service === 'verify' ? 'verify' : 'bulk');

export default function MyDataUsesPage() {
  const { t } = useTranslation();
  const name = useName();
  const [items, setItems] = useState<Use[] | null>(null);
  const [noId, setNoId] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    get<{ items: Use[] }>('/api/gateway/my-uses')
      .then((r) => setItems(r.items))
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.code === 'SUBJECT_ID_UNKNOWN') setNoId(true);
        else setError(errorMessage(e));
        setItems([]);
      });
  }, []);

  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('myDataUses.title')}</h1>}>
      <Typography.Paragraph type="secondary">{t('myDataUses.intro')}</Typography.Paragraph>
      {noId && <Alert type="info" showIcon title={t('myDataUses.noId')} style={{ marginBottom: 16 }} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<Use>
        rowKey="messageId"
        size="small"
        loading={!items}
        dataSource={items ?? []}
        data-testid="my-data-uses"
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('common.total', { total }) }}
        locale={{ emptyText: <Empty description={t('myDataUses.none')} /> }}
        columns={[
          { title: t('myDataUses.at'), key: 'at', render: (_v, u) => formatDateTime(u.at) },
          { title: t('myDataUses.org'), key: 'org', render: (_v, u) => name(u.org) || '—' },
          { title: t('sharing.fields.resource'), key: 'resource', render: (_v, u) => name(u.resource) || '—' },
          { title: t('sharing.fields.purpose'), key: 'purpose', render: (_v, u) => u.purpose || '—' },
          { title: t('myDataUses.form'), key: 'form', render: (_v, u) => t(`sharing.actions.${form(u.service)}`) },
        ]}
      />
    </Card>
  );
}
