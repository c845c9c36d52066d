import path from "node:path";

/** ../shared beside the repository (or $LIMA_XAI_SHARED). */
export const SHARED = process.env.LIMA_XAI_SHARED ?? path.resolve(process.cwd(), "../shared");
export const MODELS = path.join(SHARED, "data/models");
export const PHOTOS = path.join(SHARED, "data/images/photos");
export const IMAGENET = path.join(SHARED, "data/images/imagenet");
export const REPO = process.cwd();
