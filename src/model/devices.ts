/** Execution providers this library knows (no onnxruntime import: the parameter schema reads it). */
export const DEVICES = ["cpu", "cuda"] as const;
export type Device = (typeof DEVICES)[number];
