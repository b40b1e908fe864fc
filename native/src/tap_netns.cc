// Network namespace of the calling thread: netnsEnter(path) → fd of the previous one;
// netnsRestore(fd) goes back and closes it. Only the calling thread (and the threads and
// processes it creates afterwards) moves; used by tests to keep taps inside their own netns.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <cerrno>
#include "errors.h"
#include "tap.h"

namespace devfs {
namespace {

Napi::Value NetnsEnter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) ThrowInvalid(env, "netnsEnter", "path must be a string");
  std::string path = info[0].As<Napi::String>();
  int prev = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (prev < 0) ThrowErrno(env, errno, "open", "/proc/thread-self/ns/net");
  int next = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (next < 0) { int e = errno; close(prev); ThrowErrno(env, e, "open", path.c_str()); }
  int rc = setns(next, CLONE_NEWNET);
  int e = errno;
  close(next);
  if (rc < 0) { close(prev); ThrowErrno(env, e, "setns", path.c_str()); }
  return Napi::Number::New(env, prev);
}

Napi::Value NetnsRestore(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) ThrowInvalid(env, "netnsRestore", "fd must be a number");
  int fd = info[0].As<Napi::Number>().Int32Value();
  int rc = setns(fd, CLONE_NEWNET);
  int e = errno;
  close(fd);
  if (rc < 0) ThrowErrno(env, e, "setns");
  return env.Undefined();
}

}  // namespace

void InitTapNetns(Napi::Env env, Napi::Object exports) {
  exports.Set("netnsEnter", Napi::Function::New(env, NetnsEnter, "netnsEnter"));
  exports.Set("netnsRestore", Napi::Function::New(env, NetnsRestore, "netnsRestore"));
}

}  // namespace devfs
