// fuse: the few system calls a FUSE server needs that Node has no binding for — open /dev/fuse,
// mount(2)/umount2(2) a fuse filesystem, receive an fd over a Unix socket (fusermount3's
// SCM_RIGHTS hand-over) and writev a reply. Requests are read by FdPoller in datagram mode (one
// read() = one request) and every message is parsed and built in TypeScript (lib/types/fuse.ts).
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "args.h"
#include "errors.h"
#include "modules.h"

namespace devfs {

static std::string StrArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsString()) ThrowArgType(info.Env(), name, "of type string");
  std::string s = info[i].As<Napi::String>().Utf8Value();
  if (s.empty() || s.find('\0') != std::string::npos) ThrowInvalid(info.Env(), name, std::string(name) + " must be a non-empty string without NUL");
  return s;
}

// fuseOpenDevice() → fd of /dev/fuse (O_RDWR|O_CLOEXEC|O_NONBLOCK).
static Napi::Value FuseOpenDevice(const Napi::CallbackInfo& info) {
  int fd = ::open("/dev/fuse", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) ThrowErrno(info.Env(), errno, "open", "/dev/fuse");
  return Napi::Number::New(info.Env(), fd);
}

// fuseMount(target, fstype, data): mount("devfs", target, fstype, MS_NODEV|MS_NOSUID, data).
static Napi::Value FuseMount(const Napi::CallbackInfo& info) {
  std::string target = StrArg(info, 0, "target");
  std::string fstype = StrArg(info, 1, "fstype");
  std::string data = StrArg(info, 2, "data");
  if (::mount("devfs", target.c_str(), fstype.c_str(), MS_NODEV | MS_NOSUID, data.c_str()) < 0)
    ThrowErrno(info.Env(), errno, "mount", target.c_str());
  return info.Env().Undefined();
}

// fuseUnmount(target): umount2(target, MNT_DETACH|UMOUNT_NOFOLLOW) — lazy, never blocks on a
// server that does not answer.
static Napi::Value FuseUnmount(const Napi::CallbackInfo& info) {
  std::string target = StrArg(info, 0, "target");
  if (::umount2(target.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) < 0) ThrowErrno(info.Env(), errno, "umount2", target.c_str());
  return info.Env().Undefined();
}

// fuseRecvFd(sock) → the fd carried by one SCM_RIGHTS message (MSG_CMSG_CLOEXEC); EAGAIN when
// none waits, ENOMSG when a message came without an fd.
static Napi::Value FuseRecvFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sock = ToFd(info.Env(), info[0], "recvmsg");
  char byte;
  struct iovec iov = {&byte, 1};
  union {
    struct cmsghdr hdr;
    char buf[CMSG_SPACE(sizeof(int))];
  } ctl;
  memset(&ctl, 0, sizeof ctl);
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctl.buf;
  msg.msg_controllen = sizeof ctl.buf;
  ssize_t n;
  do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < 0) ThrowErrno(env, errno, "recvmsg");
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
    ThrowErrno(env, ENOMSG, "recvmsg");
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  int fl = ::fcntl(fd, F_GETFL);
  if (fl >= 0) ::fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  return Napi::Number::New(env, fd);
}

// fuseWritev(fd, buffers[]) → bytes written: one writev(2), i.e. one FUSE reply or notification.
static Napi::Value FuseWritev(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(info.Env(), info[0], "writev");
  if (!info[1].IsArray()) ThrowArgType(env, "buffers", "an array of Buffers");
  Napi::Array arr = info[1].As<Napi::Array>();
  uint32_t count = arr.Length();
  if (count == 0 || count > 16) ThrowInvalid(env, "writev", "1..16 buffers");
  std::vector<struct iovec> iov(count);
  for (uint32_t i = 0; i < count; i++) {
    Napi::Value v = arr.Get(i);
    if (!v.IsTypedArray()) ThrowArgType(env, "buffers", "an array of Buffers");
    Napi::Uint8Array b = v.As<Napi::Uint8Array>();
    iov[i].iov_base = b.Data();
    iov[i].iov_len = b.ByteLength();
  }
  ssize_t n;
  do n = ::writev(fd, iov.data(), static_cast<int>(count));
  while (n < 0 && errno == EINTR);
  if (n < 0) ThrowErrno(env, errno, "writev");
  return Napi::Number::New(env, static_cast<double>(n));
}

// FUSE passthrough (protocol 7.40, newer than the toolchain's header): struct fuse_backing_map
// and the two /dev/fuse ioctls that register and release a backing file.
namespace {
struct BackingMap {
  int32_t fd;
  uint32_t flags;
  uint64_t padding;
};
constexpr unsigned long kBackingOpen = _IOW(229, 1, BackingMap);
constexpr unsigned long kBackingClose = _IOW(229, 2, uint32_t);
}  // namespace

// fuseBackingOpen(devFd, fileFd) → backing id for FOPEN_PASSTHROUGH (needs CAP_SYS_ADMIN and a
// connection that negotiated FUSE_PASSTHROUGH). The kernel keeps its own reference to the file.
static Napi::Value FuseBackingOpen(const Napi::CallbackInfo& info) {
  int dev = ToFd(info.Env(), info[0], "ioctl");
  BackingMap map = {};
  map.fd = ToFd(info.Env(), info[1], "ioctl");
  int id = ::ioctl(dev, kBackingOpen, &map);
  if (id < 0) ThrowErrno(info.Env(), errno, "ioctl");
  return Napi::Number::New(info.Env(), id);
}

// fuseBackingClose(devFd, id): releases a backing id (files opened with it keep working).
static Napi::Value FuseBackingClose(const Napi::CallbackInfo& info) {
  int dev = ToFd(info.Env(), info[0], "ioctl");
  if (!info[1].IsNumber()) ThrowArgType(info.Env(), "id", "of type number");
  uint32_t id = info[1].As<Napi::Number>().Uint32Value();
  if (::ioctl(dev, kBackingClose, &id) < 0) ThrowErrno(info.Env(), errno, "ioctl");
  return info.Env().Undefined();
}

void InitFuse(Napi::Env env, Napi::Object exports) {
  exports.Set("fuseBackingOpen", Napi::Function::New(env, FuseBackingOpen, "fuseBackingOpen"));
  exports.Set("fuseBackingClose", Napi::Function::New(env, FuseBackingClose, "fuseBackingClose"));
  exports.Set("fuseOpenDevice", Napi::Function::New(env, FuseOpenDevice, "fuseOpenDevice"));
  exports.Set("fuseMount", Napi::Function::New(env, FuseMount, "fuseMount"));
  exports.Set("fuseUnmount", Napi::Function::New(env, FuseUnmount, "fuseUnmount"));
  exports.Set("fuseRecvFd", Napi::Function::New(env, FuseRecvFd, "fuseRecvFd"));
  exports.Set("fuseWritev", Napi::Function::New(env, FuseWritev, "fuseWritev"));
}

}  // namespace devfs
