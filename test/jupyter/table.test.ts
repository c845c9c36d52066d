import assert from "node:assert/strict";
import { test } from "node:test";
import { JUPYTER_DISPLAY } from "../../src/jupyter/host";
import { toMimeBundle } from "../../src/jupyter/mime";
import { table } from "../../src/jupyter/table";

test("table(rows): Markdown text with numbers rounded to 3 decimals, integers whole, columns in order of first appearance", () => {
  const t = table([{ method: "lima", insertion: 0.65432, passes: 1573 }, { method: "rise", insertion: 0.5, note: "a|b" }]);
  assert.deepEqual(t.columns, ["method", "insertion", "passes", "note"]);
  assert.equal(String(t), ["| method | insertion | passes | note |", "| --- | ---: | ---: | --- |", "| lima | 0.654 | 1573 |  |", "| rise | 0.500 |  | a\\|b |"].join("\n"));
});

test("table(rows, {digits, caption, columns}): HTML with the caption escaped and numeric columns right-aligned", async () => {
  const bundle = await toMimeBundle(table([{ a: 1.23456, b: "<x>" }], { digits: 1, caption: "T & U", columns: ["b", "a"] }));
  const html = bundle["text/html"] as string;
  assert.ok(html.includes("<caption>T &#38; U</caption>"), html);
  assert.ok(html.includes(`<th>b</th><th style="text-align:right">a</th>`), html);
  assert.ok(html.includes(`<td>&#60;x&#62;</td><td style="text-align:right">1.2</td>`), html);
  assert.equal(bundle["text/plain"], "T & U\n\n| b | a |\n| --- | ---: |\n| <x> | 1.2 |");
  assert.equal(typeof table([])[JUPYTER_DISPLAY], "function");
});

test("table: a bad cell, row or digits is an error naming it", () => {
  assert.throws(() => table([{ a: [1, 2] as unknown as number }]), /row 0, column a: object is not allowed/);
  assert.throws(() => table([1 as unknown as Record<string, number>]), /row 0 must be an object/);
  assert.throws(() => table([], { digits: 1.5 }), /digits 1.5 is not allowed: use an integer in 0..12/);
});
