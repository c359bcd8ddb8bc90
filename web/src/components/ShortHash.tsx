// A SHA-256 in a table cell: its first 12 hex digits, the whole in a tooltip; a dash when there is none.
import { Tooltip } from 'antd';

export default function ShortHash({ sha256 }: { sha256: string | null | undefined }) {
  return sha256 ? (
    <Tooltip title={sha256}>
      <span className="mono">{sha256.slice(0, 12)}…</span>
    </Tooltip>
  ) : (
    '—'
  );
}
