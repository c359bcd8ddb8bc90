// Shows a small JSON object from the server as label/value rows (hashes and keys in monospace).
import { Descriptions, Typography } from 'antd';
import { formatDateTime } from '../format.ts';

const TIME_KEY = /(At|time|Time)$/;

function renderValue(key: string, v: unknown) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'string') {
    if (TIME_KEY.test(key) && !Number.isNaN(Date.parse(v))) return formatDateTime(v);
    if (v.includes('\n')) return <pre className="json mono">{v}</pre>;
    if (v.length > 24 && /^[0-9A-Za-z+/=_-]+$/.test(v))
      return (
        <Typography.Text className="mono" copyable>
          {v}
        </Typography.Text>
      );
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return <pre className="json mono">{JSON.stringify(v, null, 2)}</pre>;
}

export default function KeyValues({
  value,
  testId,
  label,
}: {
  value: Record<string, unknown>;
  testId?: string;
  label?: (key: string) => string;
}) {
  return (
    <Descriptions column={1} size="small" bordered data-testid={testId}>
      {Object.entries(value).map(([k, v]) => (
        <Descriptions.Item key={k} label={label ? label(k) : k}>
          {renderValue(k, v)}
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}
