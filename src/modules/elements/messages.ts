// Messages of the elements module (data elements, 一数一源 claims and arbitration, the three lists).
import { registerMessages } from '../../i18n/messages.ts';

export const ELEMENTS_MESSAGES = {
  // data elements and 一数一源
  ARBITRATION_DECIDED: { 'zh-CN': '该仲裁已作出裁决', en: 'This arbitration has already been decided' },
  ARBITRATION_NOT_FOUND: { 'zh-CN': '仲裁事项不存在', en: 'Arbitration not found' },
  ARBITRATION_WINNER_INVALID: {
    'zh-CN': '胜出的认领必须是本仲裁中的一项认领',
    en: 'The winning claim must be one of the claims in this arbitration',
  },
  CLAIM_ALREADY_AUTHORITATIVE: {
    'zh-CN': '该资源已是数据元“{element}”的权威来源',
    en: 'This resource is already the authoritative source of the data element “{element}”',
  },
  CLAIM_ALREADY_PENDING: {
    'zh-CN': '本机构对数据元“{element}”的认领正在仲裁中',
    en: 'Your organization’s claim to the data element “{element}” is already in arbitration',
  },
  CLAIM_RESOURCE_LACKS_ELEMENT: {
    'zh-CN': '资源“{resource}”没有映射到数据元“{element}”的信息项，不能作为其权威来源',
    en: 'The resource “{resource}” has no field mapped to the data element “{element}”, so it cannot be its authoritative source',
  },
  CLAIM_RESOURCE_UNAVAILABLE: {
    'zh-CN': '资源处于“{status}”状态，不能作为权威来源',
    en: 'A resource in status “{status}” cannot be an authoritative source',
  },
  ELEMENT_CODE_TAKEN: { 'zh-CN': '数据元编码 {code} 已存在', en: 'Data element code {code} already exists' },
  ELEMENT_IN_ARBITRATION: {
    'zh-CN': '数据元“{element}”的权威来源正在仲裁中，请先裁决',
    en: 'The authoritative source of the data element “{element}” is in arbitration; decide it first',
  },
  ELEMENT_NAME_TAKEN: { 'zh-CN': '数据元名称“{name}”已存在', en: 'A data element named “{name}” already exists' },
  ELEMENT_NOT_FOUND: { 'zh-CN': '数据元不存在', en: 'Data element not found' },
  ELEMENT_RETIRED: { 'zh-CN': '数据元“{element}”已停用', en: 'The data element “{element}” is retired' },
  ELEMENTS_RESOURCE_NOT_FOUND: { 'zh-CN': '数据资源不存在', en: 'Data resource not found' },
  // lists: responsibility (职责目录), demand (需求清单), negative (负面清单)
  DEMAND_ANSWER_EMPTY: {
    'zh-CN': '答复需至少包含一条答复意见或一个关联资源',
    en: 'An answer needs a reply or at least one linked resource',
  },
  DEMAND_NOT_EDITABLE: { 'zh-CN': '需求已处于“{status}”状态，不能再修改', en: 'The demand is “{status}” and can no longer be edited' },
  DEMAND_NOT_FOUND: { 'zh-CN': '需求不存在', en: 'Demand not found' },
  DEMAND_TRANSITION_INVALID: {
    'zh-CN': '需求当前为“{status}”，不能执行“{action}”（可执行：{allowed}）',
    en: 'The demand is “{status}”; “{action}” is not possible (allowed: {allowed})',
  },
  LIST_RESOURCE_NOT_FOUND: { 'zh-CN': '关联的数据资源不存在：{id}', en: 'Linked data resource not found: {id}' },
  NEGATIVE_ALREADY_REMOVED: { 'zh-CN': '该负面清单条目已移除', en: 'This negative list entry has already been removed' },
  NEGATIVE_ENTRY_EXISTS: {
    'zh-CN': '资源“{resource}”已在负面清单中，请修改现有条目',
    en: 'The resource “{resource}” is already on the negative list; edit the existing entry',
  },
  NEGATIVE_NOT_FOUND: { 'zh-CN': '负面清单条目不存在', en: 'Negative list entry not found' },
  RESPONSIBILITY_NOT_FOUND: { 'zh-CN': '职责目录条目不存在', en: 'Responsibility item not found' },
  RESPONSIBILITY_RESOURCE_NOT_OWN: {
    'zh-CN': '资源“{resource}”不属于本部门，不能挂接到本部门的职责目录',
    en: 'The resource “{resource}” does not belong to this department and cannot back its responsibility list',
  },
} satisfies Record<string, { 'zh-CN': string; en: string }>;

registerMessages(ELEMENTS_MESSAGES);
