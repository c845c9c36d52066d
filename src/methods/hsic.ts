import { hsicAttribution, HSIC_PARAMS } from "../baselines/hsic";
import { baselineControl, mapMethod } from "./common";

/** HSIC-Attribution (Novello et al. 2022): HSIC between each grid cell's presence and the score. */
export const HSIC = mapMethod(
  { name: "hsic", title: "HSIC-Attribution", paper: "Novello et al. 2022, eq. 5", params: HSIC_PARAMS, usesDivision: false },
  async (model, image, o, request) => ({ map: await hsicAttribution(model, image, { ...o, ...baselineControl(request) }) }),
);
