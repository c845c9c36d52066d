/**
 * Whether onnxruntime-node can use CUDA here, found without loading anything: on Linux its CUDA
 * execution provider is two shared libraries installed beside the binding only when asked for
 * (its install script with ONNXRUNTIME_NODE_INSTALL=cuda12; README "--device cuda"). Checking them first keeps onnxruntime's native error dump
 * off the terminal and says what is missing.
 */
import { existsSync } from "node:fs";
import path from "node:path";

/** The libraries onnxruntime-node's CUDA provider needs on Linux, beside its native binding. */
export const CUDA_PROVIDER_LIBRARIES = ["libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so"] as const;

/** The folder of onnxruntime-node's native binding for this platform, or undefined when it cannot be found. */
export function onnxruntimeBinaryDir(): string | undefined {
  try {
    const root = path.dirname(require.resolve("onnxruntime-node/package.json"));
    return path.join(root, "bin", "napi-v6", process.platform, process.arch);
  } catch {
    return undefined;
  }
}

/**
 * Undefined when nothing is known to be missing for `--device cuda`; otherwise one sentence
 * naming what is missing and how to install it.
 */
export function cudaProblem(dir = onnxruntimeBinaryDir(), platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === "darwin") return "onnxruntime-node has no CUDA provider on macOS";
  if (platform !== "linux" || dir === undefined) return undefined;
  const missing = CUDA_PROVIDER_LIBRARIES.filter((lib) => !existsSync(path.join(dir, lib)));
  if (missing.length === 0) return undefined;
  const script = path.join(dir, "..", "..", "..", "..", "script", "install");
  return (
    `onnxruntime-node's CUDA provider is not installed (${missing.join(" and ")} missing in ${dir}); ` +
    `install it on a machine with CUDA 12, cuDNN 9 and internet: ONNXRUNTIME_NODE_INSTALL=cuda12 node ${script}`
  );
}
