/** What every request handler sees: the caller's credentials, its mount, its open files. */
import type { Cred, DevEvent, DevFile, Host, Mount } from '@devfs/core';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { PtySessions } from './pty-sessions';
import type { AccessConfig } from './config';
import type { ReloadResult } from './reload';

/** Daemon-wide state the handlers use. */
export interface DaemonState {
  host: Host;
  access: AccessConfig;
  /** Last events, newest last (for `devfs events` without --follow). */
  recent: DevEvent[];
  ptys: PtySessions;
  version: string;
  /** `devfs reload`: re-reads the config file (rules, event actions, access); see reload.ts. */
  reload?: () => Promise<ReloadResult>;
}

/** One client connection. */
export interface Session {
  readonly id: number;
  readonly cred: Cred;
  readonly pid: number;
  /** The mount this client's requests go to. */
  mount: Mount;
  readonly files: Map<number, DevFile>;
  nextFd: number;
  readonly conn: MessageConnection;
  /** Unsubscribe from the event stream (events --follow). */
  unsubscribe?: () => void;
  /**
   * Sends a notification to this client; false (and nothing thrown) when the client is gone, its
   * connection disposed, or it stopped reading (then it is disconnected). Every daemon-to-client
   * notification goes through here.
   */
  notify(method: string, params: unknown): boolean;
  /** Disconnects the client: closes its files, hangs up its ptys, closes the socket. */
  close(): Promise<void>;
  readonly state: DaemonState;
}
