/*
 * ptyread: the C reader of the pty throughput rows — what a plain poll(2)/read(2) loop gets out of
 * the kernel's pty path on this machine, the ceiling any reader (ours, node-pty) can approach.
 * Usage: ptyread BYTES. Opens a pty (posix_openpt, non-blocking master), runs
 * `head -c BYTES /dev/zero` on its slave (new session, slave as stdin/stdout/stderr and controlling
 * terminal), reads the master with poll + read until EAGAIN until EIO (every slave closed), reaps
 * the child and prints "DONE bytes_read elapsed_ns". Build: cc -O2 -o ptyread ptyread.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: ptyread BYTES\n"); return 2; }
  long long t0 = now_ns();
  int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) { perror("posix_openpt"); return 2; }
  char name[64];
  if (ptsname_r(m, name, sizeof name) != 0) { perror("ptsname_r"); return 2; }
  struct winsize ws = { 24, 80, 0, 0 };
  ioctl(m, TIOCSWINSZ, &ws);
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 2; }
  if (pid == 0) {
    setsid();
    int s = open(name, O_RDWR);  /* first tty opened by a session leader: controlling terminal */
    if (s < 0) _exit(126);
    dup2(s, 0); dup2(s, 1); dup2(s, 2);
    if (s > 2) close(s);
    execlp("head", "head", "-c", argv[1], "/dev/zero", (char *)NULL);
    _exit(127);
  }
  static char buf[65536];
  long long got = 0;
  for (;;) {
    struct pollfd p = { m, POLLIN, 0 };
    if (poll(&p, 1, -1) < 0 && errno != EINTR) { perror("poll"); return 1; }
    ssize_t n;
    while ((n = read(m, buf, sizeof buf)) > 0) got += n;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    break; /* EIO: the child and every slave are gone, all output read */
  }
  int status = 0;
  waitpid(pid, &status, 0);
  printf("DONE %lld %lld\n", got, now_ns() - t0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
