// RFC 9162 §2.1 Merkle Tree Hash, inclusion proofs (PATH) and consistency proofs (PROOF), written out because
// no npm package follows the RFC's 0x00/0x01 domain separation (DESIGN.md). Two implementations:
//  - the reference one works on an array of leaves exactly as the RFC defines it (tests, small trees);
//  - the production one works on a source of perfect-subtree hashes (level, index) so a proof over a ledger of
//    millions of entries takes O(log n) stored hashes, and MerkleFrontier builds those hashes incrementally.
// Sizes and indices are JS numbers (exact up to 2^53): no bitwise operators on them.
import { createHash, hash } from 'node:crypto';

export const EMPTY_ROOT = createHash('sha256').digest();

// Scratch buffers for the one-shot hash (crypto.hash copies its input): hashing is the hot path of verification.
const leafBuf = Buffer.alloc(33);
const nodeBuf = Buffer.alloc(65);
nodeBuf[0] = 0x01;

/** SHA-256(0x00 || leaf) */
export function leafHash(leaf: Uint8Array): Buffer {
  if (leaf.length !== 32)
    return createHash('sha256')
      .update(Buffer.from([0x00]))
      .update(leaf)
      .digest();
  leafBuf.set(leaf, 1);
  return hash('sha256', leafBuf, 'buffer');
}

// Hex-string variants for the hot paths (checkpointing, verification): a string digest is much cheaper to
// produce in Node than a Buffer one.

/** SHA-256(0x00 || bytes of a 64-hex-digit string), hex: the Merkle leaf hash of a ledger entry from its hash. */
export function leafHashHex(hex: string): string {
  leafBuf.write(hex, 1, 32, 'hex');
  return hash('sha256', leafBuf, 'hex');
}

/** SHA-256(0x01 || left || right) over two hex hashes, hex. */
export function nodeHashHex(left: string, right: string): string {
  nodeBuf.write(left, 1, 32, 'hex');
  nodeBuf.write(right, 33, 32, 'hex');
  return hash('sha256', nodeBuf, 'hex');
}

/** SHA-256(0x01 || left || right) */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== 32 || right.length !== 32)
    return createHash('sha256')
      .update(Buffer.from([0x01]))
      .update(left)
      .update(right)
      .digest();
  nodeBuf.set(left, 1);
  nodeBuf.set(right, 33);
  return hash('sha256', nodeBuf, 'buffer');
}

/** The largest power of two strictly smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && splitPoint(n + 1) === n;
}

function log2(n: number): number {
  let l = 0;
  while (2 ** l < n) l++;
  return l;
}

// ---------------------------------------------------------------------------------------------------------
// Reference implementation (RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1), on the leaves themselves.

export function refRoot(leaves: readonly Uint8Array[]): Buffer {
  const n = leaves.length;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leafHash(leaves[0]!);
  const k = splitPoint(n);
  return nodeHash(refRoot(leaves.slice(0, k)), refRoot(leaves.slice(k)));
}

export function refPath(m: number, leaves: readonly Uint8Array[]): Buffer[] {
  const n = leaves.length;
  if (n <= 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...refPath(m, leaves.slice(0, k)), refRoot(leaves.slice(k))];
  return [...refPath(m - k, leaves.slice(k)), refRoot(leaves.slice(0, k))];
}

export function refProof(m: number, leaves: readonly Uint8Array[]): Buffer[] {
  return refSubproof(m, leaves, true);
}

function refSubproof(m: number, leaves: readonly Uint8Array[], b: boolean): Buffer[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [refRoot(leaves)];
  const k = splitPoint(n);
  if (m <= k) return [...refSubproof(m, leaves.slice(0, k), b), refRoot(leaves.slice(k))];
  return [...refSubproof(m - k, leaves.slice(k), false), refRoot(leaves.slice(0, k))];
}

// ---------------------------------------------------------------------------------------------------------
// Production implementation over perfect subtrees. get(level, index) returns the hash of the perfect subtree
// covering leaves [index·2^level, (index+1)·2^level); level 0 is the leaf hash.

export type PerfectSource = (level: number, index: number) => Buffer;

/** MTH of leaves [a, b). In every range the recursion produces, a is a multiple of the range's perfect parts. */
function rangeRoot(get: PerfectSource, a: number, b: number): Buffer {
  const n = b - a;
  if (n === 0) return EMPTY_ROOT;
  if (isPowerOfTwo(n)) return get(log2(n), a / n);
  const k = splitPoint(n);
  return nodeHash(rangeRoot(get, a, a + k), rangeRoot(get, a + k, b));
}

export function treeRoot(get: PerfectSource, size: number): Buffer {
  return rangeRoot(get, 0, size);
}

/** Inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 PATH). */
export function inclusionPath(get: PerfectSource, index: number, size: number): Buffer[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf index ${index} is outside a tree of size ${size}`);
  const out: Buffer[] = [];
  const walk = (m: number, a: number, b: number) => {
    const n = b - a;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, a, a + k);
      out.push(rangeRoot(get, a + k, b));
    } else {
      walk(m - k, a + k, b);
      out.push(rangeRoot(get, a, a + k));
    }
  };
  walk(index, 0, size);
  return out;
}

/** Consistency proof between the trees of sizes m ≤ n (RFC 9162 PROOF). */
export function consistencyPath(get: PerfectSource, m: number, n: number): Buffer[] {
  if (!(m >= 1 && m <= n)) throw new RangeError(`consistency proof needs 1 ≤ first (${m}) ≤ second (${n})`);
  const out: Buffer[] = [];
  const sub = (mm: number, a: number, b: number, flag: boolean) => {
    const size = b - a;
    if (mm === size) {
      if (!flag) out.push(rangeRoot(get, a, b));
      return;
    }
    const k = splitPoint(size);
    if (mm <= k) {
      sub(mm, a, a + k, flag);
      out.push(rangeRoot(get, a + k, b));
    } else {
      sub(mm - k, a + k, b, false);
      out.push(rangeRoot(get, a, a + k));
    }
  };
  sub(m, 0, n, true);
  return out;
}

/**
 * Runs `fn` once with a recording source to learn which perfect subtrees it needs (the control flow of the
 * functions above never depends on hash values), so a caller can fetch them all in one query.
 */
export function neededNodes(fn: (get: PerfectSource) => unknown): Array<{ level: number; index: number }> {
  const seen = new Map<string, { level: number; index: number }>();
  const dummy = Buffer.alloc(32);
  fn((level, index) => {
    seen.set(`${level}:${index}`, { level, index });
    return dummy;
  });
  return [...seen.values()];
}

// ---------------------------------------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2 and §2.1.4.2).

function eq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** Checks an inclusion proof for a leaf hash (already SHA-256(0x00 || leaf)). */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHashValue: Uint8Array,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!(leafIndex >= 0 && leafIndex < treeSize)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Buffer = Buffer.from(leafHashValue);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && eq(r, root);
}

/** Checks a consistency proof between two tree heads. */
export function verifyConsistency(
  firstSize: number,
  secondSize: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!(firstSize >= 1 && firstSize <= secondSize)) return false;
  if (firstSize === secondSize) return proof.length === 0 && eq(firstRoot, secondRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(firstSize) ? [Buffer.from(firstRoot), ...proof] : [...proof];
  let fn = firstSize - 1;
  let sn = secondSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && eq(fr, firstRoot) && eq(sr, secondRoot);
}

// ---------------------------------------------------------------------------------------------------------
// Incremental construction: the "frontier" holds the roots of the perfect subtrees of the binary
// decomposition of the current size (largest first). Appending a leaf merges equal-level subtrees.
// Hashes are hex strings here (the hot path).

export interface FrontierNode {
  level: number;
  /** hex */
  hash: string;
}

export class MerkleFrontier {
  readonly stack: FrontierNode[] = [];
  size = 0;

  /**
   * @param onNode called for every completed perfect subtree (level ≥ 1) with its index, e.g. to store it.
   */
  constructor(private readonly onNode?: (level: number, index: number, hash: string) => void) {}

  /** Restores the frontier of a tree of `size` leaves from its decomposition (largest subtree first). */
  static restore(size: number, nodes: FrontierNode[], onNode?: (level: number, index: number, hash: string) => void): MerkleFrontier {
    const f = new MerkleFrontier(onNode);
    let covered = 0;
    for (const n of nodes) {
      if (f.stack.length && f.stack.at(-1)!.level <= n.level) throw new Error('frontier nodes must be in decreasing level order');
      f.stack.push(n);
      covered += 2 ** n.level;
    }
    if (covered !== size) throw new Error(`frontier nodes cover ${covered} leaves, expected ${size}`);
    f.size = size;
    return f;
  }

  /** The perfect subtrees that make up a tree of `size` leaves, largest first. */
  static decomposition(size: number): Array<{ level: number; index: number }> {
    const out: Array<{ level: number; index: number }> = [];
    let start = 0;
    for (let level = 52; level >= 0; level--) {
      const w = 2 ** level;
      if (size - start >= w) {
        out.push({ level, index: start / w });
        start += w;
      }
    }
    return out;
  }

  /** Appends a leaf given its leaf hash (hex of SHA-256(0x00 || leaf)). */
  pushLeafHash(h: string): void {
    this.pushSubtree(0, h);
  }

  /** Appends a perfect subtree of 2^level leaves; the tree size must be a multiple of 2^level. */
  pushSubtree(level: number, h: string): void {
    const width = 2 ** level;
    if (this.size % width !== 0 || (this.stack.length && this.stack.at(-1)!.level < level))
      throw new Error(`cannot append a subtree of ${width} leaves to a tree of ${this.size}`);
    let node: FrontierNode = { level, hash: h };
    const end = this.size + width; // leaves covered after this push
    while (this.stack.length && this.stack.at(-1)!.level === node.level) {
      const left = this.stack.pop()!;
      node = { level: node.level + 1, hash: nodeHashHex(left.hash, node.hash) };
      if (this.onNode) this.onNode(node.level, end / 2 ** node.level - 1, node.hash);
    }
    this.stack.push(node);
    this.size = end;
  }

  /** The tree head (hex). */
  root(): string {
    return MerkleFrontier.rootOf(this.stack);
  }

  /** The root (hex) of a tree from its frontier (perfect subtrees, largest first). */
  static rootOf(stack: readonly FrontierNode[]): string {
    if (stack.length === 0) return EMPTY_ROOT.toString('hex');
    let h = stack.at(-1)!.hash;
    for (let i = stack.length - 2; i >= 0; i--) h = nodeHashHex(stack[i]!.hash, h);
    return h;
  }
}
