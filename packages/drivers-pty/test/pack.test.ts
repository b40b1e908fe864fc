/**
 * Installed like a published package: `pnpm pack` of native, core, the three drivers and the CLI,
 * then `npm i` of the tarballs together into an empty npm project (no workspace; third-party
 * dependencies from the registry; the addon compiles at install with cmake-js), where a pty spawn
 * and a kernel round trip run from CommonJS and ESM, and a strict TypeScript file using node-pty's
 * type names type-checks. `npm i -g --prefix` of the tarballs gives a working `devfs` command.
 * Needs the dist builds (`pnpm run build:ts`), npm, cmake, g++ and the registry; ~1.5–2 min.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeHost, needTool } from '../../../test-support/host';

const ROOT = path.resolve(__dirname, '../../..');
/** The published packages of the workspace (native, packages/*; not the private ones). */
function publishedPackages(): string[] {
  const dirs = ['native', ...fs.readdirSync(path.join(ROOT, 'packages')).map((d) => `packages/${d}`)];
  return dirs.filter((d) => {
    const file = path.join(ROOT, d, 'package.json');
    if (!fs.existsSync(file)) return false;
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; private?: boolean };
    return m.name?.startsWith('@devfs/') === true && m.private !== true;
  });
}

/** The packages a library user installs: the addon, the kernel side and the drivers. */
const LIBRARY = ['native', 'core', 'drivers-pty', 'drivers-tap', 'drivers-disk'];

/** Our environment without pnpm's/npm's per-run settings, with the addon built against /usr's headers. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|pnpm_|PNPM_)/i.test(k)) env[k] = v;
  env.npm_config_nodedir = '/usr';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  env.npm_config_update_notifier = 'false';
  return env;
}

function run(cmd: string, args: string[], cwd: string, timeout = 180_000): string {
  return execFileSync(cmd, args, { cwd, env: npmEnv(), encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The version of a workspace dev tool, so that npm can take it from its cache. */
function workspaceVersion(name: string): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The spawn and kernel round trip, after the lines that import spawn, PtyDriver, TIOCGPTN, createKernel. */
const ROUND_TRIP = `
const out = {};
const p = spawn('sh', ['-c', 'echo "pty-$((6*7))"; tty'], { env: { PATH: '/usr/bin:/bin' } });
let text = '';
p.onData((d) => { text += d; });
p.onExit(async (e) => {
  out.spawn = { text, exitCode: e.exitCode, ptsName: p.ptsName };
  const kernel = createKernel();
  const driver = new PtyDriver(kernel);
  driver.attach();
  const dev = kernel.mount({ name: 'root' });
  const user = { uid: 1000, gid: 1000 };
  const master = await dev.open('ptmx', 'r+', user);
  const n = await master.ioctl(TIOCGPTN);
  const slave = await dev.open('pts/' + n, 'r+', user);
  await slave.write(Buffer.from('hello\\n'));
  const buf = Buffer.alloc(64);
  out.kernel = { pts: 'pts/' + n, read: buf.toString('utf8', 0, await master.read(buf)) };
  await slave.close();
  await master.close();
  await driver.detach();
  console.log(JSON.stringify(out));
});
`;

/** A strict TypeScript user of the packages, switched from node-pty by its import line only. */
const TS_USER = `
import * as pty from '@devfs/drivers-pty';
import type { IDisposable, IEvent, IExitEvent, IPty, IPtyForkOptions, IWindowsPtyForkOptions } from '@devfs/drivers-pty';
import { createKernel } from '@devfs/core';

const opts: IPtyForkOptions = { name: 'xterm-color', cols: 80, rows: 30, cwd: process.env.HOME, env: process.env };
const win: IWindowsPtyForkOptions = { useConpty: false };
const term: IPty = pty.spawn('sh', [], opts);
const onData: IEvent<string> = term.onData;
const sub: IDisposable = onData((data: string) => process.stdout.write(data));
term.onExit((e: IExitEvent) => {
  const code: number = e.exitCode;
  const signal: number | undefined = e.signal;
  sub.dispose();
  console.log(code, signal, e.error?.code);
});
term.resize(100, 40);
term.write('exit\\r');
pty.spawn(undefined, undefined, win).kill();
const raw = pty.spawn('true', [], { encoding: null });
raw.onData((b: Buffer) => b.length);
const fd: number = (term as pty.Pty).fd;
const pts: string = (term as pty.Pty).ptsName;

async function roundTrip(): Promise<string> {
  const kernel = createKernel();
  const driver = new pty.PtyDriver(kernel);
  driver.attach();
  const dev = kernel.mount({ name: 'root' });
  const master = await dev.open('ptmx', 'r+', { uid: 1000, gid: 1000 });
  const n: unknown = await master.ioctl(pty.TIOCGPTN);
  await master.close();
  await driver.detach();
  return \`pts/\${String(n)} \${fd} \${pts}\`;
}
void roundTrip();
`;

