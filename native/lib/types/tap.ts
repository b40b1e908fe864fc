/** A tap interface opened on /dev/net/tun: the fd (O_CLOEXEC|O_NONBLOCK) and the interface name. */
export interface TunHandle { fd: number; name: string }

/** One link event of the netlink watcher ('change': IFF_UP or IFF_RUNNING of a known tap changed). */
export interface LinkEvent {
  type: 'add' | 'del' | 'change';
  /** Interface name, e.g. 'tap7'. */
  name: string;
  /** Inode the watcher inserted (tag TAP_TAG) and cleared; 0 for claimed names. */
  ino: number;
  /** Slot generation of `ino` (0 for claimed names). */
  gen: number;
  /** Kernel interface index. */
  ifindex: number;
  /** True when the name was claimed by this process (no inode was inserted). */
  claimed: boolean;
  /** ifi_flags of the link (IFF_UP = 1, IFF_RUNNING = 0x40). */
  flags: number;
}

/** A running link watcher thread. */
export interface LinkWatcherHandle {
  /** Stops the thread; every inode it inserted is cleared. Idempotent. */
  stop(): void;
  /** Marks an interface name as this process's own: the watcher reports it but inserts no inode. */
  claim(name: string): void;
  /** Undoes claim(). */
  release(name: string): void;
  /** Keeps the event loop alive while the watcher runs (it does not by default). */
  ref(): void;
  /** Lets the event loop exit while the watcher runs (the default). */
  unref(): void;
}

/** Inode-table tag of inodes the tap link watcher inserts. */
export const TAP_TAG = 2;

/** Interface features chosen when a tun fd attaches (TUNSETIFF flags). */
export interface TunFeatures {
  /** IFF_VNET_HDR: every read and write carries a virtio-net header first. */
  vnetHdr?: boolean;
  /** IFF_MULTI_QUEUE: the interface takes one open per queue. */
  multiQueue?: boolean;
  /** IFF_TUN instead of IFF_TAP: a layer-3 interface (IP packets, no Ethernet header). */
  tun?: boolean;
}

/** Native tap calls (implemented in src/tap*.cc and src/netlink*.cc). */
export interface TapBinding {
  /**
   * Opens /dev/net/tun and attaches a tap (IFF_TAP|IFF_NO_PI); '' lets the kernel pick tapN.
   * `exclusive` (IFF_TUN_EXCL): EBUSY when the interface already exists instead of attaching to it.
   */
  tunOpen(name: string, exclusive?: boolean, features?: TunFeatures): TunHandle;
  /** TUNSETOFFLOAD: the TUN_F_* offloads the reader accepts (bits the kernel lacks → EINVAL). */
  tunSetOffload(fd: number, flags: number): void;
  /** TUNSETVNETHDRSZ: virtio-net header size (10 or 12; the kernel refuses < 10 with EINVAL). */
  tunSetVnetHdrSz(fd: number, size: number): void;
  /** TUNGETVNETHDRSZ. */
  tunGetVnetHdrSz(fd: number): number;
  /** TUNSETQUEUE: attach (IFF_ATTACH_QUEUE) or detach (IFF_DETACH_QUEUE) this fd's queue. */
  tunSetQueue(fd: number, attach: boolean): void;
  /** TUNSETOWNER: the uid allowed to attach (-1: anyone with CAP_NET_ADMIN only). */
  tunSetOwner(fd: number, uid: number): void;
  /** TUNSETGROUP: the gid allowed to attach (-1: none). */
  tunSetGroup(fd: number, gid: number): void;
  /** TUNGETIFF flags of the fd's interface (IFF_TAP 0x2, IFF_VNET_HDR 0x4000, IFF_MULTI_QUEUE 0x100, ...). */
  tunGetFlags(fd: number): number;
  /** TUNSETPERSIST: keep (true) or drop (false) the interface when its last fd closes. */
  tunSetPersist(fd: number, persist: boolean): void;
  /** TUNGETIFF: name of the interface attached to a tun fd. */
  tunGetName(fd: number): string;
  /** SIOCGIFHWADDR: the 6-byte hardware address. */
  ifGetHwaddr(name: string): Buffer;
  /** SIOCSIFHWADDR (ARPHRD_ETHER) from a 6-byte Buffer. */
  ifSetHwaddr(name: string, addr: Buffer): void;
  /** SIOCGIFFLAGS (IFF_UP = 1, IFF_RUNNING = 0x40, ...). */
  ifGetFlags(name: string): number;
  /** Sets or clears IFF_UP. */
  ifSetUp(name: string, up: boolean): void;
  /** SIOCGIFMTU. */
  ifGetMtu(name: string): number;
  /** SIOCSIFMTU (68..65535; EINVAL otherwise, or the kernel's error for a value the device refuses). */
  ifSetMtu(name: string, mtu: number): void;
  /** SIOCGIFINDEX. */
  ifIndex(name: string): number;
  /** rtnetlink RTM_DELLINK by name. */
  ifDelete(name: string): void;
  /** Moves the calling thread into the network namespace at `path`; returns an fd of the previous one. */
  netnsEnter(path: string): number;
  /** Returns to the namespace saved by netnsEnter and closes that fd. */
  netnsRestore(fd: number): void;
  /** Starts the rtnetlink link watcher thread (see native/README.md). */
  startLinkWatcher(cb: (ev: LinkEvent) => void): LinkWatcherHandle;
}
