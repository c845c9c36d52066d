import assert from "node:assert/strict";
import test from "node:test";
import { ModelOutputCache } from "../../src/search/cache";

/** An output whose stored size is 64 + 4·n bytes (one Float32Array shared by probs and features). */
const output = (n: number) => {
  const probs = new Float32Array(n);
  return { probs, features: probs };
};

test("the LRU cache counts bytes (64 + array bytes, shared arrays once) and evicts the least recently used", () => {
  const cache = new ModelOutputCache(200);
  cache.set("a", output(4)); // 80 bytes
  cache.set("b", output(4)); // 160
  assert.equal(cache.bytes, 160);
  assert.equal(cache.size, 2);
  assert.ok(cache.get("a"), "reading a makes b the least recently used");
  cache.set("c", output(4)); // 240 > 200: b goes
  assert.equal(cache.bytes, 160);
  assert.equal(cache.evictions, 1);
  assert.equal(cache.get("b"), undefined);
  assert.ok(cache.get("a") && cache.get("c"));
  cache.set("a", output(10)); // replacing a: 160 − 80 + 104 = 184 ≤ 200, nothing evicted
  assert.equal(cache.bytes, 184);
  assert.equal(cache.evictions, 1);
  cache.set("d", output(4)); // 264: c (least recent) goes → 184
  assert.deepEqual([cache.get("c"), cache.bytes, cache.evictions], [undefined, 184, 2]);
});

test("the byte bound holds after every insert, except for a single entry larger than the bound", () => {
  const cache = new ModelOutputCache(1000);
  for (let i = 0; i < 50; i++) {
    cache.set(`k${i}`, output(i % 7));
    assert.ok(cache.bytes <= 1000, `after ${i}: ${cache.bytes} bytes`);
  }
  cache.set("huge", output(1000)); // 4064 bytes: kept alone, the rest evicted
  assert.equal(cache.size, 1);
  assert.equal(cache.bytes, 4064);
  cache.clear();
  assert.deepEqual([cache.size, cache.bytes], [0, 0]);
  assert.throws(() => new ModelOutputCache(0), /cache maxBytes 0 is not allowed/);
});
