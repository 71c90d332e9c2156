/**
 * The answer text of a turn, per the ERGO protocol: what lies between the first `<answer>` and the
 * following `</answer>` (or the end when unclosed), stripped; the whole response when there is no
 * `<answer>` or it is empty.
 */
export function extractAnswer(response: string): string {
  const open = response.indexOf('<answer>');
  if (open < 0) return response;
  const start = open + '<answer>'.length;
  const close = response.indexOf('</answer>', start);
  const inner = response.slice(start, close < 0 ? undefined : close).trim();
  return inner === '' ? response : inner;
}
