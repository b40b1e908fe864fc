// One Init function per native concern; each lives in its own .cc file.
#pragma once
#include <napi.h>

namespace devfs {
void InitInodeTable(Napi::Env env, Napi::Object exports);  // inode_table_napi.cc
void InitFdio(Napi::Env env, Napi::Object exports);        // fdio.cc: uv_poll reader/writer on fds
void InitPty(Napi::Env env, Napi::Object exports);         // pty.cc: openpt, spawn on a pty, winsize
void InitTap(Napi::Env env, Napi::Object exports);         // tap.cc: /dev/net/tun, MAC, flags, netlink watcher
void InitSock(Napi::Env env, Napi::Object exports);        // sock.cc: SO_PEERCRED; sock_accept.cc: UnixAcceptor
void InitFuse(Napi::Env env, Napi::Object exports);        // fuse.cc: /dev/fuse, mount/umount2, SCM_RIGHTS, writev
void InitMemory(Napi::Env env, Napi::Object exports);      // memory.cc: malloc_trim
void InitShm(Napi::Env env, Napi::Object exports);         // shm.cc: memory threads share as plain ArrayBuffers
}  // namespace devfs
