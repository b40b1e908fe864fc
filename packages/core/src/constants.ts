/**
 * Constants of the device ABI. Values Linux defines (open flags, poll bits, ioctl numbers) are
 * Linux's; BSD-only ones get our own numbers.
 */
import { constants as fsc } from 'fs';

// ---- cdevsw d_flags (FreeBSD values) ----
/** Tape device (rule `type tape`). */
export const D_TAPE = 0x0001;
/** Disk device (rule `type disk`; seekable, file position kept per open). */
export const D_DISK = 0x0002;
/** Terminal device (rule `type tty`). */
export const D_TTY = 0x0004;
/** Memory device (rule `type mem`). */
export const D_MEM = 0x0008;
/** Mask of the device type bits. */
export const D_TYPEMASK = 0xffff;
/** Call d_close on every close, not only the last one. */
export const D_TRACKCLOSE = 0x00080000;
/** Driver needs a unique minor number (kept for source compatibility; every cdev gets a unique inode). */
export const D_NEEDMINOR = 0x00800000;
/** First opener becomes the owner; ownership returns to the defaults on last close (Linux devfs, ptys). */
export const D_AUTOOWN = 0x01000000;

// ---- make_dev_s flags (FreeBSD values) ----
/** Return the device with an extra reference (cloners). */
export const MAKEDEV_REF = 0x01;
/** Caller is privileged (accepted, no effect in user space). */
export const MAKEDEV_WHTOUT = 0x02;
/** Never fail silently: return errors instead of throwing. */
export const MAKEDEV_NOWAIT = 0x04;
/** Wait for resources (accepted, no effect). */
export const MAKEDEV_WAITOK = 0x08;
/** The device can never be destroyed. */
export const MAKEDEV_ETERNAL = 0x10;
/** Validate the name and return the error instead of throwing. */
export const MAKEDEV_CHECKNAME = 0x20;

// ---- poll bits (Linux) ----
export const POLLIN = 0x0001;
export const POLLPRI = 0x0002;
export const POLLOUT = 0x0004;
export const POLLERR = 0x0008;
export const POLLHUP = 0x0010;
export const POLLNVAL = 0x0020;
export const POLLRDNORM = 0x0040;
export const POLLRDBAND = 0x0080;
export const POLLWRNORM = 0x0100;
export const POLLWRBAND = 0x0200;

// ---- generic ioctls (Linux numbers where Linux has them) ----
export const FIONREAD = 0x541b;
export const FIONBIO = 0x5421;
export const FIOASYNC = 0x5452;
/** FreeBSD-only: set the owner (pid) for async notification. Our own number. */
export const FIOSETOWN = 0x8901; // Linux FIOSETOWN/SIOCSPGRP
/** Get the owner set by FIOSETOWN. */
export const FIOGETOWN = 0x8903; // Linux FIOGETOWN/SIOCGPGRP
/** FreeBSD-only: the device type (d_flags & D_TYPEMASK). Our own number. */
export const FIODTYPE = 0x6600d1;
/** FreeBSD-only: the device's name. Our own number. */
export const FIODGNAME = 0x6600d2;

// ---- open flags (Linux, from fs.constants) ----
export const O_RDONLY = fsc.O_RDONLY;
export const O_WRONLY = fsc.O_WRONLY;
export const O_RDWR = fsc.O_RDWR;
export const O_ACCMODE = 3;
export const O_NONBLOCK = fsc.O_NONBLOCK;
export const O_NOCTTY = fsc.O_NOCTTY;
export const O_APPEND = fsc.O_APPEND;
export const O_CREAT = fsc.O_CREAT;
export const O_EXCL = fsc.O_EXCL;
export const O_TRUNC = fsc.O_TRUNC;

// ---- file type bits ----
export const S_IFMT = 0o170000;
export const S_IFCHR = 0o020000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

// ---- credentials ----
export const UID_ROOT = 0;
export const GID_WHEEL = 0;
export const GID_TTY = 5;
export const GID_OPERATOR = 6;
export const GID_KMEM = 2;
