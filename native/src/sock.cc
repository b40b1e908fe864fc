// sock: SO_PEERCRED of a connected Unix socket, and a SOCK_SEQPACKET socketpair (the listening
// acceptor is sock_accept.cc).
#include <errno.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "args.h"
#include "errors.h"
#include "modules.h"
#include "sock.h"

namespace devfs {

int ReadPeerCred(int fd, struct ucred* out) {
  *out = {};
  socklen_t len = sizeof *out;
  return ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, out, &len) < 0 ? errno : 0;
}

Napi::Object PeerCredObject(Napi::Env env, const struct ucred& cred) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, cred.pid));
  out.Set("uid", Napi::Number::New(env, cred.uid));
  out.Set("gid", Napi::Number::New(env, cred.gid));
  return out;
}

// peerCred(fd) → { pid, uid, gid } of the process that connected (or created the pair).
static Napi::Value PeerCred(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(info.Env(), info[0], "getsockopt");
  struct ucred cred;
  if (int err = ReadPeerCred(fd, &cred)) ThrowErrno(env, err, "getsockopt");
  return PeerCredObject(env, cred);
}

// socketpairSeqpacket() → [a, b]: AF_UNIX SOCK_SEQPACKET, O_CLOEXEC|O_NONBLOCK (message boundaries).
static Napi::Value SocketpairSeqpacket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0)
    ThrowErrno(env, errno, "socketpair");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, fds[0]);
  out.Set(1u, fds[1]);
  return out;
}

void InitSock(Napi::Env env, Napi::Object exports) {
  exports.Set("peerCred", Napi::Function::New(env, PeerCred, "peerCred"));
  exports.Set("socketpairSeqpacket", Napi::Function::New(env, SocketpairSeqpacket, "socketpairSeqpacket"));
  InitUnixAcceptor(env, exports);
}

}  // namespace devfs
