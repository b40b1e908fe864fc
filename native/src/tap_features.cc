// tun/tap features on an attached /dev/net/tun fd: virtio-net headers (TUNSETVNETHDRSZ /
// TUNGETVNETHDRSZ), offloads (TUNSETOFFLOAD), multi-queue attach/detach (TUNSETQUEUE),
// owner/group (TUNSETOWNER/TUNSETGROUP) and the fd's interface flags (TUNGETIFF).
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <cerrno>
#include <cstring>
#include "args.h"
#include "errors.h"
#include "tap.h"

#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

namespace devfs {
namespace {

constexpr unsigned kAllOffloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | TUN_F_UFO | TUN_F_USO4 | TUN_F_USO6;

// An unsigned integer argument in [lo, hi], else EINVAL naming `what`.
int64_t IntArg(const Napi::CallbackInfo& info, size_t i, const char* syscall, const char* what, int64_t lo, int64_t hi) {
  if (info.Length() <= i || !info[i].IsNumber()) ThrowInvalid(info.Env(), syscall, std::string(what) + " must be a number");
  double d = info[i].As<Napi::Number>().DoubleValue();
  int64_t v = static_cast<int64_t>(d);
  if (static_cast<double>(v) != d || v < lo || v > hi) ThrowInvalid(info.Env(), syscall, std::string(what) + " out of range");
  return v;
}

// Runs one ioctl with an int-sized value argument; throws with syscall 'ioctl'.
void TunIoctl(Napi::Env env, int fd, unsigned long req, unsigned long value) {
  if (ioctl(fd, req, value) < 0) ThrowErrno(env, errno, "ioctl");
}

// tunSetOffload(fd, flags): TUNSETOFFLOAD (TUN_F_* bits); bits the kernel lacks → EINVAL.
Napi::Value TunSetOffload(const Napi::CallbackInfo& info) {
  int fd = ToFd(info.Env(), info[0], "tunSetOffload");
  int64_t flags = IntArg(info, 1, "tunSetOffload", "offload flags", 0, kAllOffloads);
  TunIoctl(info.Env(), fd, TUNSETOFFLOAD, static_cast<unsigned long>(flags));
  return info.Env().Undefined();
}

// tunSetVnetHdrSz(fd, size): TUNSETVNETHDRSZ (the kernel wants >= 10, the legacy header).
Napi::Value TunSetVnetHdrSz(const Napi::CallbackInfo& info) {
  int fd = ToFd(info.Env(), info[0], "tunSetVnetHdrSz");
  int sz = static_cast<int>(IntArg(info, 1, "tunSetVnetHdrSz", "header size", 0, 256));
  if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0) ThrowErrno(info.Env(), errno, "ioctl");
  return info.Env().Undefined();
}

// tunGetVnetHdrSz(fd): TUNGETVNETHDRSZ.
Napi::Value TunGetVnetHdrSz(const Napi::CallbackInfo& info) {
  int fd = ToFd(info.Env(), info[0], "tunGetVnetHdrSz");
  int sz = 0;
  if (ioctl(fd, TUNGETVNETHDRSZ, &sz) < 0) ThrowErrno(info.Env(), errno, "ioctl");
  return Napi::Number::New(info.Env(), sz);
}

// tunSetQueue(fd, attach): TUNSETQUEUE with IFF_ATTACH_QUEUE or IFF_DETACH_QUEUE.
Napi::Value TunSetQueue(const Napi::CallbackInfo& info) {
  int fd = ToFd(info.Env(), info[0], "tunSetQueue");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = info.Length() > 1 && info[1].ToBoolean().Value() ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
  if (ioctl(fd, TUNSETQUEUE, &ifr) < 0) ThrowErrno(info.Env(), errno, "ioctl");
  return info.Env().Undefined();
}

// tunSetOwner(fd, uid) / tunSetGroup(fd, gid): TUNSETOWNER / TUNSETGROUP (-1 = none).
Napi::Value TunSetOwner(const Napi::CallbackInfo& info) {
  int fd = ToFd(info.Env(), info[0], "tunSetOwner");
  TunIoctl(info.Env(), fd, TUNSETOWNER, static_cast<unsigned long>(IntArg(info, 1, "tunSetOwner", "uid", -1, 0xfffffffe)));
  return info.Env().Undefined();
}

Napi::Value TunSetGroup(const Napi::CallbackInfo& info) {
  int fd = ToFd(info.Env(), info[0], "tunSetGroup");
  TunIoctl(info.Env(), fd, TUNSETGROUP, static_cast<unsigned long>(IntArg(info, 1, "tunSetGroup", "gid", -1, 0xfffffffe)));
  return info.Env().Undefined();
}

// tunGetFlags(fd): the interface flags of the fd (TUNGETIFF: IFF_TAP, IFF_VNET_HDR, IFF_MULTI_QUEUE, ...).
Napi::Value TunGetFlags(const Napi::CallbackInfo& info) {
  int fd = ToFd(info.Env(), info[0], "tunGetFlags");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  if (ioctl(fd, TUNGETIFF, &ifr) < 0) ThrowErrno(info.Env(), errno, "ioctl");
  return Napi::Number::New(info.Env(), static_cast<uint16_t>(ifr.ifr_flags));
}

}  // namespace

void InitTapFeatures(Napi::Env env, Napi::Object exports) {
  exports.Set("tunSetOffload", Napi::Function::New(env, TunSetOffload, "tunSetOffload"));
  exports.Set("tunSetVnetHdrSz", Napi::Function::New(env, TunSetVnetHdrSz, "tunSetVnetHdrSz"));
  exports.Set("tunGetVnetHdrSz", Napi::Function::New(env, TunGetVnetHdrSz, "tunGetVnetHdrSz"));
  exports.Set("tunSetQueue", Napi::Function::New(env, TunSetQueue, "tunSetQueue"));
  exports.Set("tunSetOwner", Napi::Function::New(env, TunSetOwner, "tunSetOwner"));
  exports.Set("tunSetGroup", Napi::Function::New(env, TunSetGroup, "tunSetGroup"));
  exports.Set("tunGetFlags", Napi::Function::New(env, TunGetFlags, "tunGetFlags"));
}

}  // namespace devfs
