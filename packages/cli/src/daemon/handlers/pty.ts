/** pty.spawn / pty.resize / pty.kill (the bytes go over the session's data connection). */
import { devfsError } from '@devfs/core';
import { M } from '../../protocol/methods';
import { int, obj, str, stringMap, strings } from '../../protocol/validate';
import type { Handlers } from './types';

/** Handlers of pty.*. */
export function ptyHandlers(): Handlers {
  return {
    [M.ptySpawn]: (s, p) => {
      const o = obj(p, M.ptySpawn);
      const channel = str(o, 'channel', M.ptySpawn, { max: 64 });
      if (!/^[0-9a-f]{32}$/.test(channel)) throw devfsError('EINVAL', M.ptySpawn, undefined, "'channel' must be 32 hex digits");
      return s.state.ptys.spawn(s, {
        channel,
        file: str(o, 'file', M.ptySpawn),
        args: strings(o, 'args', M.ptySpawn, 4096),
        cols: int(o, 'cols', M.ptySpawn, 1, 65535),
        rows: int(o, 'rows', M.ptySpawn, 1, 65535),
        env: stringMap(o, 'env', M.ptySpawn),
        cwd: str(o, 'cwd', M.ptySpawn, { optional: true }),
      });
    },
    [M.ptyResize]: (s, p) => {
      const o = obj(p, M.ptyResize);
      s.state.ptys.resize(s, int(o, 'session', M.ptyResize, 1, 2 ** 31), int(o, 'cols', M.ptyResize, 1, 65535), int(o, 'rows', M.ptyResize, 1, 65535));
      return null;
    },
    [M.ptyKill]: (s, p) => {
      const o = obj(p, M.ptyKill);
      const sig = str(o, 'signal', M.ptyKill, { max: 16 });
      if (!/^(SIG)?[A-Z0-9]+$/.test(sig)) throw devfsError('EINVAL', M.ptyKill, sig, 'bad signal name');
      s.state.ptys.kill(s, int(o, 'session', M.ptyKill, 1, 2 ** 31), sig);
      return null;
    },
  };
}
