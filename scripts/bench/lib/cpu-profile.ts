/**
 * A V8 .cpuprofile (`node --cpu-prof`) in a few lines: where the busy time went by self time, per
 * function and per package / source folder, so a benchmark's profile reads without DevTools.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a script URL belongs: `node_modules/<package>`, `node:<module>`, or the repository folder. */
function ownerOf(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return url;
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const repo = /\/(services|packages|apps)\/([^/]+)\//.exec(url);
  return repo ? `${repo[1]}/${repo[2]}` : url;
}

/** The top `limit` functions and owners by self time (idle and GC listed apart), as printable lines. */
export function summarizeProfile(file: string, limit = 20): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  // The first delta runs from the profile's start time, not from a sample: a profile started late (at
  // SIGWINCH, lib/cpu-profiler-preload.mjs) would charge that whole wait to its first sample.
  profile.samples.forEach((id, i) => i > 0 && self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, number>();
  const owners = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, micros] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') {
      idle += micros;
      continue;
    }
    busy += micros;
    const short = url.replace(/^.*\/(node_modules|services|packages|apps)\//, '$1/');
    const name = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + micros);
    const owner = functionName === '(garbage collector)' ? '(garbage collector)' : ownerOf(url);
    owners.set(owner, (owners.get(owner) ?? 0) + micros);
  }
  const top = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, micros]) => `  ${((100 * micros) / busy).toFixed(1).padStart(5)}%  ${name}`);
  return [
    `busy ${(busy / 1e6).toFixed(1)} s, idle/program ${(idle / 1e6).toFixed(1)} s; self time by owner:`,
    ...top(owners),
    'by function:',
    ...top(functions),
  ].join('\n');
}

// `tsx scripts/bench/lib/cpu-profile.ts FILE...` prints the summary of each profile.
if (import.meta.url === `file://${process.argv[1]}`) for (const file of process.argv.slice(2)) console.log(`${file}\n${summarizeProfile(file)}`);
