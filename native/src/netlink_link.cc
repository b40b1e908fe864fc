// ifDelete(name): removes a network interface with rtnetlink RTM_DELLINK (works for persistent taps
// and for taps still attached to an fd).
#include <linux/if_link.h>
#include <unistd.h>
#include <cstring>
#include "errors.h"
#include "netlink.h"
#include "tap.h"

namespace devfs {
namespace {

Napi::Value IfDelete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = IfNameArg(info, 0, "ifDelete");
  struct {
    struct nlmsghdr h;
    struct ifinfomsg ifi;
    char attrs[64];
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_type = RTM_DELLINK;
  req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
  req.ifi.ifi_family = AF_UNSPEC;
  auto* rta = reinterpret_cast<struct rtattr*>(reinterpret_cast<char*>(&req) + NLMSG_ALIGN(req.h.nlmsg_len));
  rta->rta_type = IFLA_IFNAME;
  rta->rta_len = RTA_LENGTH(name.size() + 1);
  memcpy(RTA_DATA(rta), name.c_str(), name.size() + 1);
  req.h.nlmsg_len = NLMSG_ALIGN(req.h.nlmsg_len) + RTA_ALIGN(rta->rta_len);
  int fd = NlOpen(0, false);
  if (fd < 0) ThrowErrno(env, -fd, "socket");
  int rc = NlRequestAck(fd, &req.h);
  close(fd);
  if (rc < 0) ThrowErrno(env, -rc, "RTM_DELLINK", name.c_str());
  return env.Undefined();
}

}  // namespace

void InitNetlinkLink(Napi::Env env, Napi::Object exports) {
  exports.Set("ifDelete", Napi::Function::New(env, IfDelete, "ifDelete"));
}

}  // namespace devfs
