// pty: open a host pty pair (master O_CLOEXEC|O_NONBLOCK), open its slave, window size, pty number.
#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <string>

#include "args.h"
#include "errors.h"
#include "modules.h"

namespace devfs {

namespace {

int Ptn(Napi::Env env, int fd) {
  unsigned int n = 0;
  if (::ioctl(fd, TIOCGPTN, &n) < 0) ThrowErrno(env, errno, "ioctl");
  return static_cast<int>(n);
}

// ptyOpen() → { fd, ptsPath, ptn }: a fresh host pty master, O_CLOEXEC|O_NONBLOCK, slave unlocked.
Napi::Value PtyOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) ThrowErrno(env, errno, "posix_openpt", "/dev/ptmx");
  auto fail = [&](const char* syscall) {
    int err = errno;
    ::close(fd);
    ThrowErrno(env, err, syscall);
  };
  int fl = ::fcntl(fd, F_GETFD);
  if (fl < 0 || (!(fl & FD_CLOEXEC) && ::fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)) fail("fcntl");
  if (::grantpt(fd) < 0) fail("grantpt");
  if (::unlockpt(fd) < 0) fail("unlockpt");
  char name[128];
  if (::ptsname_r(fd, name, sizeof name) != 0) fail("ptsname_r");
  int sfl = ::fcntl(fd, F_GETFL);
  if (sfl < 0 || ::fcntl(fd, F_SETFL, sfl | O_NONBLOCK) < 0) fail("fcntl");
  unsigned int n = 0;
  if (::ioctl(fd, TIOCGPTN, &n) < 0) fail("ioctl");
  Napi::Object out = Napi::Object::New(env);
  out.Set("fd", fd);
  out.Set("ptsPath", name);
  out.Set("ptn", static_cast<double>(n));
  return out;
}

// ptyOpenSlave(path, flags?) → fd, opened O_RDWR|O_NOCTTY|O_CLOEXEC (| flags, e.g. O_NONBLOCK).
Napi::Value PtyOpenSlave(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) ThrowInvalid(env, "open", "path must be a string");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int extra = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 0;
  int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | (extra & (O_NONBLOCK | O_APPEND)));
  if (fd < 0) ThrowErrno(env, errno, "open", path.c_str());
  if (!::isatty(fd)) {
    ::close(fd);
    ThrowErrno(env, ENOTTY, "open", path.c_str());
  }
  return Napi::Number::New(env, fd);
}

// ptySetWinsize(fd, cols, rows): TIOCSWINSZ (the foreground process group gets SIGWINCH).
Napi::Value PtySetWinsize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(info.Env(), info[0], "ioctl");
  if (!info[1].IsNumber() || !info[2].IsNumber()) ThrowInvalid(env, "ioctl", "cols and rows must be numbers");
  int64_t cols = info[1].As<Napi::Number>().Int64Value(), rows = info[2].As<Napi::Number>().Int64Value();
  if (cols < 1 || rows < 1 || cols > 0xffff || rows > 0xffff) ThrowInvalid(env, "ioctl", "cols and rows must be 1..65535");
  struct winsize ws = {};
  ws.ws_col = static_cast<unsigned short>(cols);
  ws.ws_row = static_cast<unsigned short>(rows);
  if (::ioctl(fd, TIOCSWINSZ, &ws) < 0) ThrowErrno(env, errno, "ioctl");
  return env.Undefined();
}

// ptyGetWinsize(fd) → { cols, rows }: TIOCGWINSZ.
Napi::Value PtyGetWinsize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(info.Env(), info[0], "ioctl");
  struct winsize ws = {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) < 0) ThrowErrno(env, errno, "ioctl");
  Napi::Object out = Napi::Object::New(env);
  out.Set("cols", ws.ws_col);
  out.Set("rows", ws.ws_row);
  return out;
}

// ptyGetPtn(fd) → host pty number (TIOCGPTN on the master).
Napi::Value PtyGetPtn(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), Ptn(info.Env(), ToFd(info.Env(), info[0], "ioctl")));
}

}  // namespace

void InitPty(Napi::Env env, Napi::Object exports) {
  exports.Set("ptyOpen", Napi::Function::New(env, PtyOpen, "ptyOpen"));
  exports.Set("ptyOpenSlave", Napi::Function::New(env, PtyOpenSlave, "ptyOpenSlave"));
  exports.Set("ptySetWinsize", Napi::Function::New(env, PtySetWinsize, "ptySetWinsize"));
  exports.Set("ptyGetWinsize", Napi::Function::New(env, PtyGetWinsize, "ptyGetWinsize"));
  exports.Set("ptyGetPtn", Napi::Function::New(env, PtyGetPtn, "ptyGetPtn"));
  InitSpawn(env, exports);
  InitProcessWatch(env, exports);
  InitPtyReader(env, exports);
}

}  // namespace devfs
