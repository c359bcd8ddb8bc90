// Messages of the DCAT-AP feed (src/modules/dcat, docs/portal-dcat.md), keyed by code, registered at import.
import { registerMessages } from '../../i18n/messages.ts';

export const DCAT_MESSAGES = {
  DCAT_DATASET_NOT_FOUND: {
    'zh-CN': '开放目录中没有数据集 {id}',
    en: 'The open data catalogue has no dataset {id}',
  },
  DCAT_DISTRIBUTION_NOT_FOUND: {
    'zh-CN': '数据集 {id} 没有分发 {distribution}',
    en: 'Dataset {id} has no distribution {distribution}',
  },
  DCAT_NOT_ACCEPTABLE: {
    'zh-CN': '无法按 Accept 头提供该格式（{accept}）；可用：{available}',
    en: 'Cannot answer in a format the Accept header allows ({accept}); available: {available}',
  },
};

registerMessages(DCAT_MESSAGES);
