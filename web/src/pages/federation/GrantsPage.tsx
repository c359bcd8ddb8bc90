// 回流授权 (issuing side of back-flow, data authority): this platform's key fingerprint to give to lower-level
// platforms out of band, the grant packages issued to them (peer, resource, fields, area filter, validity, state;
// revocation through the entitlement) and the form that issues one — resource, the peer organization (existing or
// new), fields, the area field and its values, validity — whose signed package (it holds an AppSecret) is shown
// once to copy or download.
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Modal,
  Radio,
  Row,
  Select,
  Space,
  Table,
  Tag,
  TreeSelect,
  Typography,
  type TableColumnsType,
} from 'antd';
import { DownloadOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { errorMessage, get, post } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { canEdit } from '../../access.ts';
import { formatDate, formatDateTime } from '../../format.ts';
import { applyServerError } from '../../forms.ts';
import { useGet, useList } from '../../loaders.ts';
import { useOrgs, useOrgTreeSelect } from '../../orgs.ts';
import { CommentModal, NameCode, useName } from '../catalog/common.tsx';
import type { Resource, SearchItem, SearchResult } from '../catalog/types.ts';
import { EntitlementStateTag } from '../sharing/common.tsx';
import type { Grant, GrantPackage, Identity } from './types.ts';

export default function FederationGrantsPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const name = useName();
  const editable = !!me && canEdit('federationGrants', me.roles);
  const { items, error, load } = useList<Grant>('/api/federation/grants');
  const [issuing, setIssuing] = useState(false);
  const [pkg, setPkg] = useState<GrantPackage | null>(null);
  const [revoking, setRevoking] = useState<Grant | null>(null);

  const columns: TableColumnsType<Grant> = [
    {
      title: t('federation.grants.peer'),
      key: 'peer',
      render: (_v, g) => <NameCode item={g.peerOrg} />,
    },
    {
      title: t('federation.grants.resource'),
      key: 'resource',
      render: (_v, g) => <NameCode item={g.resource} />,
    },
    {
      title: t('federation.fields'),
      key: 'fields',
      render: (_v, g) => (
        <Space size={[4, 4]} wrap style={{ maxWidth: 260 }}>
          {g.fields.map((f) => (
            <Tag key={f} className="mono">
              {f}
            </Tag>
          ))}
        </Space>
      ),
    },
    { title: t('federation.areaFilter'), key: 'area', render: (_v, g) => <AreaFilter filter={g.rowFilter} /> },
    {
      title: t('federation.validity'),
      key: 'validity',
      render: (_v, g) =>
        g.validTo
          ? t('federation.validRange', { from: formatDate(g.validFrom), to: formatDate(g.validTo) })
          : t('federation.validOpen', { from: formatDate(g.validFrom) }),
    },
    {
      title: t('federation.grants.state'),
      key: 'state',
      render: (_v, g) => (
        <Space orientation="vertical" size={0}>
          <EntitlementStateTag state={g.state} />
          {g.stateReason && <Typography.Text type="secondary">{g.stateReason}</Typography.Text>}
        </Space>
      ),
    },
    { title: t('federation.grants.issuedAt'), key: 'at', render: (_v, g) => formatDateTime(g.createdAt) },
    ...(editable
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_v: unknown, g: Grant) =>
              g.state === 'active' || g.state === 'suspended' ? (
                <Button size="small" danger onClick={() => setRevoking(g)} data-testid="federation-grant-revoke">
                  {t('federation.grants.revoke')}
                </Button>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <IdentityCard />
      <Card
        title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('federation.grants.title')}</h1>}
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={() => void load()} aria-label={t('common.refresh')} />
            {editable && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setIssuing(true)} data-testid="federation-issue">
                {t('federation.grants.issue')}
              </Button>
            )}
          </Space>
        }
      >
        <Typography.Paragraph type="secondary">{t('federation.grants.intro')}</Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
        <Table<Grant>
          rowKey="id"
          size="small"
          loading={!items}
          dataSource={items ?? []}
          columns={columns}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          data-testid="federation-grants-table"
          locale={{ emptyText: t('federation.grants.none') }}
        />
      </Card>
      {issuing && (
        <IssueModal
          onClose={() => setIssuing(false)}
          onIssued={(p) => {
            setIssuing(false);
            setPkg(p);
            void load();
          }}
        />
      )}
      <PackageModal pkg={pkg} onClose={() => setPkg(null)} />
      <CommentModal
        open={!!revoking}
        title={t('federation.grants.revokeTitle', { peer: revoking ? name(revoking.peerOrg) : '' })}
        label={t('federation.grants.revokeReason')}
        okText={t('federation.grants.revoke')}
        danger
        testId="federation-revoke-dialog"
        onClose={() => setRevoking(null)}
        onSubmit={async (reason) => {
          await post(`/api/entitlements/${revoking!.entitlementId}/revoke`, { reason });
          message.success(t('federation.grants.revoked'));
          await load();
        }}
      />
    </Space>
  );
}

