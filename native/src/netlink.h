// Small rtnetlink helpers shared by netlink_link.cc and netlink_watch.cc (no Node API here).
#pragma once
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <cstdint>
#include <string>

namespace devfs {

/// Opens a NETLINK_ROUTE socket (SOCK_CLOEXEC, optionally non-blocking) bound to `groups`.
/// Returns the fd, or -errno.
int NlOpen(uint32_t groups, bool nonblock);

/// Fields of one RTM_NEWLINK/RTM_DELLINK message the tap concern cares about.
struct LinkInfo {
  int ifindex = 0;
  unsigned flags = 0;   // ifi_flags (IFF_UP, IFF_RUNNING, ...)
  std::string name;
  bool is_tap = false;  // kind "tun" with IFLA_TUN_TYPE == IFF_TAP (or ARPHRD_ETHER when absent)
};

/// Decodes an ifinfomsg and its attributes. False when the message is malformed.
bool NlParseLink(const struct nlmsghdr* h, LinkInfo* out);

/// Sends one request and waits for its ACK. Returns 0 or -errno (from the kernel's NLMSG_ERROR).
int NlRequestAck(int fd, struct nlmsghdr* req);

}  // namespace devfs
