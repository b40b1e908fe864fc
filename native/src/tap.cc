// /dev/net/tun: open a tap interface (TUNSETIFF IFF_TAP|IFF_NO_PI) and make it persistent.
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include "errors.h"
#include "modules.h"
#include "tap.h"

namespace devfs {

std::string IfNameArg(const Napi::CallbackInfo& info, size_t i, const char* syscall) {
  if (info.Length() <= i || !info[i].IsString()) ThrowInvalid(info.Env(), syscall, "interface name must be a string");
  std::string name = info[i].As<Napi::String>();
  if (name.empty() || name.size() >= IFNAMSIZ) ThrowInvalid(info.Env(), syscall, "bad interface name '" + name + "'");
  for (char c : name)
    if (c == '/' || c == ':' || c <= ' ' || c == 0x7f) ThrowInvalid(info.Env(), syscall, "bad interface name '" + name + "'");
  return name;
}

namespace {

constexpr const char* kTunPath = "/dev/net/tun";

// tunOpen(name, exclusive?, features?): { fd, name } — '' lets the kernel pick the lowest free
// tapN; exclusive (IFF_TUN_EXCL) fails with EBUSY instead of attaching to an existing interface;
// features { vnetHdr, multiQueue, tun } add IFF_VNET_HDR / IFF_MULTI_QUEUE, or make a layer-3
// tun interface (IFF_TUN instead of IFF_TAP) (a multi-queue interface
// takes one such open per queue; flags that differ from the existing interface's → EINVAL).
Napi::Value TunOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string want = (info.Length() > 0 && info[0].IsString() && info[0].As<Napi::String>().Utf8Value().empty())
                         ? std::string()
                         : IfNameArg(info, 0, "tunOpen");
  int fd = open(kTunPath, O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) ThrowErrno(env, errno, "open", kTunPath);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  if (info.Length() > 1 && info[1].ToBoolean().Value()) ifr.ifr_flags |= IFF_TUN_EXCL;
  if (info.Length() > 2 && info[2].IsObject()) {
    Napi::Object f = info[2].As<Napi::Object>();
    if (f.Get("vnetHdr").ToBoolean().Value()) ifr.ifr_flags |= IFF_VNET_HDR;
    if (f.Get("multiQueue").ToBoolean().Value()) ifr.ifr_flags |= IFF_MULTI_QUEUE;
    if (f.Get("tun").ToBoolean().Value()) ifr.ifr_flags = (ifr.ifr_flags & ~IFF_TAP) | IFF_TUN;  // layer 3: IP packets, no Ethernet header
  }
  if (!want.empty()) memcpy(ifr.ifr_name, want.data(), want.size());
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int e = errno;
    close(fd);
    ThrowErrno(env, e, "ioctl", want.empty() ? kTunPath : want.c_str());
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("fd", Napi::Number::New(env, fd));
  out.Set("name", Napi::String::New(env, std::string(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ))));
  return out;
}

// tunSetPersist(fd, persist): TUNSETPERSIST.
Napi::Value TunSetPersist(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber()) ThrowInvalid(env, "tunSetPersist", "fd must be a number");
  int fd = info[0].As<Napi::Number>().Int32Value();
  unsigned long on = info[1].ToBoolean().Value() ? 1 : 0;
  if (ioctl(fd, TUNSETPERSIST, on) < 0) ThrowErrno(env, errno, "ioctl");
  return env.Undefined();
}

// tunGetName(fd): the interface name attached to a tun fd (TUNGETIFF).
Napi::Value TunGetName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) ThrowInvalid(env, "tunGetName", "fd must be a number");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  if (ioctl(info[0].As<Napi::Number>().Int32Value(), TUNGETIFF, &ifr) < 0) ThrowErrno(env, errno, "ioctl");
  return Napi::String::New(env, std::string(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ)));
}

}  // namespace

void InitTap(Napi::Env env, Napi::Object exports) {
  exports.Set("tunOpen", Napi::Function::New(env, TunOpen, "tunOpen"));
  exports.Set("tunSetPersist", Napi::Function::New(env, TunSetPersist, "tunSetPersist"));
  exports.Set("tunGetName", Napi::Function::New(env, TunGetName, "tunGetName"));
  InitTapIface(env, exports);
  InitTapNetns(env, exports);
  InitTapFeatures(env, exports);
  InitNetlinkLink(env, exports);
  InitNetlinkWatch(env, exports);
}

}  // namespace devfs
