/*
 * tapbench: the C baseline of the tap rows. Attaches to two existing tap interfaces (joined by a
 * Linux bridge the bench created in its own network namespace) with plain open/ioctl, then for
 * each "RUN size count window" line on stdin writes `count` frames of `size` bytes into the
 * first and reads them from the second, at most `window` frames in flight, with plain
 * read/write on non-blocking fds and poll(2). Answers "DONE received elapsed_ns" per run.
 * Frames: unknown unicast destination 02:00:00:00:00:02 (the bridge floods it), source
 * 02:00:00:00:00:01, EtherType 0x88b5 (local experimental); other frames read are ignored.
 * Build: cc -O2 -o tapbench tapbench.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static int attach(const char *name) {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) { perror("open /dev/net/tun"); exit(2); }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) { perror("TUNSETIFF"); exit(2); }
  return fd;
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: tapbench TAP_IN TAP_OUT\n"); return 2; }
  int in = attach(argv[1]), out = attach(argv[2]);
  unsigned char frame[2048], buf[2048];
  char line[128];
  printf("READY\n");
  fflush(stdout);
  while (fgets(line, sizeof line, stdin)) {
    int size = 0, window = 0;
    long count = 0;
    if (sscanf(line, "RUN %d %ld %d", &size, &count, &window) != 3 || size < 60 || size > 1514 || window < 1) {
      printf("ERR bad command\n");
      fflush(stdout);
      continue;
    }
    memset(frame, 0xab, sizeof frame);
    memcpy(frame, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x88\xb5", 14);
    long sent = 0, recv = 0;
    long long t0 = now_ns(), last = t0;
    while (recv < count) {
      struct pollfd p[2] = { { out, POLLIN, 0 }, { in, POLLOUT, 0 } };
      int want_write = sent < count && sent - recv < window;
      if (poll(p, want_write ? 2 : 1, 100) < 0 && errno != EINTR) { perror("poll"); return 1; }
      if (p[0].revents & POLLIN) {
        for (;;) {
          ssize_t n = read(out, buf, sizeof buf);
          if (n < 0) break;
          if (n == size && buf[12] == 0x88 && buf[13] == 0xb5) { recv++; last = now_ns(); }
        }
      }
      if (want_write && (p[1].revents & POLLOUT)) {
        while (sent < count && sent - recv < window) {
          ssize_t n = write(in, frame, size);
          if (n < 0) break;
          sent++;
        }
      }
      if (now_ns() - last > 2000000000LL) break; /* frames lost: stop and report what arrived */
    }
    printf("DONE %ld %lld\n", recv, now_ns() - t0);
    fflush(stdout);
  }
  return 0;
}
