/** Credentials of a Unix-socket peer, as the kernel recorded them at connect() time. */
export interface PeerCred {
  pid: number;
  uid: number;
  gid: number;
}

/** Native sock calls (implemented in src/sock.cc). Errors carry `code`, `errno`, `syscall`. */
export interface SockBinding {
  /**
   * getsockopt(SO_PEERCRED) on a connected Unix socket fd. ENOTSOCK / EBADF otherwise. A
   * listening server gets its clients' credentials with each connection from `UnixAcceptor`.
   */
  peerCred(fd: number): PeerCred;
  /** socketpair(AF_UNIX, SOCK_SEQPACKET) with O_CLOEXEC|O_NONBLOCK: two message-preserving ends. */
  socketpairSeqpacket(): [number, number];
  /**
   * malloc_trim(0) (src/memory.cc): returns heap that glibc keeps after it was freed to the
   * system. True when something was released; false when nothing was, or not on glibc.
   */
  mallocTrim(): boolean;
  /**
   * V8's low-memory collection (src/memory.cc): a full GC that also shrinks the young generation
   * back from the size a burst of allocation grew it to (a plain `gc()` does not). Call when idle.
   */
  lowMemoryNotification(): void;
  /**
   * mallopt(M_ARENA_MAX, n) (src/memory.cc): caps glibc's per-thread malloc arenas, which are never
   * returned once made. For long-running processes whose native threads come and go; call early.
   * True when glibc accepted it; false elsewhere. EINVAL when n is not an integer ≥ 1.
   */
  mallocArenaMax(n: number): boolean;
  /**
   * mallopt(M_MMAP_THRESHOLD / M_TRIM_THRESHOLD) (src/memory.cc): fixes both (glibc raises them
   * after each large free, and then a thread arena's free top stays resident — malloc_trim does
   * not return it). Allocations of at least `mmapBytes` are mmapped and unmapped when freed; a free
   * arena top above `trimBytes` goes back to the kernel. True when glibc accepted both; false
   * elsewhere. EINVAL when mmapBytes is not 0..32 MiB or trimBytes not 0..1 GiB.
   */
  mallocThresholds(mmapBytes: number, trimBytes: number): boolean;
}
