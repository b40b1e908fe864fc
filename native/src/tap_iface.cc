// Interface helpers on an AF_INET control socket: hardware address, flags, MTU, index.
// Each call opens its own SOCK_CLOEXEC socket in the calling thread's network namespace.
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include "errors.h"
#include "tap.h"

namespace devfs {
namespace {

// Runs one SIOC* ioctl on `name`; throws with syscall 'ioctl' and the interface as path.
void IfIoctl(Napi::Env env, unsigned long req, struct ifreq* ifr, const std::string& name) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) ThrowErrno(env, errno, "socket");
  memset(ifr->ifr_name, 0, IFNAMSIZ);
  memcpy(ifr->ifr_name, name.data(), name.size());
  int rc = ioctl(s, req, ifr);
  int e = errno;
  close(s);
  if (rc < 0) ThrowErrno(env, e, "ioctl", name.c_str());
}

Napi::Value IfGetHwaddr(const Napi::CallbackInfo& info) {
  std::string name = IfNameArg(info, 0, "ifGetHwaddr");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  IfIoctl(info.Env(), SIOCGIFHWADDR, &ifr, name);
  return Napi::Buffer<uint8_t>::Copy(info.Env(), reinterpret_cast<uint8_t*>(ifr.ifr_hwaddr.sa_data), 6);
}

Napi::Value IfSetHwaddr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = IfNameArg(info, 0, "ifSetHwaddr");
  if (info.Length() < 2 || !info[1].IsBuffer() || info[1].As<Napi::Buffer<uint8_t>>().Length() != 6)
    ThrowInvalid(env, "ifSetHwaddr", "address must be a 6-byte Buffer");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
  memcpy(ifr.ifr_hwaddr.sa_data, info[1].As<Napi::Buffer<uint8_t>>().Data(), 6);
  IfIoctl(env, SIOCSIFHWADDR, &ifr, name);
  return env.Undefined();
}

Napi::Value IfGetFlags(const Napi::CallbackInfo& info) {
  std::string name = IfNameArg(info, 0, "ifGetFlags");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  IfIoctl(info.Env(), SIOCGIFFLAGS, &ifr, name);
  return Napi::Number::New(info.Env(), static_cast<uint16_t>(ifr.ifr_flags));
}

Napi::Value IfSetUp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = IfNameArg(info, 0, "ifSetUp");
  bool up = info.Length() > 1 && info[1].ToBoolean().Value();
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  IfIoctl(env, SIOCGIFFLAGS, &ifr, name);
  if (up) ifr.ifr_flags |= IFF_UP; else ifr.ifr_flags &= ~IFF_UP;
  IfIoctl(env, SIOCSIFFLAGS, &ifr, name);
  return env.Undefined();
}

Napi::Value IfGetMtu(const Napi::CallbackInfo& info) {
  std::string name = IfNameArg(info, 0, "ifGetMtu");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  IfIoctl(info.Env(), SIOCGIFMTU, &ifr, name);
  return Napi::Number::New(info.Env(), ifr.ifr_mtu);
}

Napi::Value IfSetMtu(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = IfNameArg(info, 0, "ifSetMtu");
  if (info.Length() < 2 || !info[1].IsNumber()) ThrowInvalid(env, "ifSetMtu", "mtu must be an integer in 68..65535");
  double v = info[1].As<Napi::Number>().DoubleValue();
  if (v != static_cast<double>(static_cast<int>(v)) || v < 68 || v > 65535) ThrowInvalid(env, "ifSetMtu", "mtu must be an integer in 68..65535");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_mtu = static_cast<int>(v);
  IfIoctl(env, SIOCSIFMTU, &ifr, name);
  return env.Undefined();
}

Napi::Value IfIndex(const Napi::CallbackInfo& info) {
  std::string name = IfNameArg(info, 0, "ifIndex");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  IfIoctl(info.Env(), SIOCGIFINDEX, &ifr, name);
  return Napi::Number::New(info.Env(), ifr.ifr_ifindex);
}

}  // namespace

void InitTapIface(Napi::Env env, Napi::Object exports) {
  exports.Set("ifGetHwaddr", Napi::Function::New(env, IfGetHwaddr, "ifGetHwaddr"));
  exports.Set("ifSetHwaddr", Napi::Function::New(env, IfSetHwaddr, "ifSetHwaddr"));
  exports.Set("ifGetFlags", Napi::Function::New(env, IfGetFlags, "ifGetFlags"));
  exports.Set("ifSetUp", Napi::Function::New(env, IfSetUp, "ifSetUp"));
  exports.Set("ifGetMtu", Napi::Function::New(env, IfGetMtu, "ifGetMtu"));
  exports.Set("ifSetMtu", Napi::Function::New(env, IfSetMtu, "ifSetMtu"));
  exports.Set("ifIndex", Napi::Function::New(env, IfIndex, "ifIndex"));
}

}  // namespace devfs
