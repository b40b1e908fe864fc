/**
 * Constants of the tap driver. FIONREAD/FIONBIO/FIOASYNC/FIOSETOWN/FIOGETOWN are Linux's numbers
 * (exported by @devfs/core); TAPGIFNAME and SIOCSIFPHYADDR are BSD-only, so they get our own
 * numbers, encoded the Linux way (_IOR('e', 0, 40) and _IOW('i', 70, 32)).
 */

/** ioctl: the interface name of this handle (NetBSD TAPGIFNAME); returns a string. */
export const TAPGIFNAME = 0x80286500;
/**
 * ioctl: set the hardware address (NetBSD SIOCSIFPHYADDR). Argument {@link TapPhysAddr}:
 * `family` must be {@link AF_LINK}, else EINVAL.
 */
export const SIOCSIFPHYADDR = 0x40206946;
/** Link-level address family for SIOCSIFPHYADDR (BSD's AF_LINK value). */
export const AF_LINK = 18;
/** Address family of IPv4, rejected by SIOCSIFPHYADDR (there to name the error case). */
export const AF_INET = 2;

/** Argument of SIOCSIFPHYADDR: family and a 6-byte address (Buffer or 'xx:xx:xx:xx:xx:xx'). */
export interface TapPhysAddr { family: number; addr: Buffer | string }

/** First three bytes of the MAC of every interface the driver creates. */
export const TAP_MAC_PREFIX: readonly number[] = [0xf2, 0x0b, 0xa4];
/** sysctl subtree of the MAC addresses: `net.link.tap.<ifname>`. */
export const TAP_SYSCTL_PREFIX = 'net.link.tap';
/** Ethernet header bytes added to the MTU for the largest frame a write accepts. */
export const ETHER_HDR_LEN = 14;
/** Frames kept per interface before the driver stops reading the host fd (backpressure). */
export const TAP_QUEUE_FRAMES = 512;
/** Largest unit the cloner hands out (tap0..tap32767). */
export const TAP_MAX_UNIT = 32767;
/**
 * ioctl (Linux's TUNSETQUEUE number): argument {@link IFF_ATTACH_QUEUE} or
 * {@link IFF_DETACH_QUEUE} — attaches/detaches this handle's queue of a multi-queue interface.
 */
export const TUNSETQUEUE = 0x400454d9;
/** ioctl (Linux's TUNGETVNETHDRSZ number): the virtio-net header size (12), EINVAL without vnetHdr. */
export const TUNGETVNETHDRSZ = 0x800454d7;
/** TUNSETQUEUE argument: attach the queue. */
export const IFF_ATTACH_QUEUE = 0x0200;
/** TUNSETQUEUE argument: detach the queue (the kernel sends it no frames until attached). */
export const IFF_DETACH_QUEUE = 0x0400;
/** ioctl (our number, _IOWR('e', 1, 16)): argument Buffer[]; returns the lengths of the frames read ([] when none waits). */
export const TAPREADFRAMES = 0xc0106501;
/** ioctl (our number, _IOWR('e', 2, 16)): argument Buffer[]; returns how many frames were taken (0 when the write queue is full). */
export const TAPWRITEFRAMES = 0xc0106502;
