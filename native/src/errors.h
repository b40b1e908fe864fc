// errno → JS Error with Node's system-error shape: code ('EAGAIN'), errno (negative, as Node's
// fs errors), syscall, and path when one applies. Header-only; shared by every native concern.
#pragma once
#include <napi.h>
#include <uv.h>
#include <string>

namespace devfs {

/// Builds `CODE: strerror, syscall 'path'` as a Napi::Error carrying code/errno/syscall/path.
inline Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const char* path = nullptr) {
  const char* code = uv_err_name(-err);
  std::string msg = std::string(code) + ": " + uv_strerror(-err) + ", " + syscall;
  if (path) msg += std::string(" '") + path + "'";
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, code));
  e.Set("errno", Napi::Number::New(env, -err));
  e.Set("syscall", Napi::String::New(env, syscall));
  if (path) e.Set("path", Napi::String::New(env, path));
  return e;
}

/// Throws ErrnoError (C++ exceptions are enabled in this addon).
[[noreturn]] inline void ThrowErrno(Napi::Env env, int err, const char* syscall, const char* path = nullptr) {
  throw ErrnoError(env, err, syscall, path);
}

/// Throws EINVAL-shaped error for bad arguments, with a precise message.
[[noreturn]] inline void ThrowInvalid(Napi::Env env, const char* syscall, const std::string& detail) {
  Napi::Error e = Napi::Error::New(env, "EINVAL: " + detail + ", " + syscall);
  e.Set("code", Napi::String::New(env, "EINVAL"));
  e.Set("errno", Napi::Number::New(env, -22));
  e.Set("syscall", Napi::String::New(env, syscall));
  throw e;
}

/// Throws Node's argument TypeError: code ERR_INVALID_ARG_TYPE, `The "name" argument must be ...`.
[[noreturn]] inline void ThrowArgType(Napi::Env env, const char* name, const char* expected) {
  Napi::Error e = Napi::TypeError::New(env, std::string("The \"") + name + "\" argument must be " + expected);
  e.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_TYPE"));
  throw e;
}

/// Throws Node's RangeError for a value of the right type but outside its range: ERR_OUT_OF_RANGE.
[[noreturn]] inline void ThrowArgRange(Napi::Env env, const char* name, const char* range) {
  Napi::Error e = Napi::RangeError::New(env, std::string("The value of \"") + name + "\" is out of range. It must be " + range);
  e.Set("code", Napi::String::New(env, "ERR_OUT_OF_RANGE"));
  throw e;
}

}  // namespace devfs
