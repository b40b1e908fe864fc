import { loadAddon } from './load';
import type { InodeBinding } from './types/inodes';
import type { FdioBinding } from './types/fdio';
import type { PtyBinding } from './types/pty';
import type { TapBinding } from './types/tap';
import type { SockBinding } from './types/sock';
import type { AcceptorBinding } from './types/acceptor';
import type { FuseBinding } from './types/fuse';
import type { ShmBinding } from './types/shm';

export * from './types/inodes';
export * from './types/fdio';
export * from './types/pty';
export * from './types/tap';
export * from './types/sock';
export * from './types/acceptor';
export * from './types/fuse';
export * from './types/shm';
export * from './inodes';
export { candidatePaths } from './load';

/** Everything the addon exports, typed per concern. */
export type NativeBinding = InodeBinding & FdioBinding & PtyBinding & TapBinding & SockBinding & AcceptorBinding & FuseBinding & ShmBinding;

/** The loaded addon (one per JS thread; the inode table behind it is process-global). */
export const native: NativeBinding = loadAddon<NativeBinding>();
