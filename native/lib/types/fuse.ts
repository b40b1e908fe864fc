/**
 * Native FUSE calls (implemented in src/fuse.cc). Requests are read with an `FdPoller` in
 * datagram mode (one read() of /dev/fuse = one request); messages are parsed and built in
 * TypeScript (@devfs/fuse). Errors carry `code`, `errno`, `syscall` (and `path`).
 */
export interface FuseBinding {
  /** open("/dev/fuse", O_RDWR|O_CLOEXEC|O_NONBLOCK): the fd a server reads requests from. */
  fuseOpenDevice(): number;
  /**
   * mount("devfs", target, fstype, MS_NODEV|MS_NOSUID, data) — root only (EPERM otherwise).
   * `data` carries `fd=N,rootmode=40000,user_id=..,group_id=..[,allow_other][,max_read=..]`.
   */
  fuseMount(target: string, fstype: string, data: string): void;
  /** umount2(target, MNT_DETACH|UMOUNT_NOFOLLOW): lazy, never waits for the server. */
  fuseUnmount(target: string): void;
  /**
   * recvmsg(sock) of one message carrying one fd (SCM_RIGHTS, received O_CLOEXEC and set
   * O_NONBLOCK): how fusermount3 hands over the /dev/fuse fd. EAGAIN when nothing waits,
   * ENOMSG when the message carried no fd.
   */
  fuseRecvFd(sock: number): number;
  /**
   * ioctl(FUSE_DEV_IOC_BACKING_OPEN): registers `fileFd` as a passthrough backing file of the
   * connection `devFd` (FUSE_PASSTHROUGH negotiated, CAP_SYS_ADMIN); returns its backing id.
   */
  fuseBackingOpen(devFd: number, fileFd: number): number;
  /** ioctl(FUSE_DEV_IOC_BACKING_CLOSE): releases a backing id. */
  fuseBackingClose(devFd: number, id: number): void;
  /** One writev(2) of up to 16 buffers (one FUSE reply or notification); returns bytes written. */
  fuseWritev(fd: number, buffers: Uint8Array[]): number;
}
