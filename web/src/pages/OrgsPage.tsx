// 组织机构: the organization tree with kind tags; the authority admin adds child organizations and renames.
import { useMemo, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Spin,
  Tag,
  Tree,
  type TreeDataNode,
} from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, patch, post } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { canEdit } from '../access.ts';
import { applyServerError } from '../forms.ts';
import { buildOrgTree, useOrgName, useOrgs, type OrgNode } from '../orgs.ts';
import { ORG_KINDS, type Org, type OrgKind } from '../types.ts';

export const KIND_COLORS: Record<OrgKind, string> = {
  authority: 'red',
  department: 'blue',
  unit: 'cyan',
  operator: 'purple',
  company: 'gold',
  public: 'green',
};

export default function OrgsPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const editable = !!me && canEdit('orgs', me.roles);
  const { orgs, loading, error, reload } = useOrgs();
  const name = useOrgName();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [creating, setCreating] = useState<Org | 'root' | null>(null);
  const [renaming, setRenaming] = useState<Org | null>(null);

  const treeData = useMemo(() => {
    const map = (n: OrgNode): TreeDataNode => ({
      key: n.org.id,
      title: (
        <span data-testid={`org-${n.org.code}`}>
          {name(n.org)}{' '}
          <Tag color={KIND_COLORS[n.org.kind]} style={{ marginInlineStart: 4 }}>
            {t(`orgKinds.${n.org.kind}`)}
          </Tag>
          {n.org.status === 'disabled' && <Tag>{t('orgs.statusDisabled')}</Tag>}
        </span>
      ),
      children: n.children.map(map),
    });
    return buildOrgTree(orgs).map(map);
  }, [orgs, name, t]);

  const selected = orgs.find((o) => o.id === selectedId) ?? null;
  const parent = selected?.parentId ? orgs.find((o) => o.id === selected.parentId) : null;

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={14}>
        <Card
          title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('orgs.title')}</h1>}
          extra={
            editable && (
              <Button icon={<PlusOutlined />} onClick={() => setCreating('root')}>
                {t('orgs.createRoot')}
              </Button>
            )
          }
        >
          {!editable && <Alert type="info" showIcon title={t('orgs.readOnlyNote')} style={{ marginBottom: 16 }} />}
          {!!error && <Alert type="error" showIcon title={errorMessage(error)} style={{ marginBottom: 16 }} />}
          {loading && !orgs.length ? (
            <Spin />
          ) : (
            <Tree
              treeData={treeData}
              defaultExpandAll
              showLine
              blockNode
              aria-label={t('orgs.tree')}
              selectedKeys={selectedId ? [selectedId] : []}
              onSelect={(keys) => setSelectedId((keys[0] as string | undefined) ?? null)}
              data-testid="org-tree"
            />
          )}
        </Card>
      </Col>
      <Col xs={24} lg={10}>
        <Card
          title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('orgs.details')}</h2>}
          extra={
            editable &&
            selected && (
              <Space>
                <Button icon={<PlusOutlined />} onClick={() => setCreating(selected)} data-testid="org-create-child">
                  {t('orgs.createChild')}
                </Button>
                <Button icon={<EditOutlined />} onClick={() => setRenaming(selected)} data-testid="org-rename">
                  {t('orgs.rename')}
                </Button>
              </Space>
            )
          }
        >
          {selected ? (
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={t('orgs.nameZh')}>{selected.nameZh}</Descriptions.Item>
              <Descriptions.Item label={t('orgs.nameEn')}>{selected.nameEn || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('orgs.code')}>{selected.code}</Descriptions.Item>
              <Descriptions.Item label={t('orgs.kind')}>
                <Tag color={KIND_COLORS[selected.kind]}>{t(`orgKinds.${selected.kind}`)}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label={t('orgs.parent')}>{parent ? name(parent) : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('orgs.creditCode')}>{selected.creditCode || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('orgs.status')}>
                {selected.status === 'disabled' ? t('orgs.statusDisabled') : t('orgs.statusActive')}
              </Descriptions.Item>
            </Descriptions>
          ) : (
            <Empty description={t('orgs.selectHint')} />
          )}
        </Card>
      </Col>
      {creating && (
        <CreateOrgModal
          parent={creating === 'root' ? null : creating}
          onClose={() => setCreating(null)}
          onSaved={(id) => {
            setCreating(null);
            setSelectedId(id);
            void reload();
          }}
        />
      )}
      {renaming && (
        <RenameOrgModal
          org={renaming}
          onClose={() => setRenaming(null)}
          onSaved={() => {
            setRenaming(null);
            void reload();
          }}
        />
      )}
    </Row>
  );
}

