/*
 * tapbridge: the C baseline of the bridge-tcp row. A user-space L2 bridge between two network
 * namespaces, like examples/tap-bridge/bridge.js: one tap in each (created by entering the
 * namespace with setns), every frame read from one written to the other, one thread, poll(2)
 * and plain read/write on non-blocking fds. With "offloads" the taps get IFF_VNET_HDR, a 12-byte
 * header and TUNSETOFFLOAD csum|tso4|tso6|tso_ecn — the same settings as ours — and frames (up to
 * 64 KiB super-frames) are forwarded header and all.
 * Prints "READY tapA tapB" once both exist, runs until SIGTERM/SIGINT or stdin closes.
 * Build: cc -O2 -o tapbridge tapbridge.c
 * Usage: tapbridge NETNS_PATH_A NETNS_PATH_B offloads|plain
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define FRAME_MAX (12 + 65535 + 18)

static volatile sig_atomic_t stop;
static void on_signal(int s) { (void)s; stop = 1; }

static int open_tap(const char *netns, int offloads, char *name) {
  int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  int ns = open(netns, O_RDONLY | O_CLOEXEC);
  if (self < 0 || ns < 0 || setns(ns, CLONE_NEWNET) < 0) { perror(netns); exit(2); }
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) { perror("open /dev/net/tun"); exit(2); }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (offloads ? IFF_VNET_HDR : 0);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) { perror("TUNSETIFF"); exit(2); }
  if (offloads) {
    int sz = 12;
    if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0) { perror("TUNSETVNETHDRSZ"); exit(2); }
    if (ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN) < 0) { perror("TUNSETOFFLOAD"); exit(2); }
  }
  strcpy(name, ifr.ifr_name);
  if (setns(self, CLONE_NEWNET) < 0) { perror("setns back"); exit(2); }
  close(self);
  close(ns);
  return fd;
}

/* Moves frames from `in` to `out` until `in` is empty; a frame `out` cannot take now waits in
 * `pend` (the caller stops reading `in` meanwhile). Returns frames moved. */
static long pump(int in, int out, unsigned char *buf, ssize_t *pend) {
  long n = 0;
  for (;;) {
    if (*pend > 0) {
      if (write(out, buf, *pend) < 0 && (errno == EAGAIN || errno == ENOBUFS)) return n;
      *pend = 0; /* written, or an error (port down): dropped */
      n++;
    }
    ssize_t r = read(in, buf, FRAME_MAX);
    if (r <= 0) return n;
    *pend = r;
  }
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: tapbridge NETNS_A NETNS_B offloads|plain\n"); return 2; }
  int offloads = strcmp(argv[3], "offloads") == 0;
  char na[IFNAMSIZ], nb[IFNAMSIZ];
  int a = open_tap(argv[1], offloads, na), b = open_tap(argv[2], offloads, nb);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  printf("READY %s %s\n", na, nb);
  fflush(stdout);
  static unsigned char bufab[FRAME_MAX], bufba[FRAME_MAX];
  ssize_t pab = 0, pba = 0;
  long frames = 0;
  while (!stop) {
    struct pollfd p[3] = {
      { a, pab ? 0 : POLLIN, 0 }, { b, pba ? 0 : POLLIN, 0 }, { 0, POLLIN, 0 },
    };
    if (pab) p[1].events |= POLLOUT;
    if (pba) p[0].events |= POLLOUT;
    if (poll(p, 3, 200) < 0) { if (errno == EINTR) continue; perror("poll"); return 1; }
    if (p[2].revents) break; /* stdin closed: the caller is gone */
    frames += pump(a, b, bufab, &pab);
    frames += pump(b, a, bufba, &pba);
  }
  printf("FRAMES %ld\n", frames);
  return 0;
}
