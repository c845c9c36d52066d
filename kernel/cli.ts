import { parseFlags, UsageError } from "../src/cli/args";
import { installKernel, uninstallKernel } from "./install";

export const KERNEL_USAGE = "lima-xai kernel install|uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]";

/** `lima-xai kernel install|uninstall`. */
export async function kernelCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseFlags(rest, {
    user: { type: "boolean" },
    "sys-prefix": { type: "boolean" },
    prefix: { type: "string" },
    name: { type: "string" },
    "display-name": { type: "string" },
    debug: { type: "boolean" },
  });
  const options = { user: values.user, sysPrefix: values["sys-prefix"], prefix: values.prefix, name: values.name, displayName: values["display-name"] };
  if (action === "install") {
    for (const dir of installKernel(options)) process.stdout.write(`installed ${dir}\n`);
    return 0;
  }
  if (action === "uninstall") {
    const removed = uninstallKernel(options);
    process.stdout.write(removed.length ? removed.map((d) => `removed ${d}\n`).join("") : "nothing to remove\n");
    return 0;
  }
  throw new UsageError(`kernel ${JSON.stringify(action ?? "")} is not a subcommand: use install or uninstall (${KERNEL_USAGE})`);
}
