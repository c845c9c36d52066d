import type { ModelCard } from "./card";

/** A public model the library can download once into the user cache (ONNX Model Zoo). */
export interface RegistryEntry {
  readonly url: string;
  /**
   * Size in bytes (exact where the zoo lists it, else rounded from its listing): the progress
   * hint, and the download cap ({@link DOWNLOAD_CAP} × this). The sha256 is what is checked.
   */
  readonly bytes?: number;
  readonly sha256: string;
  readonly labelsUrl: string;
  readonly labelsSha256: string;
  /** Size of the labels file in bytes. */
  readonly labelsBytes?: number;
  /** The card written next to the download. */
  readonly card: Omit<ModelCard, "sha256" | "file" | "labels">;
}

/** Where the registry's files live: the ONNX Model Zoo's classification folder. */
export const REGISTRY_BASE_URL = "https://github.com/onnx/models/raw/main/validated/vision/classification";
const ZOO = REGISTRY_BASE_URL;
const SYNSET = { labelsUrl: `${ZOO}/synset.txt`, labelsSha256: "acf75ef0abe89694b19056e0796401068b459c457baa30335f240c7692857355", labelsBytes: 31_675 };

/** A download may be at most this many times the registry's size (headers and mirrors vary a little; a server sending more is refused). */
export const DOWNLOAD_CAP = 1.1;

/** Downloads with no size in the registry are capped at this many bytes. */
export const DEFAULT_DOWNLOAD_CAP_BYTES = 500_000_000;

/**
 * A registry URL moved onto another base (a mirror, or a local server in tests): the part after
 * {@link REGISTRY_BASE_URL} is kept. Undefined or empty `base` keeps the zoo's URL.
 */
export function registryUrl(url: string, base: string | undefined): string {
  if (!base || !url.startsWith(REGISTRY_BASE_URL)) return url;
  return `${base.replace(/\/+$/, "")}${url.slice(REGISTRY_BASE_URL.length)}`;
}
const IMAGENET_NORM = {
  size: [224, 224] as const,
  resize: "shorter-side-256-center-crop" as const,
  channels: "RGB" as const,
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406] as const,
  std: [0.229, 0.224, 0.225] as const,
  outputKind: "logits" as const,
};

/** Built-in registry: names usable with `loadModel(name)` when no local card is found. */
export const MODEL_REGISTRY: Readonly<Record<string, RegistryEntry>> = {
  "mobilenetv2-12-int8": {
    url: `${ZOO}/mobilenet/model/mobilenetv2-12-int8.onnx`,
    bytes: 3_655_033,
    sha256: "cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f",
    ...SYNSET,
    card: { name: "mobilenetv2-12-int8", input: "input", output: "output", ...IMAGENET_NORM },
  },
  "mobilenetv2-12": {
    url: `${ZOO}/mobilenet/model/mobilenetv2-12.onnx`,
    bytes: 13_964_571,
    sha256: "c0c3f76d93fa3fd6580652a45618618a220fced18babf65774ed169de0432ad5",
    ...SYNSET,
    card: { name: "mobilenetv2-12", input: "input", output: "output", ...IMAGENET_NORM },
  },
  "squeezenet1.1-7": {
    url: `${ZOO}/squeezenet/model/squeezenet1.1-7.onnx`,
    bytes: 4_956_208,
    sha256: "1eeff551a67ae8d565ca33b572fc4b66e3ef357b0eb2863bb9ff47a918cc4088",
    ...SYNSET,
    card: { name: "squeezenet1.1-7", input: "data", output: "squeezenet0_flatten0_reshape0", ...IMAGENET_NORM },
  },
  "resnet18-v1-7": {
    url: `${ZOO}/resnet/model/resnet18-v1-7.onnx`,
    bytes: 46_800_000, // "46.8 MB" in the zoo's listing; the cap leaves 10 % room
    sha256: "4e8f8653e7a2222b3904cc3fe8e304cd8b339ce1d05fd24688162f86fb6df52c",
    ...SYNSET,
    card: { name: "resnet18-v1-7", input: "data", output: "resnetv15_dense0_fwd", ...IMAGENET_NORM },
  },
};
