/**
 * Delete lines of programs written as text while a difference holds: what a failing differential
 * test prints instead of the whole random program. `differs` says no for what no longer
 * assembles or verifies, so the deletions keep a program that runs.
 */
export function shrinkLines(texts: readonly string[], differs: (texts: string[]) => boolean, maxTries = 3000): string[] {
  let cur = texts.map((t) => t.split('\n'));
  let tries = 0;
  for (let changed = true; changed && tries < maxTries;) {
    changed = false;
    for (let k = 0; k < cur.length; k++) {
      // From the end: a deletion shifts only the lines after it, already tried.
      for (let i = cur[k]!.length - 1; i >= 0 && tries < maxTries; i--) {
        if (i >= cur[k]!.length) continue;
        const cand = cur.map((l, j) => (j === k ? [...l.slice(0, i), ...l.slice(i + 1)] : l));
        tries++;
        if (differs(cand.map((l) => l.join('\n')))) {
          cur = cand;
          changed = true;
        }
      }
    }
  }
  return cur.map((l) => l.join('\n'));
}