describeHost('packed tarballs installed with npm outside the workspace', [needTool('npm'), needTool('cmake'), needTool('g++'), needTool('tar')], () => {
  let tmp: string;
  let app: string;
  const tarballs: string[] = [];
  /** The tarball of @devfs/NAME. */
  const tarball = (name: string): string => {
    const t = tarballs.find((f) => new RegExp(`^devfs-${name}-\\d`).test(path.basename(f)));
    if (!t) throw new Error(`no tarball of @devfs/${name}`);
    return t;
  };

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-pack-'));
    const dest = path.join(tmp, 'tgz');
    for (const p of publishedPackages()) {
      if (!fs.existsSync(path.join(ROOT, p, 'dist', 'index.js'))) throw new Error(`${p}/dist is missing: run pnpm run build:ts first`);
      const before = new Set(fs.existsSync(dest) ? fs.readdirSync(dest) : []);
      run('pnpm', ['pack', '--pack-destination', dest], path.join(ROOT, p));
      const made = fs.readdirSync(dest).filter((f) => !before.has(f));
      expect(made).toHaveLength(1);
      tarballs.push(path.join(dest, made[0]));
    }
    app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'devfs-pack-app', version: '1.0.0', private: true }));
    run('npm', ['i', '--prefer-offline', ...LIBRARY.map(tarball),
      `typescript@${workspaceVersion('typescript')}`, `@types/node@${workspaceVersion('@types/node')}`], app);
  }, 300_000);

  afterAll(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  test('every published package was packed', () => {
    expect(tarballs.length).toBeGreaterThanOrEqual(6);
    for (const name of [...LIBRARY, 'cli']) expect(() => tarball(name)).not.toThrow();
  });

  test('each tarball holds what runs and builds, no tests, TypeScript sources, tsconfig or local build', () => {
    for (const t of tarballs) {
      const files = run('tar', ['tzf', t], tmp).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
      expect(files).toContain('package.json');
      expect(files).toContain('dist/index.js');
      expect(files).toContain('dist/index.d.ts');
      const unwanted = files.filter((f) => /(^|\/)(test|build|node_modules)\//.test(f) || /tsconfig|CMakeCache|\.tsbuildinfo$|\.map$/.test(f)
        || (/\.ts$/.test(f) && !f.endsWith('.d.ts')) || f.startsWith('lib/'));
      expect(unwanted).toEqual([]);
    }
    for (const name of [...LIBRARY, 'cli']) expect(run('tar', ['tzf', tarball(name)], tmp)).toMatch(/^package\/README\.md$/m);
    const native = run('tar', ['tzf', tarball('native')], tmp);
    expect(native).toMatch(/package\/CMakeLists\.txt/);
    expect(native).toMatch(/package\/src\/spawn\.cc/);
    expect(native).toMatch(/package\/src\/pty\.h/);
    expect(run('tar', ['tzf', tarball('core')], tmp)).toMatch(/package\/rules\/devfs\.rules/);
    const ptyManifest = JSON.parse(run('tar', ['xzOf', tarball('drivers-pty'), 'package/package.json'], tmp)) as { dependencies: object; peerDependencies?: object };
    expect(ptyManifest.dependencies).toEqual({ '@devfs/core': '0.1.0', '@devfs/native': '0.1.0' });
    expect(ptyManifest.peerDependencies).toBeUndefined();
  });

  test('the addon was compiled at install', () => {
    expect(fs.existsSync(path.join(app, 'node_modules/@devfs/native/build/Release/devfs_native.node'))).toBe(true);
  });

  test.each([
    ['CommonJS', 'user.cjs', "const { spawn, PtyDriver, TIOCGPTN } = require('@devfs/drivers-pty');\nconst { createKernel } = require('@devfs/core');\n"],
    ['ESM', 'user.mjs', "import { spawn, PtyDriver, TIOCGPTN } from '@devfs/drivers-pty';\nimport { createKernel } from '@devfs/core';\n"],
  ])('%s: a spawn on a real pty and a kernel round trip through the pty driver', (_kind, file, imports) => {
    fs.writeFileSync(path.join(app, file), imports + ROUND_TRIP);
    const out = JSON.parse(run('node', [file], app, 30_000)) as { spawn: { text: string; exitCode: number; ptsName: string }; kernel: { pts: string; read: string } };
    expect(out.spawn.exitCode).toBe(0);
    expect(out.spawn.text).toBe(`pty-42\r\n${out.spawn.ptsName}\r\n`);
    expect(out.spawn.ptsName).toMatch(/^\/dev\/pts\/\d+$/);
    expect(out.kernel).toEqual({ pts: 'pts/0', read: 'hello\r\n' });
  });

  /** What `tsc --strict --noEmit` reports for `file` in the app ('' when it type-checks). */
  function typeCheck(file: string): string {
    const tsc = path.join(app, 'node_modules/.bin/tsc');
    try {
      run(tsc, ['--strict', '--noEmit', '--target', 'es2022', '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node', file], app, 60_000);
      return '';
    } catch (err) {
      return String((err as { stdout?: string }).stdout) || String(err);
    }
  }

  test('strict TypeScript written for node-pty type-checks against the installed declarations', () => {
    fs.writeFileSync(path.join(app, 'user.ts'), TS_USER);
    expect(typeCheck('user.ts')).toBe('');
    // and the check is real: a wrong type is reported
    fs.writeFileSync(path.join(app, 'wrong.ts'), "import { spawn } from '@devfs/drivers-pty';\nconst n: number = spawn('sh').process;\n");
    expect(typeCheck('wrong.ts')).toMatch(/wrong\.ts\(2,7\): error TS2322/);
  }, 90_000);

  test('npm i -g --prefix of the tarballs gives a working devfs command', () => {
    const prefix = path.join(tmp, 'global');
    run('npm', ['i', '-g', '--prefer-offline', '--prefix', prefix, ...tarballs], tmp, 240_000);
    const bin = path.join(prefix, 'bin', 'devfs');
    const help = run(bin, ['--help'], tmp, 30_000);
    expect(help).toMatch(/^Usage: devfs /);
    expect(help).toMatch(/daemon/);
    // the CLI's own addon was built and loads where the CLI resolves it
    const cli = path.join(prefix, 'lib', 'node_modules', '@devfs', 'cli');
    expect(run('node', ['-p', `typeof require(require.resolve('@devfs/native', { paths: [${JSON.stringify(cli)}] })).native.ptyOpen`], tmp).trim()).toBe('function');
  }, 300_000);
});
