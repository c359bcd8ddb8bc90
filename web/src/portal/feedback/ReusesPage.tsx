// 应用展示 (public): published reuses, and for signed-in users a form to submit one (moderated before it shows);
// the submitter sees the state of their own submissions.
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, App, Button, Card, Form, Input, List, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, post } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { PublicFrame } from './common.tsx';
import { ReuseGrid } from './reuses.tsx';
import type { Page, Reuse, ReuseKind } from './types.ts';

interface SearchHit {
  id: string;
  nameZh: string;
  nameEn: string;
}

/** Picks open datasets through the catalog search (what the caller may see). */
export function DatasetPicker({ value, onChange }: { value?: string[]; onChange?: (v: string[]) => void }) {
  const { t, i18n } = useTranslation();
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const search = useCallback(
    async (q: string) => {
      const r = await get<{ items: SearchHit[] }>('/api/search/resources', { q, open: 'unconditional,conditional', pageSize: 20 });
      setOptions(r.items.map((x) => ({ value: x.id, label: i18n.language === 'en' ? x.nameEn || x.nameZh : x.nameZh })));
    },
    [i18n.language],
  );
  useEffect(() => {
    void search('').catch(() => undefined);
  }, [search]);
  return (
    <Select
      mode="multiple"
      showSearch
      filterOption={false}
      onSearch={(q) => void search(q).catch(() => undefined)}
      value={value}
      onChange={onChange}
      options={options}
      aria-label={t('feedback.reuses.fDatasets')}
      data-testid="reuse-datasets"
    />
  );
}

interface ReuseForm {
  title: string;
  description: string;
  kind: ReuseKind;
  url: string;
  imageUrl?: string;
  resourceIds: string[];
}

const httpUrl = (v: string | undefined) => !v || /^https?:\/\/[^\s]+$/i.test(v.trim());

function SubmitReuse({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<ReuseForm>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: ReuseForm) => {
    setBusy(true);
    setError(null);
    try {
      await post('/api/feedback/reuses', { ...v, imageUrl: v.imageUrl?.trim() || null });
      form.resetFields();
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const urlRule = {
    validator: (_: unknown, v: string) => (httpUrl(v) ? Promise.resolve() : Promise.reject(new Error(t('feedback.reuses.urlRule')))),
  };
  return (
    <Form
      form={form}
      layout="vertical"
      onFinish={(v) => void submit(v)}
      initialValues={{ kind: 'app', resourceIds: [] }}
      data-testid="reuse-form"
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form.Item name="title" label={t('feedback.reuses.fTitle')} rules={[{ required: true, whitespace: true }, { max: 200 }]}>
        <Input maxLength={200} />
      </Form.Item>
      <Form.Item name="kind" label={t('feedback.reuses.fKind')}>
        <Select
          options={(['app', 'story', 'paper', 'visualization'] as const).map((k) => ({ value: k, label: t(`feedback.reuseKind.${k}`) }))}
        />
      </Form.Item>
      <Form.Item name="description" label={t('feedback.reuses.fDescription')} rules={[{ required: true, whitespace: true }, { max: 4000 }]}>
        <Input.TextArea rows={4} maxLength={4000} showCount />
      </Form.Item>
      <Form.Item name="url" label={t('feedback.reuses.fUrl')} rules={[{ required: true }, urlRule]}>
        <Input placeholder="https://" maxLength={2000} />
      </Form.Item>
      <Form.Item name="imageUrl" label={t('feedback.reuses.fImage')} rules={[urlRule]}>
        <Input placeholder="https://" maxLength={2000} />
      </Form.Item>
      <Form.Item name="resourceIds" label={t('feedback.reuses.fDatasets')} rules={[{ required: true, type: 'array', min: 1 }]}>
        <DatasetPicker />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy}>
        {t('feedback.reuses.submit')}
      </Button>
    </Form>
  );
}

export default function ReusesPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const [page, setPage] = useState<Page<Reuse> | null>(null);
  const [mine, setMine] = useState<Reuse[]>([]);
  const [showForm, setShowForm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setPage(await get<Page<Reuse>>('/api/feedback/reuses', { pageSize: 60 }));
      if (me) setMine((await get<Page<Reuse>>('/api/feedback/reuses', { mine: true, pageSize: 50 })).items);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [me]);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <PublicFrame>
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        <Card>
          <Typography.Title level={1} style={{ fontSize: 22, marginTop: 0 }}>
            {t('feedback.reuses.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('feedback.reuses.intro')}</Typography.Paragraph>
          {me ? (
            showForm ? (
              <SubmitReuse
                onDone={() => {
                  message.success(t('feedback.reuses.submitted'));
                  setShowForm(false);
                  void load();
                }}
              />
            ) : (
              <Button type="primary" onClick={() => setShowForm(true)}>
                {t('feedback.reuses.new')}
              </Button>
            )
          ) : (
            <Link to="/login?next=/data/reuses">{t('feedback.loginToSubmit')}</Link>
          )}
        </Card>
        {mine.length > 0 && (
          <Card title={t('feedback.reuses.mine')}>
            <List
              dataSource={mine}
              renderItem={(r) => (
                <List.Item key={r.id}>
                  <Space wrap>
                    <Link to={`/data/reuses/${r.id}`}>{r.title}</Link>
                    <Tag>{t(`feedback.reuseStatus.${r.status}`)}</Tag>
                    {r.rejectReason && <Typography.Text type="secondary">{r.rejectReason}</Typography.Text>}
                  </Space>
                </List.Item>
              )}
            />
          </Card>
        )}
        <Card>
          {error && <Alert type="error" showIcon title={error} />}
          <ReuseGrid items={page?.items ?? []} empty={t('feedback.reuses.empty')} />
        </Card>
      </Space>
    </PublicFrame>
  );
}
