/**
 * The devfs daemon: a plugin host (pty, tap and disk drivers by default, plus --driver plugins),
 * the configured rules and event-action files, the mounts (default `root`, and `jail` with
 * devfsrules_jail), and a Unix control socket anyone may connect to — each request runs with the
 * peer's SO_PEERCRED credentials against the mount the config maps that user to.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { createHost, devfsError } from '@devfs/core';
import type { DevEvent, DriverSpec, Host } from '@devfs/core';
import { DaemonConfig, DEFAULT_MOUNTS, limitsOf } from './config';
import { driverList, pluginPaths } from './builtin';
import type { DriverEntry } from './driver-specs';
import { listenUnix, UnixListener } from './listen';
import { reloadConfig, ReloadResult } from './reload';
import { acceptConnection, Gate } from './connection';
import { Admission } from './admission';
import { stdoutLog } from './log';
import { throttledLog } from './throttle';
import { IdleCollector } from './idle-gc';
import { SharedBudget } from '../protocol/guard';
import { escapeControl } from '../escape';
import type { DaemonState, Session } from './context';
import { allHandlers } from './handlers';
import { PtySessions } from './pty-sessions';
import { formatEvent } from '../client/format';
import { startExport } from './fuse-export';
import type { FuseExport } from '@devfs/fuse';

/** Options of startDaemon. */
export interface DaemonOptions {
  config: DaemonConfig;
  socket: string;
  /** Extra plugins (--driver, and --driver-isolated as `{ module, isolate: true }`), loaded after the configured ones. */
  drivers?: DriverEntry[];
  /** Mount the FUSE export here (`--fuse DIR`; wins over the config's "fuse"). */
  fuse?: string;
  /** Export only this mount, cached (`--fuse-mount NAME`; wins over the config's "fuseMount"). */
  fuseMount?: string;
  /** The config file `config` came from (`devfs reload` reads it again). */
  configFile?: string;
  /** Where the daemon's lines go (default: stdout, surviving EPIPE). Lines arrive escaped (src/escape.ts). */
  log?: (line: string) => void;
}

/** A running daemon. */
export interface Daemon {
  host: Host;
  socket: string;
  /** Clean shutdown: stop listening, disconnect clients, hang up ptys, detach drivers, flush events, remove the socket. Idempotent. */
  close(): Promise<void>;
  /** `devfs reload` / SIGHUP: re-reads the config file (reload.ts); rejects, changing nothing, on a bad file. */
  reload(): Promise<ReloadResult>;
}

const RECENT = 256;