interface OrgForm {
  code: string;
  nameZh: string;
  nameEn: string;
  kind: OrgKind;
  creditCode?: string;
}

function CreateOrgModal({ parent, onClose, onSaved }: { parent: Org | null; onClose(): void; onSaved(id: string | null): void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const name = useOrgName();
  const [form] = Form.useForm<OrgForm>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const defaultKind: OrgKind = parent?.kind === 'department' || parent?.kind === 'unit' ? 'unit' : 'department';

  const submit = async (v: OrgForm) => {
    setBusy(true);
    setError(null);
    try {
      const res = await post<{ id?: string }>('/api/orgs', {
        parentId: parent?.id ?? null,
        code: v.code.trim(),
        nameZh: v.nameZh.trim(),
        nameEn: (v.nameEn ?? '').trim(),
        kind: v.kind,
        ...(v.creditCode?.trim() ? { creditCode: v.creditCode.trim().toUpperCase() } : {}),
      });
      message.success(t('orgs.created', { name: v.nameZh.trim() }));
      onSaved(res?.id ?? null);
    } catch (e) {
      if (!applyServerError(form, e, ['code', 'nameZh', 'nameEn', 'kind', 'creditCode'])) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={parent ? t('orgs.createTitle', { parent: name(parent) }) : t('orgs.createRoot')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
    >
      <Form form={form} name="orgCreate" layout="vertical" onFinish={submit} initialValues={{ kind: defaultKind }} data-testid="org-form">
        <Form.Item
          name="code"
          label={t('orgs.code')}
          extra={t('orgs.codeRule')}
          rules={[
            { required: true, message: t('common.required', { field: t('orgs.code') }) },
            { pattern: /^[A-Za-z0-9_-]{1,32}$/, message: t('orgs.codeRule') },
          ]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="nameZh"
          label={t('orgs.nameZh')}
          rules={[{ required: true, whitespace: true, max: 200, message: t('common.required', { field: t('orgs.nameZh') }) }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="nameEn" label={t('orgs.nameEn')} rules={[{ max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="kind" label={t('orgs.kind')} rules={[{ required: true }]}>
          <Select options={ORG_KINDS.map((k) => ({ value: k, label: t(`orgKinds.${k}`) }))} />
        </Form.Item>
        <Form.Item
          name="creditCode"
          label={t('orgs.creditCode')}
          rules={[{ pattern: /^[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{18}$/, message: t('orgs.creditCode') }]}
        >
          <Input autoComplete="off" maxLength={18} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}

function RenameOrgModal({ org, onClose, onSaved }: { org: Org; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const name = useOrgName();
  const [form] = Form.useForm<{ nameZh: string; nameEn: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (v: { nameZh: string; nameEn: string }) => {
    setBusy(true);
    setError(null);
    try {
      await patch(`/api/orgs/${org.id}`, { nameZh: v.nameZh.trim(), nameEn: (v.nameEn ?? '').trim() });
      message.success(t('orgs.renamed'));
      onSaved();
    } catch (e) {
      if (!applyServerError(form, e, ['nameZh', 'nameEn'])) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('orgs.renameTitle', { name: name(org) })}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
    >
      <Form form={form} name="orgRename" layout="vertical" onFinish={submit} initialValues={{ nameZh: org.nameZh, nameEn: org.nameEn }}>
        <Form.Item
          name="nameZh"
          label={t('orgs.nameZh')}
          rules={[{ required: true, whitespace: true, max: 200, message: t('common.required', { field: t('orgs.nameZh') }) }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="nameEn" label={t('orgs.nameEn')} rules={[{ max: 200 }]}>
          <Input />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} role="alert" />}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
