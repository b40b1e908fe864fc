/** daemon.reload and rules.load (root only: both change what every client sees). */
import { devfsError } from '@devfs/core';
import { M } from '../../protocol/methods';
import { MAX_IO_BYTES } from '../../protocol/limits';
import { obj, str } from '../../protocol/validate';
import type { Handlers } from './types';
import { privileged } from './visibility';
import type { Session } from '../context';

function rootOnly(s: Session, what: string): void {
  if (!privileged(s)) throw devfsError('EPERM', what, undefined, `only root may ${what === M.reload ? 'reload the daemon' : 'load rules'}`);
}

/** Handlers of daemon.reload and rules.load. */
export function reloadHandlers(): Handlers {
  return {
    [M.reload]: async (s) => {
      rootOnly(s, M.reload);
      if (!s.state.reload) throw devfsError('ENOSYS', M.reload, undefined, 'this daemon cannot reload');
      return s.state.reload();
    },
    [M.ruleLoad]: (s, p) => {
      rootOnly(s, M.ruleLoad);
      const o = obj(p, M.ruleLoad);
      const text = str(o, 'text', M.ruleLoad, { max: MAX_IO_BYTES, empty: true });
      const source = str(o, 'source', M.ruleLoad, { optional: true, max: 4096 }) ?? '<rule load>';
      s.state.host.kernel.rules.load(text, source); // all or nothing: an error names source:line:column
      return s.state.host.kernel.rules.list().map((n) => (s.state.host.kernel.rules.name(n) ? `${n} ${s.state.host.kernel.rules.name(n)}` : String(n)));
    },
  };
}
