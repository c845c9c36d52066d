/**
 * `--batch` of the commands that load a model (explain, eval): without the flag, the batch follows
 * `--device`, as the library's own default does (SESSION_DEFAULTS.batchSize in src/model/onnx.ts:
 * 32 on cpu, 128 on cuda), instead of the schema's single number.
 */
import type { Device } from "../model/devices";
import { SESSION_DEFAULTS } from "../model/onnx";
import { BATCH, DEVICE } from "../params/lima";
import type { NumberParam } from "../params/types";
import { flagOf, flagValue } from "./flags";

/** BATCH as the commands show it: its default in --help is the device's. */
export const BATCH_FLAG: NumberParam = {
  ...BATCH,
  defaultText: Object.entries(SESSION_DEFAULTS.batchSize).map(([device, n]) => `${n} on ${device}`).join(", "),
};

/** The batch the flags name: `--batch`, else the default of `--device` (SESSION_DEFAULTS.batchSize). */
export function batchFlag(values: Readonly<Record<string, unknown>>): number {
  if (values[flagOf(BATCH_FLAG)] !== undefined) return flagValue<number>(BATCH_FLAG, values);
  return SESSION_DEFAULTS.batchSize[flagValue<Device>(DEVICE, values)];
}
