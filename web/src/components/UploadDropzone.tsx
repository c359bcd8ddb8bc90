// A drop zone that uploads one file with the tus resumable protocol (POST/PATCH /api/uploads, see docs/api.md):
// 8 MB chunks, automatic retries after network errors, pause/resume/cancel, and a progress bar with bytes.
// A file that was half-uploaded before a page reload resumes where it stopped (tus-js-client remembers the
// upload URL per file in localStorage). Calls onComplete with the upload id the datasets API takes.
import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Progress, Space, Typography, Upload } from 'antd';
import { CaretRightOutlined, CloseOutlined, InboxOutlined, PauseOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import * as tus from 'tus-js-client';
import { readCookie } from '../api.ts';
import i18n from '../i18n.ts';

export interface UploadedFile {
  uploadId: string;
  fileName: string;
  size: number;
}

export interface UploadDropzoneProps {
  onComplete(file: UploadedFile): void;
  /** File types offered by the file chooser, e.g. ".csv,.xlsx" (the server detects the real type anyway). */
  accept?: string;
  /** Refuse larger files before sending anything (the server enforces its own limit: 413 UPLOAD_TOO_LARGE). */
  maxBytes?: number;
  disabled?: boolean;
}

type Phase = 'idle' | 'uploading' | 'paused' | 'done' | 'error';

const CHUNK = 8 * 1024 * 1024;
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** The server's message from a failed tus request (our error body), or the client's own. */
function tusErrorMessage(e: unknown, fallback: string): string {
  const res = (e as { originalResponse?: { getBody(): string } | null }).originalResponse;
  if (res) {
    try {
      const body = JSON.parse(res.getBody()) as { error?: { message?: string } };
      if (body.error?.message) return body.error.message;
    } catch {
      /* not our error body */
    }
  }
  return fallback;
}

export default function UploadDropzone({ onComplete, accept, maxBytes, disabled }: UploadDropzoneProps) {
  const { t } = useTranslation();
  const [phase, setPhase] = useState<Phase>('idle');
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const upload = useRef<tus.Upload | null>(null);

  // Leaving the page section stops sending (the upload stays resumable on the server).
  useEffect(
    () => () => {
      void upload.current?.abort();
    },
    [],
  );

  const start = async (f: File) => {
    setError(null);
    if (maxBytes !== undefined && f.size > maxBytes) {
      setFile(null);
      setPhase('error');
      setError(t('upload.tooLarge', { size: formatBytes(f.size), max: formatBytes(maxBytes) }));
      return;
    }
    setFile(f);
    setSent(0);
    setPhase('uploading');
    const up = new tus.Upload(f, {
      endpoint: '/api/uploads',
      chunkSize: CHUNK,
      retryDelays: RETRY_DELAYS,
      metadata: { filename: f.name, filetype: f.type || 'application/octet-stream' },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      // The session cookie goes along (same origin); unsafe methods need the CSRF token, read fresh each time.
      onBeforeRequest: (req) => {
        const csrf = readCookie('sy_csrf');
        if (csrf) req.setHeader('x-csrf-token', csrf);
        req.setHeader('accept-language', i18n.language || 'zh-CN');
      },
      onProgress: (bytes) => setSent(bytes),
      onError: (e) => {
        setPhase('error');
        setError(tusErrorMessage(e, t('upload.failed')));
      },
      onSuccess: () => {
        setSent(f.size);
        setPhase('done');
        const id = (up.url ?? '').split('/').pop() ?? '';
        onComplete({ uploadId: id, fileName: f.name, size: f.size });
      },
    });
    upload.current = up;
    // The same file interrupted earlier (reload, closed tab): continue from the server's offset.
    try {
      const previous = await up.findPreviousUploads();
      if (previous[0]) up.resumeFromPreviousUpload(previous[0]);
    } catch {
      /* no storage: start afresh */
    }
    up.start();
  };

  const pause = async () => {
    await upload.current?.abort();
    setPhase('paused');
  };
  const resume = () => {
    setError(null);
    setPhase('uploading');
    upload.current?.start();
  };
  const reset = () => {
    upload.current = null;
    setPhase('idle');
    setFile(null);
    setSent(0);
    setError(null);
  };
  const cancel = async () => {
    const up = upload.current;
    reset();
    // Terminate: the server deletes what it received.
    if (up) await up.abort(true).catch(() => undefined);
  };

  const total = file?.size ?? 0;
  const percent = total > 0 ? Math.floor((sent / total) * 100) : phase === 'done' ? 100 : 0;
  const busy = phase === 'uploading' || phase === 'paused';

  return (
    <div>
      {!busy && phase !== 'done' && (
        <Upload.Dragger
          accept={accept}
          multiple={false}
          showUploadList={false}
          disabled={disabled}
          beforeUpload={(f) => {
            void start(f);
            return false; // tus sends it, not antd
          }}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{t('upload.drop')}</p>
          <p className="ant-upload-hint">
            {t('upload.hint')}
            {maxBytes !== undefined ? ` ${t('upload.limit', { max: formatBytes(maxBytes) })}` : ''}
          </p>
        </Upload.Dragger>
      )}

      {file && phase !== 'idle' && (
        <div style={{ marginTop: busy ? 0 : 12 }}>
          <Typography.Text strong>{file.name}</Typography.Text>
          <Progress
            percent={percent}
            status={phase === 'error' ? 'exception' : phase === 'done' ? 'success' : phase === 'paused' ? 'normal' : 'active'}
            aria-label={t('upload.progressLabel', { name: file.name })}
          />
          <Space wrap>
            <Typography.Text type="secondary">
              {t('upload.bytes', { sent: formatBytes(sent), total: formatBytes(total) })}
              {phase === 'paused' ? ` · ${t('upload.paused')}` : ''}
              {phase === 'done' ? ` · ${t('upload.done')}` : ''}
            </Typography.Text>
            {phase === 'uploading' && (
              <Button size="small" icon={<PauseOutlined />} onClick={() => void pause()}>
                {t('upload.pause')}
              </Button>
            )}
            {(phase === 'paused' || phase === 'error') && (
              <Button size="small" icon={phase === 'error' ? <ReloadOutlined /> : <CaretRightOutlined />} onClick={resume}>
                {phase === 'error' ? t('upload.retry') : t('upload.resume')}
              </Button>
            )}
            {phase !== 'done' && (
              <Button size="small" danger icon={<CloseOutlined />} onClick={() => void cancel()}>
                {t('upload.cancel')}
              </Button>
            )}
            {phase === 'done' && (
              <Button size="small" onClick={reset}>
                {t('upload.another')}
              </Button>
            )}
          </Space>
        </div>
      )}

      {error && <Alert style={{ marginTop: 12 }} type="error" showIcon message={error} />}
    </div>
  );
}
