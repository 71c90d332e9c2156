/**
 * How well a predicted region covers a dataset's target boxes, both in pixels of the original
 * image: the share of the target inside the region (containment) and their IoU.
 */
import { boxIn, type OriginalBox, type OriginalRect } from './geometry';

const area = (x1: number, y1: number, x2: number, y2: number): number => Math.max(0, x2 - x1) * Math.max(0, y2 - y1);

function overlap(rect: OriginalRect, box: OriginalBox): number {
  return area(Math.max(rect.x1, box[0]), Math.max(rect.y1, box[1]), Math.min(rect.x2, box[2]), Math.min(rect.y2, box[3]));
}

/**
 * Share (0-1) of the targets' area that lies inside `region`: the overlap summed over targets over
 * their summed area. A question about two objects (V*'s relative positions) needs both in the
 * crop, so half of each counts as 0.5, not as "one found". Null without targets or when every
 * target is empty.
 */
export function containment(region: OriginalRect, targets: readonly OriginalBox[]): number | null {
  const total = targets.reduce((n, t) => n + area(t[0], t[1], t[2], t[3]), 0);
  if (total <= 0) return null;
  return targets.reduce((n, t) => n + overlap(region, t), 0) / total;
}

/** The smallest box holding every target (what a single crop must cover); null without targets. */
export function enclosingBox(targets: readonly OriginalBox[]): OriginalBox | null {
  if (!targets.length) return null;
  return boxIn('original', [Math.min(...targets.map((t) => t[0])), Math.min(...targets.map((t) => t[1])), Math.max(...targets.map((t) => t[2])), Math.max(...targets.map((t) => t[3]))]);
}

/** Intersection over union (0-1) of `region` and the box enclosing the targets; null without targets. */
export function regionIoU(region: OriginalRect, targets: readonly OriginalBox[]): number | null {
  const target = enclosingBox(targets);
  if (!target) return null;
  const inter = overlap(region, target);
  const union = area(region.x1, region.y1, region.x2, region.y2) + area(target[0], target[1], target[2], target[3]) - inter;
  return union > 0 ? inter / union : null;
}
