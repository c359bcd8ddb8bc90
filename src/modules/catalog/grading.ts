// Grading (GB/T 43697-2024): rules turn factors into a grade; a resource takes the highest of its fields'
// grades, the rule results and the provider's proposal (就高从严). The grade policy then constrains the
// share/open attributes. Pure functions; the rules and the policy come from the database.
import { AppError } from '../../errors.ts';
import type { FieldData, Grade, GradePolicyRow, GradingFactor, GradingRuleRow, ShareMode } from './repository.ts';

export interface GradeValue {
  grade: Grade;
  level: number | null;
}

/** general 1–4 → 1–4, important → 5, core → 6. */
export function rank(g: GradeValue): number {
  if (g.grade === 'core') return 6;
  if (g.grade === 'important') return 5;
  return Math.min(4, Math.max(1, g.level ?? 1));
}

export function fromRank(r: number): GradeValue {
  if (r >= 6) return { grade: 'core', level: null };
  if (r === 5) return { grade: 'important', level: null };
  return { grade: 'general', level: Math.max(1, r) };
}

export function normalizeGrade(grade: Grade, level: number | null | undefined): GradeValue {
  return grade === 'general' ? { grade, level: level ?? 1 } : { grade, level: null };
}

const LABEL_ZH: Record<Grade, string> = { core: '核心', important: '重要', general: '一般' };
export function gradeLabel(g: GradeValue, lang: 'zh-CN' | 'en' = 'zh-CN'): string {
  if (lang === 'en') return g.grade === 'general' ? `general (level ${g.level})` : g.grade;
  return g.grade === 'general' ? `一般数据${g.level}级` : `${LABEL_ZH[g.grade]}数据`;
}

export interface GradeContribution extends GradeValue {
  /** proposal: the provider's or authority's stated grade; field: a field's grade; rule: a grading rule. */
  source: 'proposal' | 'field' | 'rule';
  /** Field code or rule code. */
  ref: string | null;
}

/** A field's effective grade: its proposal, raised by the rule for its personal-information kind. */
export function fieldGrade(f: Pick<FieldData, 'grade' | 'gradeLevel' | 'piiKind'>, rules: GradingRuleRow[]): GradeValue {
  let r = rank(normalizeGrade(f.grade, f.gradeLevel));
  if (f.piiKind !== 'none') {
    for (const rule of rules) {
      if (rule.enabled && rule.factor_kind === 'pii' && rule.pii_kind === f.piiKind) r = Math.max(r, rank(ruleGrade(rule)));
    }
  }
  return fromRank(r);
}

function ruleGrade(rule: GradingRuleRow): GradeValue {
  return normalizeGrade(rule.grade, rule.grade_level);
}

/** The resource grade = max(proposal, fields, impact rules over the factors), with the contributions. */
export function resourceGrade(
  proposal: GradeValue,
  fields: Array<Pick<FieldData, 'code' | 'grade' | 'gradeLevel'>>,
  factors: GradingFactor[],
  rules: GradingRuleRow[],
): GradeValue & { basis: GradeContribution[] } {
  const basis: GradeContribution[] = [{ source: 'proposal', ref: null, ...normalizeGrade(proposal.grade, proposal.level) }];
  for (const f of fields) basis.push({ source: 'field', ref: f.code, ...normalizeGrade(f.grade, f.gradeLevel) });
  for (const factor of factors) {
    for (const rule of rules) {
      if (rule.enabled && rule.factor_kind === 'impact' && rule.impact_object === factor.object && rule.impact_degree === factor.degree) {
        basis.push({ source: 'rule', ref: rule.code, ...ruleGrade(rule) });
      }
    }
  }
  const top = Math.max(...basis.map(rank));
  return { ...fromRank(top), basis };
}

const ATTR_ZH: Record<string, string> = { share_mode: '共享属性', open_mode: '开放属性' };
const MODE_ZH: Record<ShareMode, string> = { unconditional: '无条件', conditional: '有条件', none: '不予' };

/** The policy rules that apply to a grade on this kind of object. */
export function applicablePolicy(policy: GradePolicyRow[], appliesTo: 'resource' | 'field', g: GradeValue): GradePolicyRow[] {
  return policy.filter(
    (p) => p.enabled && p.applies_to === appliesTo && p.grade === g.grade && (p.min_level == null || (g.level ?? 1) >= p.min_level),
  );
}

/**
 * Throws 400 GRADE_POLICY_VIOLATION naming the rule and the field when the attributes are forbidden for
 * the grade. `path` prefixes the attribute in details.field ('' for the resource, 'fields[2].' for a field).
 */
export function checkPolicy(
  policy: GradePolicyRow[],
  appliesTo: 'resource' | 'field',
  g: GradeValue,
  attrs: { shareMode: ShareMode; openMode: ShareMode },
  path = '',
): void {
  for (const p of applicablePolicy(policy, appliesTo, g)) {
    const value = p.attribute === 'share_mode' ? attrs.shareMode : attrs.openMode;
    if (p.forbidden.includes(value)) {
      const field = `${path}${p.attribute === 'share_mode' ? 'shareMode' : 'openMode'}`;
      throw new AppError(
        400,
        'GRADE_POLICY_VIOLATION',
        {
          rule: p.code,
          gradeZh: gradeLabel(g),
          gradeEn: gradeLabel(g, 'en'),
          attributeZh: ATTR_ZH[p.attribute],
          attribute: p.attribute,
          valueZh: MODE_ZH[value],
          value,
          source: p.source,
        },
        { rule: p.code, field, grade: g.grade, gradeLevel: g.level, value, forbidden: p.forbidden, source: p.source },
      );
    }
  }
}
