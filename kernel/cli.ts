/**
 * `lima-xai kernel install|uninstall`: writes or removes the lima-ts kernelspec, no Python needed.
 */
import { parseFlags, UsageError } from "../src/cli/args";
import { type InstallOptions, installKernel, uninstallKernel } from "./install";

export const KERNEL_USAGE = "lima-xai kernel install|uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]";

const FLAGS = {
  user: { type: "boolean" },
  "sys-prefix": { type: "boolean" },
  prefix: { type: "string" },
  name: { type: "string" },
  "display-name": { type: "string" },
  debug: { type: "boolean" },
} as const;

/** Reads and checks the flags; every problem is a {@link UsageError}. */
function installOptions(rest: string[]): InstallOptions {
  const { values, positionals } = parseFlags(rest, FLAGS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (${KERNEL_USAGE})`);
  if (values.prefix !== undefined && values.prefix.trim() === "") throw new UsageError("--prefix needs a folder");
  if ([values.user, values["sys-prefix"], values.prefix !== undefined].filter(Boolean).length > 1) {
    throw new UsageError("choose one of --user, --sys-prefix and --prefix DIR");
  }
  return { user: values.user, sysPrefix: values["sys-prefix"], prefix: values.prefix, name: values.name, displayName: values["display-name"] };
}

/** Runs the installer, turning its RangeErrors (a bad kernel name) into usage errors. */
function run<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

/** `lima-xai kernel install|uninstall …`; returns the exit code. */
export async function kernelCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === "install") {
    const options = installOptions(rest);
    for (const dir of run(() => installKernel(options))) process.stdout.write(`installed ${dir}\n`);
    return 0;
  }
  if (action === "uninstall") {
    const options = installOptions(rest);
    const removed = run(() => uninstallKernel(options));
    process.stdout.write(removed.length ? removed.map((d) => `removed ${d}\n`).join("") : "nothing to remove\n");
    return 0;
  }
  throw new UsageError(`kernel ${JSON.stringify(action ?? "")} is not a subcommand: use install or uninstall (${KERNEL_USAGE})`);
}
