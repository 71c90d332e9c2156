/**
 * ERGO Lens' pipeline core: pure functions shared by the worker, the UI and Node tests.
 * No DOM, React, worker or model-runtime imports anywhere below this folder.
 */
export { boxIn, type Box, type CoarseBox, type Frame, type NormBox, type OriginalBox, type OriginalRect, type ScreenBox, type Size } from './geometry';
export { roundHalfEven } from './roundHalfEven';
export {
  AspectRatioError,
  budgetPixels,
  DEFAULT_BUDGET,
  ergoSmartResize,
  MAX_ASPECT_RATIO,
  MIN_PIXELS,
  PATCH_FACTOR,
  QWEN_MAX_TOKENS,
  qwenSmartResize,
  type ResizeOptions,
} from './resize';
export { attentionBytesPerHead, directCost, ergoCost, ergoImageCost, fullImageCost, rectSize, visionTokens, type DirectCost, type ErgoCost, type TokenizedSize } from './tokens';
export { parseZoom, parseZoomBox, type ZoomNumbers, type ZoomParse } from './zoomBox';
export { coarseToNorm, normToCoarse } from './normBox';
export { cropRect } from './crop';
export { zoomRegion, zoomToCoarse, type BoxConvention, type ZoomRegion } from './zoomRegion';
export { answerText, choiceLetters, extractAnswer, scoreChoice } from './answer';
export { containment, enclosingBox, regionIoU } from './regionMetrics';
export {
  ERGO_DEMO_PROMPTS,
  ERGO_PROMPTS,
  HRBENCH_POSTFIX,
  promptsFor,
  VSTAR_POSTFIX,
  type ErgoPrompts,
  type FineTextVariant,
} from './prompts';
export {
  benchmarkCoarseMessages,
  benchmarkFineMessages,
  choiceFineQuestion,
  itemFineQuestion,
  coarseTurnMessages,
  directTurnMessages,
  fineTurnMessages,
  type ChatMessage,
  type ChoiceQuestion,
  type ContentPart,
} from './messages';
export { ResampleError, resizeRGBA, type ResampleErrorCode, type ResampleFilter, type RgbaPixels } from './resample';
