import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../support/onnx-graphs";
import { REPO } from "../support/paths";

test("Debian's jupyter_kernel_test passes against the installed lima-ts kernel", () => {
  const prefix = tempDir("prefix-");
  const install = spawnSync(process.execPath, [path.join(REPO, "bin/lima-xai.js"), "kernel", "install", "--prefix", prefix], { encoding: "utf8" });
  assert.equal(install.status, 0, install.stderr);
  const r = spawnSync("/usr/bin/python3", ["-m", "unittest", "-v", "test_lima_ts"], {
    cwd: path.join(REPO, "test/kernel/fixtures"),
    env: { ...process.env, JUPYTER_PATH: path.join(prefix, "share/jupyter") },
    encoding: "utf8",
    timeout: 240_000,
  });
  assert.doesNotMatch(r.stderr, /skipped/, "every test of the suite ran (history, pager and clear_output included)");
  const summary = r.stderr.split("\n").filter((l) => /^(Ran|OK|FAILED)/.test(l)).join(" ");
  assert.equal(r.status, 0, `${summary}\n${r.stderr.slice(-3000)}`);
  for (const name of ["test_kernel_info", "test_execute_stdout", "test_execute_stderr", "test_execute_result", "test_display_data", "test_error", "test_completion", "test_is_complete", "test_inspect", "test_clear_output", "test_history", "test_pager"]) {
    assert.match(r.stderr, new RegExp(`${name} .*\\.\\.\\. ok`), `${name} ran and passed`);
  }
});
