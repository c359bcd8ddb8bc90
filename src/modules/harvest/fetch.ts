// Fetching one page of another portal's catalog, defensively: the URL is the authority's configuration, but
// what answers is not under our control. Only http(s); never link-local, cloud-metadata, multicast or reserved
// addresses (src/modules/sources/network.ts isForbiddenAddress); redirects followed by hand, at most
// MAX_REDIRECTS and never back to a URL already visited (a loop fails at once); a time limit per page; the body
// read as a stream and cut at maxBytes (a huge page fails without being held in memory).
import dns from 'node:dns/promises';
import net from 'node:net';
import { isForbiddenAddress } from '../sources/network.ts';

export interface FetchLimits {
  /** Largest page body accepted, in bytes. */
  maxBytes: number;
  /** Time limit per request, in milliseconds. */
  timeoutMs: number;
  maxRedirects: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { maxBytes: 20 * 1024 * 1024, timeoutMs: 30_000, maxRedirects: 5 };

/** Why a harvest failed: a stable reason code plus what helps the authority fix the source. */
export class HarvestFailure extends Error {
  constructor(
    readonly reason:
      | 'network'
      | 'timeout'
      | 'http'
      | 'redirect_loop'
      | 'too_many_redirects'
      | 'forbidden_address'
      | 'too_large'
      | 'malformed'
      | 'too_many_pages'
      | 'too_many_datasets'
      | 'invalid_dataset',
    readonly info: { url?: string; status?: number; page?: number; item?: string; message?: string } = {},
  ) {
    super(`${reason}${info.message ? `: ${info.message}` : ''}`);
  }
}

async function checkHost(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new HarvestFailure('network', { url: url.href, message: `cannot resolve ${host}` });
    }
  }
  if (addresses.some(isForbiddenAddress))
    throw new HarvestFailure('forbidden_address', { url: url.href, message: `${host} is a link-local, metadata or reserved address` });
}

export interface FetchedPage {
  url: string;
  contentType: string;
  body: string;
}

export async function fetchPage(start: string, accept: string, limits: FetchLimits = DEFAULT_FETCH_LIMITS): Promise<FetchedPage> {
  const seen = new Set<string>();
  let url = new URL(start);
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new HarvestFailure('network', { url: url.href, message: 'only http and https URLs are harvested' });
    if (seen.has(url.href)) throw new HarvestFailure('redirect_loop', { url: url.href });
    seen.add(url.href);
    await checkHost(url);
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept, 'user-agent': 'Shuyuan-harvester/1' },
        redirect: 'manual',
        signal: AbortSignal.timeout(limits.timeoutMs),
      });
    } catch (e) {
      const name = (e as Error).name;
      throw new HarvestFailure(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network', {
        url: url.href,
        message: String((e as Error).message).slice(0, 200),
      });
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      await res.body?.cancel();
      if (hop >= limits.maxRedirects) throw new HarvestFailure('too_many_redirects', { url: url.href });
      url = new URL(res.headers.get('location')!, url);
      continue;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new HarvestFailure('http', { url: url.href, status: res.status });
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > limits.maxBytes) {
      await res.body?.cancel();
      throw new HarvestFailure('too_large', { url: url.href, message: `${declared} bytes > ${limits.maxBytes}` });
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        if (bytes > limits.maxBytes)
          throw new HarvestFailure('too_large', { url: url.href, message: `more than ${limits.maxBytes} bytes` });
        chunks.push(Buffer.from(chunk));
      }
    } catch (e) {
      if (e instanceof HarvestFailure) throw e;
      const name = (e as Error).name;
      throw new HarvestFailure(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network', {
        url: url.href,
        message: String((e as Error).message).slice(0, 200),
      });
    }
    return {
      url: url.href,
      contentType: (res.headers.get('content-type') ?? '').toLowerCase(),
      body: Buffer.concat(chunks).toString('utf8'),
    };
  }
}
