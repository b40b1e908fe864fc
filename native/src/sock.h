// sock: what the Unix-socket calls share — SO_PEERCRED read once (sock.cc's peerCred and
// sock_accept.cc's UnixAcceptor), and the acceptor's registration.
#pragma once
#include <napi.h>
#include <sys/socket.h>

namespace devfs {
/// getsockopt(SO_PEERCRED) on a connected Unix socket: 0, or the errno.
int ReadPeerCred(int fd, struct ucred* out);
/// `{ pid, uid, gid }` of `cred` as a JS object.
Napi::Object PeerCredObject(Napi::Env env, const struct ucred& cred);
/// sock_accept.cc: UnixAcceptor (a listening socket owned by the addon, accepted with credentials).
void InitUnixAcceptor(Napi::Env env, Napi::Object exports);
}  // namespace devfs
