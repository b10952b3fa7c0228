// js-yaml gives no positions for values, yet every problem must say `file:line`: the line of a
// dotted key is found by following indentation, which is how block YAML nests.

// The 1-based line of `keys` (e.g. ['gravity', 'gunicorn', 'bind']), or of the deepest one found; 0 if none
export function lineOfKey(text: string, keys: readonly string[]): number {
  const lines = text.split('\n');
  let found = 0;
  let from = 0;
  let parentIndent = -1;
  for (const key of keys) {
    const pattern = new RegExp(`^(\\s*)(?:-\\s+)?["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`);
    let hit = -1;
    for (let i = from; i < lines.length; i++) {
      const line = lines[i] ?? '';
      const indent = line.search(/\S/);
      if (indent === -1 || line.trimStart().startsWith('#')) continue;
      if (indent <= parentIndent) break;
      const m = pattern.exec(line);
      if (m && (m[1] ?? '').length > parentIndent) {
        hit = i;
        parentIndent = (m[1] ?? '').length;
        break;
      }
    }
    if (hit === -1) return found;
    found = hit + 1;
    from = hit + 1;
  }
  return found;
}
