// GapTracker (src/gaps.ts): baselines, duplicates, the missing range, cover() after a
// fetch that held fewer messages than its width. Prints "N passed, M failed".
//
// Usage: node test/gaps.mjs <dist-dir>
import assert from "node:assert/strict";
import path from "node:path";
import { pathToFileURL } from "node:url";

const { GapTracker } = await import(
  pathToFileURL(path.join(path.resolve(process.argv[2]), "clients", "ts", "src", "gaps.js")).href
);

const cases = {
  "a conversation never seen has no gap; its first seqnum is the baseline"() {
    const g = new GapTracker();
    assert.equal(g.gapBefore(7n, 40n), undefined);
    assert.equal(g.mark(7n, 40n), true);
    assert.equal(g.last(7n), 40n);
  },
  "in order: no gap; a repeat is a duplicate"() {
    const g = new GapTracker();
    g.mark(7n, 1n);
    assert.equal(g.gapBefore(7n, 2n), undefined);
    assert.equal(g.mark(7n, 2n), true);
    assert.equal(g.mark(7n, 2n), false);
    assert.equal(g.seen(7n, 1n), true);
  },
  "a jump names exactly the missing range; filling it advances last"() {
    const g = new GapTracker();
    g.mark(7n, 3n);
    assert.deepEqual(g.gapBefore(7n, 7n), { conversation: 7n, first: 4n, last: 6n });
    g.mark(7n, 7n);
    assert.equal(g.last(7n), 3n);
    for (const s of [4n, 5n, 6n]) g.mark(7n, s);
    assert.equal(g.last(7n), 7n);
  },
  "cover(): a range with holes (a restart's jump) counts as seen"() {
    const g = new GapTracker();
    g.mark(7n, 3n);
    g.mark(7n, 10n);
    g.mark(7n, 5n);
    g.cover(7n, 9n);
    assert.equal(g.last(7n), 10n);
    assert.equal(g.gapBefore(7n, 11n), undefined);
    assert.equal(g.seen(7n, 8n), true);
  },
};

let passed = 0;
let failed = 0;
for (const [name, run] of Object.entries(cases)) {
  try {
    run();
    passed++;
  } catch (error) {
    failed++;
    console.error(`FAIL ${name}\n${error?.stack ?? error}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
