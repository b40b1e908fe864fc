/**
 * Disk ioctls. Linux has no equivalents with these semantics, so they carry FreeBSD's own
 * encodings (<sys/disk.h>: _IOR('d', 129, off_t), _IOR('d', 128, u_int), _IO('d', 135)).
 */

/** Media size in bytes (a number). */
export const DIOCGMEDIASIZE = 0x40086481;
/** Sector size in bytes (512 or 4096). */
export const DIOCGSECTORSIZE = 0x40046480;
/** Flush written data to stable storage (fsync of a vnode disk's image file). */
export const DIOCGFLUSH = 0x20006487;
