// rtnetlink helpers: open/bind, link message decoding, request + ACK.
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include "netlink.h"

namespace devfs {

int NlOpen(uint32_t groups, bool nonblock) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), NETLINK_ROUTE);
  if (fd < 0) return -errno;
  struct sockaddr_nl sa;
  memset(&sa, 0, sizeof sa);
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = groups;
  if (bind(fd, reinterpret_cast<struct sockaddr*>(&sa), sizeof sa) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

namespace {
// Walks the attributes in [rta, rta+len) and calls f(type, data, payload length).
template <typename F>
void ForEachAttr(const struct rtattr* rta, int len, F f) {
  for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
    f(rta->rta_type & NLA_TYPE_MASK, RTA_DATA(rta), RTA_PAYLOAD(rta));
}
}  // namespace

bool NlParseLink(const struct nlmsghdr* h, LinkInfo* out) {
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) return false;
  auto* ifi = static_cast<const struct ifinfomsg*>(NLMSG_DATA(h));
  out->ifindex = ifi->ifi_index;
  out->flags = ifi->ifi_flags;
  bool kind_tun = false, have_type = false, type_tap = false;
  ForEachAttr(IFLA_RTA(ifi), IFLA_PAYLOAD(h), [&](int type, const void* data, size_t n) {
    if (type == IFLA_IFNAME) {
      out->name.assign(static_cast<const char*>(data), strnlen(static_cast<const char*>(data), n));
    } else if (type == IFLA_LINKINFO) {
      ForEachAttr(static_cast<const struct rtattr*>(data), n, [&](int t2, const void* d2, size_t n2) {
        if (t2 == IFLA_INFO_KIND) {
          kind_tun = strnlen(static_cast<const char*>(d2), n2) == 3 && memcmp(d2, "tun", 3) == 0;
        } else if (t2 == IFLA_INFO_DATA) {
          ForEachAttr(static_cast<const struct rtattr*>(d2), n2, [&](int t3, const void* d3, size_t n3) {
            if (t3 == IFLA_TUN_TYPE && n3 >= 1) {
              have_type = true;
              type_tap = (*static_cast<const uint8_t*>(d3) & (IFF_TUN | IFF_TAP)) == IFF_TAP;
            }
          });
        }
      });
    }
  });
  out->is_tap = kind_tun && (have_type ? type_tap : ifi->ifi_type == ARPHRD_ETHER);
  return !out->name.empty() || h->nlmsg_type == RTM_DELLINK;
}

int NlRequestAck(int fd, struct nlmsghdr* req) {
  static uint32_t seq_counter = 0;
  req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  req->nlmsg_seq = __atomic_add_fetch(&seq_counter, 1, __ATOMIC_RELAXED);
  struct sockaddr_nl kernel;
  memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, req, req->nlmsg_len, 0, reinterpret_cast<struct sockaddr*>(&kernel), sizeof kernel) < 0) return -errno;
  alignas(struct nlmsghdr) char buf[8192];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<struct nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != req->nlmsg_seq || h->nlmsg_type != NLMSG_ERROR) continue;
      auto* err = static_cast<struct nlmsgerr*>(NLMSG_DATA(h));
      return err->error;  // 0 = ACK, else -errno
    }
  }
}

}  // namespace devfs
