// Moved from src/modules/identity/uscc.ts (identity re-exports it).
// 统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters —
// registration authority (1), organization category (1), administrative division (6), organization code
// (9, GB 11714 with its own check character), check character (1).
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'; // 31 characters: no I, O, S, V, Z
export const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
export const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11714 check character of the first 8 characters of an organization code. */
export function orgCodeCheck(first8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = first8[i]!;
    const v = /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55; // A = 10 … Z = 35
    sum += v * ORG_WEIGHTS[i]!;
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/** GB 32100 check character of the first 17 characters. */
export function usccCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARSET.indexOf(first17[i]!);
    if (v < 0) throw new RangeError(`invalid character in credit code: ${first17[i]}`);
    sum += v * USCC_WEIGHTS[i]!;
  }
  return USCC_CHARSET[(31 - (sum % 31)) % 31]!;
}

/** True when `code` is a well-formed 18-character credit code with both check characters right. */
export function isValidUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$/.test(code)) return false;
  if (usccCheck(code.slice(0, 17)) !== code[17]) return false;
  // The embedded organization code: 8 characters + its GB 11714 check character.
  const org = code.slice(8, 17);
  return /^[0-9A-Z]{8}[0-9X]$/.test(org) ? orgCodeCheck(org.slice(0, 8)) === org[8] : false;
}

/** Builds a valid credit code from its prefix: `kind` (2 chars, e.g. '11' 机关, '91' 企业), division (6 digits), 8-char org code body. */
export function makeUscc(kind: string, division: string, orgBody: string): string {
  const first17 = kind + division + orgBody + orgCodeCheck(orgBody);
  return first17 + usccCheck(first17);
}
