// Frictionless Table Schema (https://datapackage.org/standard/table-schema/) of a resource's fields.
// Standard properties carry the Chinese text (the catalog's first language); bilingual text and the
// catalog's own attributes (grade, personal-information kind, share/open attributes, unit, data element)
// are custom properties, which Table Schema allows.
import type { FieldData, ResourceData } from './repository.ts';

export interface TableSchemaField {
  name: string;
  type: string;
  format?: string;
  title: string;
  description?: string;
  titles: { 'zh-CN': string; en: string };
  descriptions?: { 'zh-CN': string; en: string };
  constraints?: Record<string, unknown>;
  'x-shuyuan': Record<string, unknown>;
}

export interface TableSchema {
  $schema: string;
  name: string;
  title: string;
  description: string;
  titles: { 'zh-CN': string; en: string };
  descriptions: { 'zh-CN': string; en: string };
  fields: TableSchemaField[];
  missingValues: string[];
  'x-shuyuan': Record<string, unknown>;
}

const TYPES: Record<FieldData['dataType'], { type: string; format?: string }> = {
  string: { type: 'string' },
  integer: { type: 'integer' },
  decimal: { type: 'number' },
  date: { type: 'date' },
  datetime: { type: 'datetime' },
  time: { type: 'time' },
  boolean: { type: 'boolean' },
  binary: { type: 'string', format: 'binary' },
  geometry: { type: 'geojson' },
  json: { type: 'object' },
};

export function toTableSchema(code: string, d: ResourceData, fields: FieldData[]): TableSchema {
  return {
    $schema: 'https://datapackage.org/profiles/2.0/tableschema.json',
    name: code.toLowerCase(),
    title: d.nameZh,
    description: d.abstractZh,
    titles: { 'zh-CN': d.nameZh, en: d.nameEn },
    descriptions: { 'zh-CN': d.abstractZh, en: d.abstractEn },
    missingValues: [''],
    fields: fields.map((f) => {
      const t = TYPES[f.dataType];
      const format = t.format ?? (f.dataType === 'string' && f.piiKind === 'email' ? 'email' : undefined);
      const constraints: Record<string, unknown> = {};
      if (f.required) constraints.required = true;
      if (f.length != null && (f.dataType === 'string' || f.dataType === 'binary')) constraints.maxLength = f.length;
      const out: TableSchemaField = {
        name: f.code,
        type: t.type,
        ...(format ? { format } : {}),
        title: f.nameZh,
        ...(f.descriptionZh ? { description: f.descriptionZh } : {}),
        titles: { 'zh-CN': f.nameZh, en: f.nameEn },
        ...(f.descriptionZh || f.descriptionEn ? { descriptions: { 'zh-CN': f.descriptionZh, en: f.descriptionEn } } : {}),
        ...(Object.keys(constraints).length ? { constraints } : {}),
        'x-shuyuan': {
          dataType: f.dataType,
          length: f.length,
          precision: f.precision,
          unit: f.unit || null,
          elementId: f.elementId,
          grade: f.grade,
          gradeLevel: f.gradeLevel,
          piiKind: f.piiKind,
          shareMode: f.shareMode,
          openMode: f.openMode,
        },
      };
      return out;
    }),
    'x-shuyuan': { code, grade: d.grade, gradeLevel: d.gradeLevel, shareMode: d.shareMode, openMode: d.openMode },
  };
}
