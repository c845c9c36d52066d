import { occlusion, OCCLUSION_PARAMS } from "../baselines/occlusion";
import { baselineControl, mapMethod } from "./common";

/** Occlusion (Zeiler & Fergus 2014): the mean score drop of the patches covering each pixel. */
export const OCCLUSION = mapMethod(
  { name: "occlusion", title: "Occlusion (sliding patch)", paper: "Zeiler & Fergus 2014, §4.2", params: OCCLUSION_PARAMS, usesDivision: false },
  async (model, image, o, request) => ({ map: await occlusion(model, image, { ...o, ...baselineControl(request) }) }),
);
