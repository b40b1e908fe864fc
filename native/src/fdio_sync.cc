// fdio_sync: the small synchronous fd helpers (fdRead, fdWrite, fdClose, fdIoctlInt, fdPoll,
// fdPipe) for drivers that do their own readiness (FdWatch) — each one system call, EINTR retried.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "args.h"
#include "errors.h"
#include "fdio.h"

namespace devfs {

namespace {

// One read(2)/write(2) `io` on the (buf, off, len) slice at info[1..3], retried on EINTR.
template <typename Io>
Napi::Value SliceIo(const Napi::CallbackInfo& info, const char* syscall, Io io) {
  Napi::Env env = info.Env();
  int fd = ToFd(env, info[0], syscall);
  size_t len = 0;
  uint8_t* p = Slice(info, 1, syscall, &len);
  for (;;) {
    ssize_t n = io(fd, p, len);
    if (n >= 0) return Napi::Number::New(env, static_cast<double>(n));
    if (errno != EINTR) ThrowErrno(env, errno, syscall);
  }
}

Napi::Value FdRead(const Napi::CallbackInfo& info) {
  return SliceIo(info, "read", [](int fd, uint8_t* p, size_t n) { return ::read(fd, p, n); });
}

Napi::Value FdWrite(const Napi::CallbackInfo& info) {
  return SliceIo(info, "write", [](int fd, uint8_t* p, size_t n) { return ::write(fd, p, n); });
}

Napi::Value FdClose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(env, info[0], "close");
  // Linux releases the fd even when close() reports EINTR: never retry.
  if (::close(fd) < 0 && errno != EINTR) ThrowErrno(env, errno, "close");
  return env.Undefined();
}

Napi::Value FdIoctlInt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(env, info[0], "ioctl");
  if (!info[1].IsNumber()) ThrowInvalid(env, "ioctl", "request must be a number");
  unsigned long req = static_cast<unsigned long>(info[1].As<Napi::Number>().Int64Value());
  int value = 0;
  if (::ioctl(fd, req, &value) < 0) ThrowErrno(env, errno, "ioctl");
  return Napi::Number::New(env, value);
}

Napi::Value FdPoll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(env, info[0], "poll");
  struct pollfd p = {fd, static_cast<short>(info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : POLLIN), 0};
  for (;;) {
    int r = ::poll(&p, 1, 0);
    if (r >= 0) return Napi::Number::New(env, r == 0 ? 0 : p.revents);
    if (errno != EINTR) ThrowErrno(env, errno, "poll");
  }
}

Napi::Value FdPipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) ThrowErrno(env, errno, "pipe2");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, fds[0]);
  out.Set(1u, fds[1]);
  return out;
}

}  // namespace

void InitFdSync(Napi::Env env, Napi::Object exports) {
  exports.Set("fdRead", Napi::Function::New(env, FdRead, "fdRead"));
  exports.Set("fdWrite", Napi::Function::New(env, FdWrite, "fdWrite"));
  exports.Set("fdClose", Napi::Function::New(env, FdClose, "fdClose"));
  exports.Set("fdIoctlInt", Napi::Function::New(env, FdIoctlInt, "fdIoctlInt"));
  exports.Set("fdPoll", Napi::Function::New(env, FdPoll, "fdPoll"));
  exports.Set("fdPipe", Napi::Function::New(env, FdPipe, "fdPipe"));
}

}  // namespace devfs
