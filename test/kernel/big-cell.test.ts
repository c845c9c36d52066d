import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LONG_DECLARATION, LONG_LITERAL, shrinkDeclarations } from "../../kernel/tslab-adapter";
import { KernelClient } from "../support/kernel-client";

let k: KernelClient;
before(async () => (k = await KernelClient.start()));
after(async () => k.close());

/** Milliseconds for `n` small cells run one after another. */
async function smallCells(n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const { reply } = await k.execute(`${i} + 1`);
    assert.equal(reply.content.status, "ok");
  }
  return performance.now() - start;
}

test("a cell holding a 20 MB string literal does not make the next 50 small cells slow", async (t) => {
  await smallCells(5); // warm-up
  const fresh = await smallCells(50);
  const bigStart = performance.now();
  const big = await k.execute(`const big = "${"x".repeat(20_000_000)}";\nbig.length`, 180_000);
  const bigMs = performance.now() - bigStart;
  assert.equal(big.reply.content.status, "ok", JSON.stringify(big.reply.content));
  const later = await smallCells(50);
  t.diagnostic(`50 small cells: ${fresh.toFixed(0)} ms fresh, ${later.toFixed(0)} ms after the 20 MB cell (which took ${bigMs.toFixed(0)} ms)`);
  // Before the fix each later cell re-parsed the 20 MB literal (about 30× slower); 3× is noise room.
  assert.ok(later < 3 * fresh, `50 small cells took ${later.toFixed(0)} ms after the big cell, ${fresh.toFixed(0)} ms before`);
  // The value itself is intact, and typed as a string for later cells.
  const { reply, outputs } = await k.execute("const n: number = big.length; n + big.charCodeAt(5)");
  assert.equal(reply.content.status, "ok", JSON.stringify(reply.content));
  assert.equal((outputs.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"], String(20_000_000 + 120));
});

test("shrinkDeclarations: long literals become string, huge declarations any, the rest is untouched", () => {
  const long = "y".repeat(LONG_LITERAL + 1);
  const short = "z".repeat(10);
  const decl = [
    `declare const a = "${long}";`,
    `declare const b = "${short}";`,
    `declare const c: {\n    readonly s: "${long}";\n    readonly t: "${short}";\n};`,
    `declare function f(): \`${long}\`;`,
    `declare const d: readonly [${Array.from({ length: LONG_DECLARATION / 4 }, (_, i) => i).join(", ")}];`,
    "declare let e: number;",
    "",
  ].join("\n");
  assert.equal(
    shrinkDeclarations(decl),
    [
      "declare const a: string;",
      `declare const b = "${short}";`,
      `declare const c: {\n    readonly s: string;\n    readonly t: "${short}";\n};`,
      "declare function f(): string;",
      "declare const d: any;",
      "declare let e: number;",
      "",
    ].join("\n"),
  );
  const small = `declare const b = "${short}";\n`;
  assert.equal(shrinkDeclarations(small), small);
});
