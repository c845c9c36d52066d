/**
 * The composition root of the `lima-xai` command (issue 10): the one place that knows both the
 * library's commands (src/) and the kernel's (kernel/), and wires them into one table. Neither
 * side imports the other's commands; bin/lima-xai.js runs this file's {@link main}.
 */
import { type CliCommand, runCli } from "../src/cli/main";
import { explainCommand, EXPLAIN_USAGE } from "../src/cli/explain";
import { EXPLORE_USAGE } from "../src/cli/explore";
import { evalCommand, EVAL_USAGE } from "../src/eval/cli";
import { SOP_TRAIN_USAGE } from "../src/cli/sop-train";
import { WORKER_USAGE } from "../src/cli/worker";

/** Every subcommand; the kernel's and the explorer's modules load only when their command runs. */
export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  explain: { run: explainCommand, usage: () => EXPLAIN_USAGE },
  eval: { run: (args) => evalCommand(args), usage: () => EVAL_USAGE },
  kernel: {
    run: async (args) => (await import("../kernel/cli")).kernelCommand(args),
    usage: () => (require("../kernel/cli") as typeof import("../kernel/cli")).KERNEL_USAGE,
  },
  explore: {
    run: async (args) => {
      const [{ exploreCommand }, { startExploreServer }] = await Promise.all([import("../src/cli/explore"), import("../kernel/explore-server")]);
      return exploreCommand(args, startExploreServer);
    },
    usage: () => EXPLORE_USAGE,
  },
  worker: { run: async (args) => (await import("../src/cli/worker")).workerCommand(args), usage: () => WORKER_USAGE },
  "sop-train": { run: async (args) => (await import("../src/cli/sop-train")).sopTrainCommand(args), usage: () => SOP_TRAIN_USAGE },
};

/** Runs `lima-xai <argv>`; returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return runCli(argv, COMMANDS);
}
