import { EVAL_USAGE, evalCommand } from "../eval/cli";
import { explainCommand, EXPLAIN_USAGE } from "./explain";
import { EXPLORE_USAGE } from "./explore";
import { SOP_TRAIN_USAGE } from "./sop-train";
import { UsageError } from "./args";

const USAGE = `lima-xai — black-box submodular attribution (LIMA, SMDL) for image models

Commands:
  ${EXPLAIN_USAGE}
  lima-xai kernel install [--user | --sys-prefix | --prefix DIR] [--name NAME]
  lima-xai kernel uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]
  ${EXPLORE_USAGE}
  ${EVAL_USAGE}
  ${SOP_TRAIN_USAGE}

Models by name are looked up in $LIMA_XAI_MODELS, then the user cache, then the built-in registry.`;

type Command = (args: string[]) => Promise<number>;

/**
 * Subcommands: how to run each and what its `--help` prints. The kernel lives outside src/ (it is
 * the Jupyter host, not the library); it and the explorer load their modules on demand.
 */
const COMMANDS: Record<string, { run: () => Command; usage: () => string }> = {
  explain: { run: () => explainCommand, usage: () => EXPLAIN_USAGE },
  eval: { run: () => evalCommand, usage: () => EVAL_USAGE },
  kernel: { run: () => kernelCli().kernelCommand, usage: () => kernelCli().KERNEL_USAGE },
  explore: { run: () => (require("./explore") as typeof import("./explore")).exploreCommand, usage: () => EXPLORE_USAGE },
  "sop-train": { run: () => (require("./sop-train") as typeof import("./sop-train")).sopTrainCommand, usage: () => SOP_TRAIN_USAGE },
};

function kernelCli(): typeof import("../../kernel/cli") {
  return require("../../kernel/cli") as typeof import("../../kernel/cli");
}

/** Runs the CLI; returns the exit code. Errors print one line (a stack only with --debug). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`lima-xai: unknown command "${name}": use one of ${Object.keys(COMMANDS).join(", ")} (lima-xai --help)\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.usage()}\n`);
    return 0;
  }
  try {
    return await command.run()(rest);
  } catch (error) {
    const debug = rest.includes("--debug");
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`lima-xai ${name}: ${debug && error instanceof Error ? error.stack : message.split("\n")[0]}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
