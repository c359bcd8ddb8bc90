// RFC 9162 Merkle trees: hand-computed small trees, the reference definitions against the production code
// over perfect subtrees, the frontier, and the RFC's verification algorithms for all sizes 1..64.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  EMPTY_ROOT,
  MerkleFrontier,
  consistencyPath,
  inclusionPath,
  leafHash,
  neededNodes,
  nodeHash,
  refPath,
  refProof,
  refRoot,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type PerfectSource,
} from './merkle.ts';

const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const leaves = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`leaf-${i}`));

/** Perfect-subtree source computed by brute force from the leaves. */
function bruteSource(ls: Buffer[]): PerfectSource {
  return (level, index) => {
    const w = 2 ** level;
    const part = ls.slice(index * w, (index + 1) * w);
    assert.equal(part.length, w, `perfect subtree (${level}, ${index}) is not inside the tree`);
    return refRoot(part);
  };
}

const hex = (bs: Buffer[]) => bs.map((b) => b.toString('hex'));

describe('RFC 9162 Merkle tree', () => {
  it('hashes leaves and nodes with 0x00 / 0x01 domain separation', () => {
    const a = Buffer.from('a');
    const b = Buffer.from('b');
    assert.deepEqual(leafHash(a), sha(Buffer.from([0]), a));
    assert.deepEqual(nodeHash(a, b), sha(Buffer.from([1]), a, b));
    assert.deepEqual(refRoot([]), sha());
    assert.deepEqual(EMPTY_ROOT.toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('matches trees computed by hand (sizes 1, 2, 3, 5, 7)', () => {
    const d = leaves(7);
    const L = d.map((x) => leafHash(x));
    const N = nodeHash;
    assert.deepEqual(refRoot(d.slice(0, 1)), L[0]);
    assert.deepEqual(refRoot(d.slice(0, 2)), N(L[0]!, L[1]!));
    assert.deepEqual(refRoot(d.slice(0, 3)), N(N(L[0]!, L[1]!), L[2]!));
    const ab = N(L[0]!, L[1]!);
    const cd = N(L[2]!, L[3]!);
    const ef = N(L[4]!, L[5]!);
    assert.deepEqual(refRoot(d.slice(0, 5)), N(N(ab, cd), L[4]!));
    assert.deepEqual(refRoot(d), N(N(ab, cd), N(ef, L[6]!)));
    // RFC 9162 §2.1.5 example: tree of 7 leaves d0..d6.
    assert.deepEqual(hex(refPath(0, d)), hex([L[1]!, cd, N(ef, L[6]!)])); // PATH(0) = [b, h, l]
    assert.deepEqual(hex(refPath(3, d)), hex([L[2]!, ab, N(ef, L[6]!)])); // PATH(3) = [c, g, l]
    assert.deepEqual(hex(refPath(4, d)), hex([L[5]!, L[6]!, N(ab, cd)])); // PATH(4) = [f, j, k]
    assert.deepEqual(hex(refPath(6, d)), hex([ef, N(ab, cd)])); // PATH(6) = [i, k]
    // PROOF(3, D[7]) = [c, d, g, l]; PROOF(4, D[7]) = [l]; PROOF(6, D[7]) = [i, j, k]
    assert.deepEqual(hex(refProof(3, d)), hex([L[2]!, L[3]!, ab, N(ef, L[6]!)]));
    assert.deepEqual(hex(refProof(4, d)), hex([N(ef, L[6]!)]));
    assert.deepEqual(hex(refProof(6, d)), hex([ef, L[6]!, N(ab, cd)]));
  });

  it('computes the same roots, paths and proofs from perfect subtrees as the reference, sizes 1..64', () => {
    const all = leaves(64);
    for (let n = 1; n <= 64; n++) {
      const d = all.slice(0, n);
      const get = bruteSource(d);
      const root = refRoot(d);
      assert.deepEqual(treeRoot(get, n), root, `root ${n}`);
      for (let m = 0; m < n; m++) {
        const path = inclusionPath(get, m, n);
        assert.deepEqual(hex(path), hex(refPath(m, d)), `path ${m}/${n}`);
        assert.ok(verifyInclusion(m, n, leafHash(d[m]!), path, root), `inclusion ${m}/${n}`);
        // Wrong leaf, wrong index, wrong root, truncated path: all refused. (The size itself is bound by the
        // signed tree head, not by the path: a left-edge path can be valid for two sizes.)
        assert.ok(!verifyInclusion(m, n, leafHash(Buffer.from('x')), path, root));
        if (n > 1) assert.ok(!verifyInclusion((m + 1) % n, n, leafHash(d[m]!), path, root));
        assert.ok(!verifyInclusion(m, n, leafHash(d[m]!), path, refRoot(all.slice(1, n + 1))));
        if (path.length) assert.ok(!verifyInclusion(m, n, leafHash(d[m]!), path.slice(1), root));
      }
      for (let m = 1; m <= n; m++) {
        const proof = consistencyPath(get, m, n);
        assert.deepEqual(hex(proof), hex(refProof(m, d)), `proof ${m}/${n}`);
        const first = refRoot(d.slice(0, m));
        assert.ok(verifyConsistency(m, n, first, root, proof), `consistency ${m}/${n}`);
        if (m < n) {
          assert.ok(!verifyConsistency(m, n, refRoot(leaves(m).map((_, i) => Buffer.from(`other-${i}`))), root, proof));
          assert.ok(!verifyConsistency(m, n, first, EMPTY_ROOT, proof));
          assert.ok(!verifyConsistency(m, n, first, root, proof.slice(0, -1)));
        }
      }
    }
  });

  it('needs only O(log n) perfect subtrees per proof', () => {
    const nodes = neededNodes((get) => inclusionPath(get, 123_456, 1_000_003));
    assert.ok(nodes.length <= 2 * 21, `${nodes.length} nodes`);
    const c = neededNodes((get) => consistencyPath(get, 999, 1_000_003));
    assert.ok(c.length <= 3 * 21, `${c.length} nodes`);
  });

  it('builds the tree incrementally with the frontier and reports every perfect subtree', () => {
    const d = leaves(64);
    const seen = new Map<string, string>();
    const f = new MerkleFrontier((level, index, hash) => seen.set(`${level}:${index}`, hash));
    const lh = (b: Buffer) => leafHash(b).toString('hex');
    const root = (ls: Buffer[]) => refRoot(ls).toString('hex');
    for (let n = 1; n <= 64; n++) {
      f.pushLeafHash(lh(d[n - 1]!));
      assert.equal(f.root(), root(d.slice(0, n)), `frontier root ${n}`);
      // Restore from the decomposition and continue: same roots.
      const parts = MerkleFrontier.decomposition(n);
      const g = MerkleFrontier.restore(
        n,
        parts.map((p) => ({ level: p.level, hash: bruteSource(d)(p.level, p.index).toString('hex') })),
      );
      assert.equal(g.root(), root(d.slice(0, n)));
      if (n < 64) {
        g.pushLeafHash(lh(d[n]!));
        assert.equal(g.root(), root(d.slice(0, n + 1)));
      }
    }
    const src = bruteSource(d);
    for (const [key, hash] of seen) {
      const [level, index] = key.split(':').map(Number) as [number, number];
      assert.equal(hash, src(level, index).toString('hex'), key);
    }
    assert.equal(seen.size, 32 + 16 + 8 + 4 + 2 + 1);
    // Whole subtrees append too (how verification joins chunks).
    const j = new MerkleFrontier();
    j.pushSubtree(4, src(4, 0).toString('hex'));
    j.pushSubtree(4, src(4, 1).toString('hex'));
    j.pushSubtree(3, src(3, 4).toString('hex'));
    assert.equal(j.root(), root(d.slice(0, 40)));
    assert.throws(() => j.pushSubtree(4, src(4, 0).toString('hex')));
  });
});