export function AreaFilter({ filter }: { filter: { field: string; values: string[] } | null }) {
  const { t } = useTranslation();
  if (!filter) return <Typography.Text type="secondary">{t('federation.noAreaFilter')}</Typography.Text>;
  return (
    <Space size={[4, 4]} wrap style={{ maxWidth: 280 }}>
      <Typography.Text className="mono">{filter.field}</Typography.Text>
      {filter.values.map((v) => (
        <Tag key={v} color="blue" className="mono">
          {v}
        </Tag>
      ))}
    </Space>
  );
}

/** This platform's name and the fingerprint of the key that signs its packages (given to peers out of band). */
function IdentityCard() {
  const { t } = useTranslation();
  const { data: id, error } = useGet<Identity>('/api/federation/identity');
  return (
    <Card size="small" title={t('federation.identity.title')} data-testid="federation-identity">
      {error && <Alert type="error" showIcon title={error} />}
      {id && (
        <>
          <Typography.Paragraph type="secondary">{t('federation.identity.intro')}</Typography.Paragraph>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t('federation.identity.name')}>{id.name}</Descriptions.Item>
            <Descriptions.Item label={t('federation.identity.keyId')}>
              <Typography.Text className="mono" copyable data-testid="federation-key-id">
                {id.keyId}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('federation.identity.format')}>
              <span className="mono">{id.format}</span>
            </Descriptions.Item>
          </Descriptions>
        </>
      )}
    </Card>
  );
}

interface IssueValues {
  resourceId: string;
  peerKind: 'existing' | 'new';
  peerOrgId?: string;
  peerCode?: string;
  peerNameZh?: string;
  peerNameEn?: string;
  fields: string[];
  areaField?: string;
  areaValues?: string[];
  validTo?: Dayjs | null;
  legalBasis: string;
  purpose?: string;
}

const ISSUE_FIELDS = ['resourceId', 'peerOrgId', 'fields', 'legalBasis', 'purpose', 'validTo'];
const PEER_FIELDS: Record<string, keyof IssueValues> = { code: 'peerCode', nameZh: 'peerNameZh', nameEn: 'peerNameEn' };

