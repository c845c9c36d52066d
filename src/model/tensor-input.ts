import type { ModelOutput, TensorInput, WrittenRunControl } from "./types";

/**
 * `TensorInput.runTensors` on top of the same object's `runWritten`: every tensor must hold one
 * image's 3·H·W floats at the model's input size; each is then copied into the model's buffer.
 * Rejects with `fail(message)` naming the first tensor of another length.
 */
export async function runTensorsWritten(
  input: Pick<TensorInput, "runWritten">,
  model: { readonly name: string; readonly inputSize: { readonly width: number; readonly height: number } },
  tensors: readonly Float32Array[],
  fail: (message: string) => Error,
  control?: WrittenRunControl,
): Promise<ModelOutput[]> {
  const { width, height } = model.inputSize;
  const size = 3 * height * width;
  tensors.forEach((t, i) => {
    if (t.length !== size) throw fail(`input tensor ${i} has ${t.length} values; model ${model.name} needs ${size} (3×${height}×${width})`);
  });
  return input.runWritten(tensors.length, (i, out) => out.set(tensors[i]), control);
}
