/**
 * The client loads no addon: `devfs --help`, `devfs ls` (against a socket nobody listens on) and
 * a verb's own help run without loading the native addon, its loader, a driver or the daemon
 * (a preload reports every such module left in require.cache at exit). The daemon verb does load
 * them, as the control. Runs the built dist/bin.js, like every CLI test.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BIN } from './helpers';

const PRELOAD = path.join(__dirname, 'fixtures', 'report-loaded.js');

/** Runs the client with `args`; returns its status and the forbidden modules it loaded. */
function run(args: string[]): { status: number | null; loaded: string[]; stderr: string } {
  const r = spawnSync(process.execPath, ['-r', PRELOAD, BIN, ...args], {
    encoding: 'utf8', timeout: 20000, stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const report = (r.output[3] as string | null) ?? '';
  return { status: r.status, loaded: report ? JSON.parse(report) as string[] : [], stderr: r.stderr };
}

test('--help, ls against a dead socket and a verb help load no addon, driver or daemon', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-light-'));
  try {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.loaded).toEqual([]);
    const ls = run(['--socket', path.join(dir, 'none.sock'), 'ls']);
    expect(ls.status).not.toBe(0);                       // nobody listens: a one-line error
    expect(ls.stderr).toMatch(/^devfs: (ENOENT|ECONNREFUSED)/);
    expect(ls.loaded).toEqual([]);
    const verbHelp = run(['md', '--help']);
    expect(verbHelp.status).toBe(0);
    expect(verbHelp.loaded).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the control: the daemon verb loads the daemon and the addon', () => {
  const r = run(['daemon', '--config', '/nonexistent/devfs-config.json']); // fails early, after loading
  expect(r.status).not.toBe(0);
  expect(r.loaded.some((f) => /[\\/]daemon[\\/]/.test(f))).toBe(true);
});