function IssueModal({ onClose, onIssued }: { onClose(): void; onIssued(p: GrantPackage): void }) {
  const { t } = useTranslation();
  const name = useName();
  const [form] = Form.useForm<IssueValues>();
  const { orgs } = useOrgs();
  const orgTree = useOrgTreeSelect(orgs);
  const [found, setFound] = useState<SearchItem[]>([]);
  const [searching, setSearching] = useState(false);
  const [resource, setResource] = useState<Resource | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const resourceId = Form.useWatch('resourceId', form);
  const peerKind = Form.useWatch('peerKind', form);
  const areaField = Form.useWatch('areaField', form);

  // Only the answer to the latest search is shown (an earlier one arriving late must not replace it).
  const latest = useRef(0);
  const search = useCallback((q: string) => {
    const mine = ++latest.current;
    setSearching(true);
    get<SearchResult>('/api/search/resources', { q: q.trim() || undefined, pageSize: 20, facets: false })
      .then((r) => mine === latest.current && setFound(r.items.filter((x) => x.status === 'published' || x.status === 'updated')))
      .catch(() => mine === latest.current && setFound([]))
      .finally(() => mine === latest.current && setSearching(false));
  }, []);
  useEffect(() => search(''), [search]);
  const options = found.map((x) => ({ value: x.id, label: `${name(x)} · ${name(x.org)} (${x.code})` }));

  // The chosen resource's fields: all granted by default.
  useEffect(() => {
    if (!resourceId) {
      setResource(null);
      return;
    }
    let live = true;
    get<Resource>(`/api/catalog/resources/${resourceId}`)
      .then((r) => {
        if (!live) return;
        setResource(r);
        form.setFieldsValue({ fields: r.fields.map((f) => f.code), areaField: undefined, areaValues: [] });
      })
      .catch((e: unknown) => setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [resourceId, form]);

  const fieldOptions = (resource?.fields ?? []).map((f) => ({ value: f.code, label: `${name(f)} (${f.code})` }));

  const submit = async (v: IssueValues) => {
    setBusy(true);
    setError(null);
    try {
      const p = await post<GrantPackage>('/api/federation/grants', {
        resourceId: v.resourceId,
        ...(v.peerKind === 'new'
          ? { peerOrg: { code: v.peerCode!.trim(), nameZh: v.peerNameZh!.trim(), nameEn: v.peerNameEn?.trim() ?? '' } }
          : { peerOrgId: v.peerOrgId }),
        fields: v.fields,
        rowFilter:
          v.areaField && v.areaValues?.length ? { field: v.areaField, values: v.areaValues.map((x) => x.trim()).filter(Boolean) } : null,
        legalBasis: v.legalBasis.trim(),
        ...(v.purpose?.trim() ? { purpose: v.purpose.trim() } : {}),
        validTo: v.validTo ? v.validTo.endOf('day').toISOString() : null,
      });
      onIssued(p);
    } catch (e) {
      const d = (e as { details?: { field?: string } }).details;
      const peerField: keyof IssueValues | undefined = d?.field?.startsWith('peerOrg.')
        ? PEER_FIELDS[d.field.slice(8)]
        : d?.field === 'code' || d?.field === 'nameZh'
          ? PEER_FIELDS[d.field]
          : undefined;
      if (peerField) form.setFields([{ name: peerField, errors: [errorMessage(e)] }]);
      else if (d?.field === 'rowFilter.field') form.setFields([{ name: 'areaField', errors: [errorMessage(e)] }]);
      else if (!applyServerError(form, e, ISSUE_FIELDS)) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      width={760}
      title={t('federation.grants.issue')}
      onCancel={onClose}
      okText={t('federation.grants.issueOk')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      okButtonProps={{ 'data-testid': 'federation-issue-submit' } as Record<string, string>}
      destroyOnHidden
    >
      <Form<IssueValues>
        form={form}
        name="federationIssue"
        layout="vertical"
        onFinish={submit}
        initialValues={{ peerKind: 'new', fields: [], areaValues: [] }}
      >
        <Form.Item
          name="resourceId"
          label={t('federation.grants.resource')}
          rules={[{ required: true, message: t('federation.grants.resourceRequired') }]}
        >
          <Select
            showSearch
            filterOption={false}
            onSearch={search}
            loading={searching}
            notFoundContent={searching ? t('app.loading') : t('common.noData')}
            options={options}
            placeholder={t('federation.grants.resourcePlaceholder')}
            data-testid="federation-issue-resource"
          />
        </Form.Item>
        <Form.Item name="peerKind" label={t('federation.grants.peer')} extra={t('federation.grants.peerHint')}>
          <Radio.Group
            options={[
              { value: 'new', label: t('federation.grants.peerNew') },
              { value: 'existing', label: t('federation.grants.peerExisting') },
            ]}
          />
        </Form.Item>
        {peerKind === 'existing' ? (
          <Form.Item
            name="peerOrgId"
            label={t('federation.grants.peerOrg')}
            rules={[{ required: true, message: t('federation.grants.peerRequired') }]}
          >
            <TreeSelect treeData={orgTree} showSearch treeNodeFilterProp="title" treeDefaultExpandAll />
          </Form.Item>
        ) : (
          <Row gutter={16}>
            <Col xs={24} md={6}>
              <Form.Item
                name="peerCode"
                label={t('federation.grants.peerCode')}
                rules={[
                  { required: true, message: t('common.required', { field: t('federation.grants.peerCode') }) },
                  { pattern: /^[A-Za-z0-9_-]{1,32}$/, message: t('federation.grants.peerCodeRule') },
                ]}
              >
                <Input maxLength={32} className="mono" />
              </Form.Item>
            </Col>
            <Col xs={24} md={9}>
              <Form.Item
                name="peerNameZh"
                label={t('federation.grants.peerNameZh')}
                rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('federation.grants.peerNameZh') }) }]}
              >
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col xs={24} md={9}>
              <Form.Item name="peerNameEn" label={t('federation.grants.peerNameEn')}>
                <Input maxLength={200} />
              </Form.Item>
            </Col>
          </Row>
        )}
        <Form.Item
          name="fields"
          label={t('federation.fields')}
          rules={[{ required: true, type: 'array', min: 1, message: t('federation.grants.fieldsRequired') }]}
        >
          <Select mode="multiple" options={fieldOptions} disabled={!resource} data-testid="federation-issue-fields" />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={10}>
            <Form.Item name="areaField" label={t('federation.grants.areaField')} tooltip={t('federation.grants.areaHint')}>
              <Select allowClear options={fieldOptions} disabled={!resource} data-testid="federation-issue-area-field" />
            </Form.Item>
          </Col>
          <Col xs={24} md={14}>
            <Form.Item
              name="areaValues"
              label={t('federation.grants.areaValues')}
              rules={[{ required: !!areaField, type: 'array', min: 1, message: t('federation.grants.areaValuesRequired') }]}
            >
              <Select
                mode="tags"
                tokenSeparators={[',', '，', ' ']}
                open={false}
                disabled={!areaField}
                placeholder={t('federation.grants.areaValuesPlaceholder')}
                data-testid="federation-issue-area-values"
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="validTo" label={t('federation.grants.validTo')} extra={t('federation.grants.validToHint')}>
          <DatePicker disabledDate={(d) => d.isBefore(dayjs(), 'day')} />
        </Form.Item>
        <Form.Item
          name="legalBasis"
          label={t('federation.grants.legalBasis')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('federation.grants.legalBasis') }) }]}
        >
          <Input.TextArea rows={2} maxLength={1000} placeholder={t('federation.grants.legalBasisPlaceholder')} />
        </Form.Item>
        <Form.Item name="purpose" label={t('federation.grants.purpose')}>
          <Input maxLength={500} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}

