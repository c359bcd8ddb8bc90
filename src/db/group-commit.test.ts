// GroupCommit: concurrent adds share batches, each caller gets its own result in order, a failed batch rejects
// only its own callers, and later adds still go through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit } from './group-commit.ts';

test('concurrent adds are written in few batches; results in order; a failing batch rejects only its callers', async () => {
  const batches: number[][] = [];
  let failNext = false;
  const g = new GroupCommit<number, number>(async (items) => {
    batches.push(items);
    await new Promise((r) => setTimeout(r, 5));
    if (failNext) {
      failNext = false;
      throw new Error('disk full');
    }
    return items.map((x) => x * 10);
  }, 4);

  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => g.add(i)));
  assert.deepEqual(results, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  assert.deepEqual(batches[0], [0], 'the first add is written at once');
  assert.ok(batches.length < 10 && batches.every((b) => b.length <= 4), JSON.stringify(batches));
  assert.deepEqual(batches.flat(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

  failNext = true;
  await assert.rejects(g.add(1), /disk full/);
  assert.equal(await g.add(2), 20, 'the next batch is written again');
});
