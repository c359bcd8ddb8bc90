// Puts a server error on the form field it names (details.field, or a code known to belong to a field);
// returns false when the error belongs to no field of this form, so the caller shows it elsewhere.
import type { FormInstance } from 'antd';
import { ApiError, errorMessage } from './api.ts';

const CODE_FIELDS: Record<string, string> = {
  USERNAME_TAKEN: 'username',
  ORG_CODE_TAKEN: 'code',
  PASSWORD_POLICY: 'password',
  CURRENT_PASSWORD_WRONG: 'currentPassword',
};

export function applyServerError(form: FormInstance, e: unknown, fields: string[]): boolean {
  if (!(e instanceof ApiError)) return false;
  const d = e.details ?? {};
  const named = typeof d.field === 'string' ? d.field : typeof d.property === 'string' ? d.property : CODE_FIELDS[e.code];
  const field = named?.replace(/^\/?(body\/)?/, '').replace(/^\//, '');
  if (field && fields.includes(field)) {
    form.setFields([{ name: field, errors: [errorMessage(e)] }]);
    return true;
  }
  return false;
}
