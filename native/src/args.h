// Argument helpers shared by every native concern: an fd argument and a (buffer, offset, length)
// slice, checked once here with the addon's error shapes (errors.h). Header-only.
#pragma once
#include <errno.h>
#include <napi.h>

#include <cstdint>

#include "errors.h"

namespace devfs {

/// An fd argument: EINVAL when it is not a number, EBADF when it is outside 0..INT32_MAX.
inline int ToFd(Napi::Env env, const Napi::Value& v, const char* syscall) {
  if (!v.IsNumber()) ThrowInvalid(env, syscall, "fd must be a number");
  int64_t fd = v.As<Napi::Number>().Int64Value();
  if (fd < 0 || fd > INT32_MAX) ThrowErrno(env, EBADF, syscall);
  return static_cast<int>(fd);
}

/// Validates (buf, off, len) at info[first..first+2] and returns a pointer into the buffer.
inline uint8_t* Slice(const Napi::CallbackInfo& info, size_t first, const char* syscall, size_t* lenOut) {
  Napi::Env env = info.Env();
  if (!info[first].IsBuffer()) ThrowInvalid(env, syscall, "buffer must be a Buffer");
  auto buf = info[first].As<Napi::Buffer<uint8_t>>();
  size_t off = info[first + 1].IsUndefined() ? 0 : info[first + 1].As<Napi::Number>().Int64Value();
  size_t len = info[first + 2].IsUndefined() ? buf.Length() - off
                                             : info[first + 2].As<Napi::Number>().Int64Value();
  if (off > buf.Length() || len > buf.Length() - off) ThrowInvalid(env, syscall, "offset/length outside the buffer");
  *lenOut = len;
  return buf.Data() + off;
}

}  // namespace devfs
