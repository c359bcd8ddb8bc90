// GBK / GB18030 → UTF-8, streaming, validating every byte on the way (an undecodable byte is an error that
// names its line and offset, never a replacement character in the data).
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { ingestError, removeQuietly, siblingPath } from './common.ts';
import { GbValidator } from './detect.ts';

export async function transcodeToUtf8(src: string, dst: string, encoding: 'gbk' | 'gb18030', file: string): Promise<void> {
  const validator = new GbValidator(encoding === 'gb18030');
  const decoder = iconv.getDecoder(encoding);
  const fail = (offset: number) =>
    ingestError('ENCODING_UNDECODABLE', { file, line: validator.badLine }, { offset, encoding: encoding.toUpperCase() });
  const transform = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const bad = validator.push(chunk);
      if (bad !== -1) return done(fail(bad));
      const text = decoder.write(chunk);
      done(null, text ? Buffer.from(text, 'utf8') : undefined);
    },
    flush(done) {
      const bad = validator.end();
      if (bad !== -1) return done(fail(bad));
      const text = decoder.end();
      done(null, text ? Buffer.from(text, 'utf8') : undefined);
    },
  });
  try {
    await pipeline(fs.createReadStream(src, { highWaterMark: 1 << 20 }), transform, fs.createWriteStream(dst));
  } catch (err) {
    await removeQuietly(dst);
    throw err;
  }
}

/**
 * The file DuckDB should read: the input itself when it is UTF-8, else a UTF-8 copy beside `out` (tagged `tag`,
 * e.g. 'utf8.csv'); `copy` is that copy, for the caller to remove when done.
 */
export async function utf8Source(
  input: string,
  out: string,
  encoding: 'utf-8' | 'gbk' | 'gb18030',
  file: string,
  tag: string,
): Promise<{ src: string; copy?: string }> {
  if (encoding === 'utf-8') return { src: input };
  const copy = siblingPath(out, tag);
  await transcodeToUtf8(input, copy, encoding, file);
  return { src: copy, copy };
}