/** The signed package, shown once: it holds the AppSecret of the peer's key (like a new API key). */
function PackageModal({ pkg, onClose }: { pkg: GrantPackage | null; onClose(): void }) {
  const { t } = useTranslation();
  const json = pkg ? JSON.stringify(pkg, null, 2) : '';
  const download = () => {
    const url = URL.createObjectURL(new Blob([json + '\n'], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${pkg!.resource.code}-${pkg!.grant.id.slice(0, 8)}.federation.json`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Modal
      open={!!pkg}
      width={760}
      title={t('federation.package.title')}
      closable={false}
      mask={{ closable: false }}
      destroyOnHidden
      footer={
        <Space>
          <Button icon={<DownloadOutlined />} onClick={download} data-testid="federation-package-download">
            {t('federation.package.download')}
          </Button>
          <Button type="primary" onClick={onClose} data-testid="federation-package-saved">
            {t('federation.package.saved')}
          </Button>
        </Space>
      }
    >
      <Alert type="warning" showIcon title={t('federation.package.warning')} style={{ marginBottom: 16 }} />
      {pkg && (
        <>
          <Descriptions column={1} size="small" bordered style={{ marginBottom: 12 }}>
            <Descriptions.Item label={t('federation.package.resource')}>
              {pkg.resource.nameZh} <span className="mono">({pkg.resource.code})</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('federation.identity.keyId')}>
              <span className="mono">{pkg.issuer.keyId}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('apiKeys.appKey')}>
              <span className="mono">{pkg.credentials.appKey}</span>
            </Descriptions.Item>
          </Descriptions>
          <Typography.Paragraph copyable={{ text: json }} style={{ marginBottom: 4 }}>
            {t('federation.package.copy')}
          </Typography.Paragraph>
          <pre className="mono" style={{ maxHeight: 320, overflow: 'auto', margin: 0, fontSize: 12 }} data-testid="federation-package">
            {json}
          </pre>
        </>
      )}
    </Modal>
  );
}
