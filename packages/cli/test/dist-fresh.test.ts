/**
 * The CLI tests run dist/bin.js, so dist/ must be what the sources say: Jest's globalSetup runs the
 * incremental build (test-support/build-first.js) before any test. This checks its result for the
 * CLI and every project it references (what `tsc -b` builds for it): each project's build record
 * (tsconfig.tsbuildinfo, which `tsc -b` refreshes when it builds or finds the outputs current) is
 * not older than any of its sources, and every source has its emitted .js. Were the setup step
 * gone, editing any source of these projects would fail this test.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO } from './helpers';

interface Project { dir: string; src: string; out: string }

/** The project at `dir` and, depth first, every project its tsconfig.json references. */
function projects(dir: string, seen = new Map<string, Project>()): Project[] {
  if (seen.has(dir)) return [...seen.values()];
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: { rootDir: string; outDir: string }; references?: Array<{ path: string }>;
  };
  seen.set(dir, { dir, src: path.join(dir, cfg.compilerOptions.rootDir), out: path.join(dir, cfg.compilerOptions.outDir) });
  for (const r of cfg.references ?? []) projects(path.resolve(dir, r.path), seen);
  return [...seen.values()];
}

/** Every TypeScript source under `dir` (declaration files excluded), relative to it. */
function sources(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
}

const testFresh = process.env.DEVFS_TEST_BIN ? test.skip : test;
if (process.env.DEVFS_TEST_BIN) console.warn(`skipping the dist/ freshness check: DEVFS_TEST_BIN=${process.env.DEVFS_TEST_BIN} runs another build`);

testFresh('dist/ of the CLI and of every project it references is built from the current sources', () => {
  const all = projects(path.join(REPO, 'packages', 'cli'));
  expect(all.map((p) => path.relative(REPO, p.dir)).sort()).toEqual(expect.arrayContaining(['native', 'packages/cli', 'packages/core', 'packages/drivers-pty']));
  const stale: string[] = [];
  for (const p of all) {
    const built = fs.statSync(path.join(p.dir, 'tsconfig.tsbuildinfo')).mtimeMs;
    for (const f of sources(p.src)) {
      const src = path.join(p.src, f);
      if (fs.statSync(src).mtimeMs > built) stale.push(`${path.relative(REPO, src)} is newer than its project's last build`);
      if (!fs.existsSync(path.join(p.out, f.replace(/\.ts$/, '.js')))) stale.push(`${path.relative(REPO, src)} has no emitted .js`);
    }
  }
  expect(stale).toEqual([]);
});
