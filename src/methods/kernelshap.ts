import { kernelShap, KERNELSHAP_PARAMS } from "../baselines/kernelshap";
import { baselineControl, mapMethod, requestDivision } from "./common";

/** Kernel SHAP (Lundberg & Lee 2017) on the regions: Shapley values from a kernel-weighted fit. */
export const KERNELSHAP = mapMethod(
  { name: "kernelshap", title: "Kernel SHAP (regions)", paper: "Lundberg & Lee 2017, Theorem 2", params: KERNELSHAP_PARAMS, usesDivision: true },
  async (model, image, o, request) => {
    const division = requestDivision(image, request);
    return { map: await kernelShap(model, image, { ...o, division, ...baselineControl(request) }), division };
  },
);
