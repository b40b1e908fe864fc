/**
 * Whose code a privileged host runs. A plugin is code the host executes with its own rights, so a
 * host running as root (the daemon) loads a plugin file only when nobody but root — or the host's
 * own uid — could have written it: the file and every directory above it must be owned by uid 0
 * or the host's uid and not be writable by group or others. A directory writable by others with
 * the sticky bit (like /tmp) is allowed: others can add entries there but cannot replace ours.
 * This is sshd's StrictModes applied to plugin code; it stops `/tmp/node_modules/@devfs/…` planted
 * by another user from being loaded by a root daemon started in /tmp.
 */
import * as fs from 'fs';
import * as path from 'path';
import { devfsError } from '../errors';

const S_ISVTX = 0o1000;

/** Why `file` is not trusted for a host running as `uid`, or null when it is. */
export function untrustedReason(file: string, uid: number): string | null {
  for (let p = path.resolve(file); ; p = path.dirname(p)) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (err) {
      return `cannot stat ${p}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`;
    }
    if (st.uid !== 0 && st.uid !== uid) return `${p} is owned by uid ${st.uid}`;
    const sticky = st.isDirectory() && (st.mode & S_ISVTX) !== 0;
    if ((st.mode & 0o020) !== 0 && !sticky) return `${p} is writable by its group`;
    if ((st.mode & 0o002) !== 0 && !sticky) return `${p} is writable by others`;
    if (path.dirname(p) === p) return null;
  }
}

/**
 * Throws EPERM when the host runs as root and `file` could have been written by another user.
 * Does nothing for an unprivileged host (it can only run code with its own rights).
 */
export function assertTrustedPlugin(file: string, name: string): void {
  const euid = process.geteuid?.() ?? -1;
  if (euid !== 0) return;
  const why = untrustedReason(fs.realpathSync(file), euid);
  if (why) throw devfsError('EPERM', 'plugin.load', name, `refusing to load plugin '${name}' as root from ${file}: ${why}`);
}