/** Starts the daemon; rejects (and leaves nothing behind) when the socket is taken or the config is bad. */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const sink = opts.log ?? stdoutLog();
  const log = (l: string) => sink(escapeControl(l));
  const cfg = opts.config;
  const host = await createHost({
    drivers: driverList(cfg.drivers, opts.drivers ?? []) as DriverSpec[], options: cfg.options ?? {}, paths: pluginPaths(),
    onError: (f) => log(`plugin ${f.plugin}${f.driver ? ` (driver ${f.driver})` : ''} failed: ${f.error.message}`),
  });
  const sessions = new Set<Session>();
  const recent: DevEvent[] = [];
  let offEvents: (() => void) | undefined;
  let listener: UnixListener | undefined;
  let fuse: FuseExport | undefined;
  try {
    for (const f of cfg.rules ?? []) host.kernel.rules.load(fs.readFileSync(f, 'utf8'), f);
    for (const f of cfg.events ?? []) host.kernel.events.loadConfig(fs.readFileSync(f, 'utf8'), f);
    for (const m of cfg.mounts ?? DEFAULT_MOUNTS) host.kernel.mount(m);
    // LOOKUP (a miss) and CHANGE (a chmod of one's own device) are events any client causes at
    // will: their log lines share one budget each (delivery to subscribers and actions is not
    // throttled); the rest come from bounded things (devices made and destroyed) and all log.
    const eventLog = throttledLog(log, 200, 50);
    offEvents = host.kernel.events.on((e) => {
      recent.push(e);
      if (recent.length > RECENT) recent.shift();
      const line = `event ${formatEvent(e)}`;
      if (e.type === 'LOOKUP' || e.type === 'CHANGE') eventLog(`event ${e.type}`, line);
      else log(line);
    });
    const limits = limitsOf(cfg);
    const state: DaemonState = { host, access: cfg.access ?? {}, recent, ptys: new PtySessions(host, limits.ptysPerUser), version: cliVersion() };
    let reloading: Promise<unknown> = Promise.resolve();
    const reload = state.reload = () => {
      const run = reloading.then(() => reloadConfig(opts.configFile, cfg, host, state)).then((r) => {
        log(`reloaded ${r.file}: rules ${r.rules.length}, event files ${r.events.length}${r.access ? ', access changed' : ''}${r.needRestart.length ? `; needs a restart to apply: ${r.needRestart.join(', ')}` : ''}`);
        return r;
      }, (err: Error) => {
        log(`reload failed, the running config stays: ${err.message}`);
        throw err;
      });
      reloading = run.catch(() => undefined);
      return run;
    };
    const clientLog = throttledLog(log);
    const gate: Gate = {
      state, handlers: allHandlers(), sessions, limits, admission: new Admission(limits), budget: new SharedBudget(limits.pendingFrameBytes),
      log: (uid, line) => (uid < 0 ? log(line) : clientLog(uid, line)),
    };
    const sockets = new Set<net.Socket>();
    const collector = new IdleCollector();
    // accept() failing (EMFILE/ENFILE when the fds are gone) is not the end of the daemon
    const acceptLog = throttledLog(log, 5, 0.2);
    // allowHalfOpen: a pty client's half-close is its stdin's EOF, not the end of its output
    const { listener: l, replacedStale } = await listenUnix(opts.socket, {
      connection: (sock, peer) => {
        collector.note();
        sockets.add(sock);
        sock.once('close', () => sockets.delete(sock));
        acceptConnection(sock, peer, gate);
      },
      error: (err) => acceptLog(-1, (err as { syscall?: string }).syscall === 'getsockopt'
        ? `connection refused: cannot read peer credentials (${err.message})` : `accept failed: ${err.message}`),
    }, { allowHalfOpen: true });
    listener = l;
    if (replacedStale) log(`replaced a stale socket at ${opts.socket} (no daemon answered on it)`);
    for (const d of host.drivers) {
      const pl = host.plugins.find((p) => p.drivers.includes(d));
      const note = d.unavailable;
      log(`attached driver ${d.name} (${pl?.name ?? '?'}${pl?.version ? ` ${pl.version}` : ''})${d.isolation ? ' isolated' : ''}${note ? ` — no nodes: ${note.message}` : ''}`);
    }
    for (const m of host.kernel.mounts) log(`mount ${m.name}${m.ruleset ? ` ruleset ${m.ruleset}` : ''}${m.jail ? ' jail' : ''}`);
    const fuseDir = opts.fuse ?? cfg.fuse;
    const fuseOnly = opts.fuseMount ?? cfg.fuseMount;
    if (fuseOnly !== undefined && fuseDir === undefined) throw devfsError('EINVAL', 'daemon', fuseOnly, '--fuse-mount needs --fuse DIR');
    if (fuseDir !== undefined) fuse = await startExport({ kernel: host.kernel, dir: fuseDir, access: cfg.access ?? {}, only: fuseOnly, log });
    log(`listening on ${opts.socket}`);
    let closing: Promise<void> | undefined;
    const close = () => (closing ??= (async () => {
      await fuse?.close();
      listener?.close();
      collector.close();
      await Promise.all([...sessions].map((s) => s.close()));
      await state.ptys.closeAll();
      for (const sock of sockets) sock.destroy(); // data connections, and any not yet a session
      await host.close();
      await host.kernel.events.flush();
      offEvents?.();
      try { fs.unlinkSync(opts.socket); } catch { /* already gone */ }
    })());
    return { host, socket: opts.socket, close, reload };
  } catch (err) {
    offEvents?.();
    await fuse?.close();
    if (listener) {
      listener.close();
      try { fs.unlinkSync(opts.socket); } catch { /* gone */ }
    }
    await host.close();
    throw err;
  }
}

function cliVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    throw devfsError('EIO', 'daemon', 'package.json', 'cannot read the @devfs/cli version');
  }
}
