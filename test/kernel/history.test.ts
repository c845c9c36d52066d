import assert from "node:assert/strict";
import { test } from "node:test";
import { globToRegExp, History, SESSION } from "../../kernel/history";

function sample(): History {
  const h = new History();
  ["const a = 1", "a + 1", "console.log(a)", "a + 1"].forEach((code, i) => h.add(i + 1, code));
  h.setOutput(2, "2");
  h.setOutput(4, "2");
  return h;
}

test("globToRegExp(pattern) matches whole inputs with * and ?, everything else literal", () => {
  assert.ok(globToRegExp("a + *").test("a + 1"));
  assert.ok(!globToRegExp("a + *").test("xa + 1"), "anchored at the start");
  assert.ok(globToRegExp("a?b").test("a.b"));
  assert.ok(!globToRegExp("a.b").test("axb"), "a dot is literal");
  assert.ok(globToRegExp("*log(*)").test("console.log(a)"));
  assert.ok(globToRegExp("*").test("two\nlines"));
});

test("history.query({hist_access_type: 'tail', n}) gives the last n entries, with outputs on request", () => {
  const h = sample();
  assert.deepEqual(h.query({ hist_access_type: "tail", n: 2 }), [[SESSION, 3, "console.log(a)"], [SESSION, 4, "a + 1"]]);
  assert.deepEqual(h.query({ hist_access_type: "tail", n: 2, output: true }), [[SESSION, 3, ["console.log(a)", null]], [SESSION, 4, ["a + 1", "2"]]]);
  assert.equal(h.query({ hist_access_type: "tail" }).length, 4, "n defaults to 10");
});

test("history.query({hist_access_type: 'range', session, start, stop}) gives lines start ≤ line < stop of this session", () => {
  const h = sample();
  assert.deepEqual(h.query({ hist_access_type: "range", session: SESSION, start: 2, stop: 4 }).map((e) => e[1]), [2, 3]);
  assert.deepEqual(h.query({ hist_access_type: "range", session: 0, start: 3 }).map((e) => e[1]), [3, 4], "session 0 is the current one");
  assert.deepEqual(h.query({ hist_access_type: "range", session: 7, start: 1 }), [], "another session has nothing");
});

test("history.query({hist_access_type: 'search', pattern, unique, n}) filters by glob", () => {
  const h = sample();
  assert.deepEqual(h.query({ hist_access_type: "search", pattern: "a + *" }).map((e) => e[1]), [2, 4]);
  assert.deepEqual(h.query({ hist_access_type: "search", pattern: "a + *", unique: true }).map((e) => e[1]), [4], "the latest of equal inputs");
  assert.deepEqual(h.query({ hist_access_type: "search", pattern: "*a*", n: 2 }).map((e) => e[1]), [3, 4]);
  assert.deepEqual(h.query({ hist_access_type: "other" }), []);
});
