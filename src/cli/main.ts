import { UsageError } from "./args";

/** One subcommand: how to run it and what its `--help` prints (loaded on demand). */
export interface CliCommand {
  run(args: string[]): Promise<number>;
  usage(): string;
}

/** The overall `--help`: every command's usage. */
export function usageOf(commands: Readonly<Record<string, CliCommand>>): string {
  return `lima-xai — black-box submodular attribution (LIMA, SMDL) for image models

Commands:
${Object.values(commands).map((c) => `  ${c.usage().split("\n")[0]}`).join("\n")}

lima-xai <command> --help lists a command's flags with their ranges, defaults and meanings.
Models by name are looked up in $LIMA_XAI_MODELS, then the user cache, then the built-in registry.`;
}

/**
 * Runs the CLI over a table of commands; returns the exit code. Errors print one line (a stack
 * only with --debug). The table is built by the composition root (app/main.ts), which alone knows
 * both the library's commands and the kernel's: the library never imports the kernel.
 */
export async function runCli(argv: string[], commands: Readonly<Record<string, CliCommand>>): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usageOf(commands)}\n`);
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`lima-xai: unknown command "${name}": use one of ${Object.keys(commands).join(", ")} (lima-xai --help)\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.usage()}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const debug = rest.includes("--debug");
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`lima-xai ${name}: ${debug && error instanceof Error ? error.stack : message.split("\n")[0]}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
