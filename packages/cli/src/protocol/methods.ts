/**
 * The control protocol: JSON-RPC 2.0 requests (vscode-jsonrpc framing) from the `devfs` client to
 * the daemon. Every request runs with the connecting process's credentials (SO_PEERCRED) against
 * the mount the daemon's config assigns to that user. Errors come back as JSON-RPC errors with
 * `data: { code, syscall?, path? }` (code: 'ENOENT', 'EACCES', ...).
 */

/** Method names. */
export const M = {
  hello: 'hello',
  readdir: 'fs.readdir',
  stat: 'fs.stat',
  readlink: 'fs.readlink',
  open: 'fs.open',
  read: 'fs.read',
  write: 'fs.write',
  close: 'fs.close',
  chmod: 'fs.chmod',
  chown: 'fs.chown',
  symlink: 'fs.symlink',
  unlink: 'fs.unlink',
  mknod: 'fs.mknod',
  rule: 'rules.rule',
  ruleset: 'rules.ruleset',
  ruleLoad: 'rules.load',
  reload: 'daemon.reload',
  mounts: 'mounts',
  drivers: 'drivers',
  sysctl: 'sysctl',
  events: 'events.recent',
  subscribe: 'events.subscribe',
  settle: 'events.settle',
  info: 'devices.info',
  trigger: 'devices.trigger',
  mdCreate: 'md.create',
  mdDestroy: 'md.destroy',
  mdList: 'md.list',
  mdResize: 'md.resize',
  mdRescan: 'md.rescan',
  tapCreate: 'tap.create',
  tapDestroy: 'tap.destroy',
  tapList: 'tap.list',
  ptySpawn: 'pty.spawn',
  ptyResize: 'pty.resize',
  ptyKill: 'pty.kill',
} as const;

/** Notifications from the daemon. */
export const N = {
  event: 'events.event',
  ptyExit: 'pty.exit',
} as const;

/** JSON-RPC error code used for every devfs failure (the POSIX code is in `data.code`). */
export const DEVFS_ERROR = -32000;

/** `data` of a devfs JSON-RPC error. */
export interface ErrorData { code: string; syscall?: string; path?: string }

/** What `hello` answers: who the daemon thinks you are and what you see. */
export interface HelloResult { uid: number; gid: number; pid: number; mount: string; version: string }

/** A stat as it travels (DevStat without its methods, plus the type and a symlink's target). */
export interface WireStat {
  ino: number; mode: number; nlink: number; uid: number; gid: number; rdev: number; size: number;
  atimeMs: number; mtimeMs: number; ctimeMs: number; birthtimeMs: number;
  type: 'char' | 'dir' | 'symlink';
  target?: string;
}

/** One readdir entry; `stat` only when asked for (`long`). */
export interface WireDirent { name: string; ino: number; type: 'char' | 'dir' | 'symlink'; stat?: WireStat }

/** md.create parameters (mdconfig -t/-s/-f/-S/-u). */
export interface MdCreateParams { type: 'malloc' | 'vnode'; size?: number; file?: string; sectorSize?: number; unit?: number; readOnly?: boolean; grow?: boolean }

/** pty.spawn parameters. */
export interface PtySpawnParams { file: string; args: string[]; cols: number; rows: number; env?: Record<string, string>; cwd?: string }

/** pty.spawn result: the token to present on the data connection. */
export interface PtySpawnResult { session: number; token: string; pid: number; pts?: string }

/** pty.exit notification. */
export interface PtyExitParams { session: number; exitCode: number; signal: number }
