/**
 * Listening on the control socket. An existing path is probed first: if a daemon answers, we
 * refuse (EADDRINUSE); if nothing listens (ECONNREFUSED: a crashed daemon's stale socket) it is
 * removed and replaced; a path that is not a socket is never removed (EEXIST).
 */
import * as fs from 'fs';
import * as net from 'net';
import { devfsError } from '@devfs/core';

/** Resolves true when something accepts connections on `file`. */
export function probeSocket(file: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(file);
    const t = setTimeout(() => { s.destroy(); resolve(true); }, timeoutMs);
    s.once('connect', () => { clearTimeout(t); s.destroy(); resolve(true); });
    s.once('error', () => { clearTimeout(t); resolve(false); });
  });
}

/** Listens on `file` (mode 0666: anyone may connect; permissions are checked per request). */
export async function listenUnix(server: net.Server, file: string): Promise<{ replacedStale: boolean }> {
  let replacedStale = false;
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(file);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw devfsError((err as { code: string }).code, 'listen', file);
  }
  if (st) {
    if (!st.isSocket()) throw devfsError('EEXIST', 'listen', file, `${file} exists and is not a socket; not replacing it`);
    if (await probeSocket(file)) throw devfsError('EADDRINUSE', 'listen', file, `another devfs daemon is already listening on ${file}`);
    fs.unlinkSync(file);
    replacedStale = true;
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(devfsError((err as { code?: string }).code ?? 'EIO', 'listen', file, err.message));
    server.once('error', onError);
    server.listen(file, () => { server.off('error', onError); resolve(); });
  });
  fs.chmodSync(file, 0o666);
  return { replacedStale };
}
