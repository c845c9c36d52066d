import { rise, RISE_PARAMS } from "../baselines/rise";
import { baselineControl, mapMethod } from "./common";

/** RISE (Petsiuk et al. 2018): random masks, saliency = score-weighted mask average. */
export const RISE = mapMethod(
  { name: "rise", title: "RISE (randomised input sampling)", paper: "Petsiuk et al. 2018, RISE, eq. 6", params: RISE_PARAMS, usesDivision: false },
  async (model, image, o, request) => ({ map: await rise(model, image, { ...o, ...baselineControl(request) }) }),
);
