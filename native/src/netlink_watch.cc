// Link watcher: a native thread on a NETLINK_ROUTE socket (RTMGRP_LINK) that registers tap
// interfaces created outside (`ip tuntap add`) in the lock-free inode table and clears them when
// they go (`ip link del`), from that thread, then wakes JS through a thread-safe function.
//
// JS: startLinkWatcher(cb) → handle { stop(), claim(name), release(name), ref(), unref() }.
// Events: add, del, and change (IFF_UP or IFF_RUNNING of a known tap changed). Claimed names (interfaces the JS driver creates itself) get events with ino 0 and no inode.
// Existing taps are reported at start (RTM_GETLINK dump); on ENOBUFS the thread re-dumps and
// sweeps what vanished, so no change is lost. stop() and the env cleanup hook clear every inode
// the watcher inserted.
#include <net/if.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include "errors.h"
#include "inode_table.h"
#include "netlink.h"
#include "tap.h"

namespace devfs {
namespace {

enum EventType { EV_ADD, EV_DEL, EV_CHANGE };

struct LinkEvent {
  EventType type;
  std::string name;
  uint32_t ino, gen;
  int ifindex;
  bool claimed;
  unsigned flags;
};

class LinkWatcher {
 public:
  LinkWatcher(Napi::Env env, Napi::Function cb) : env_(env) {
    nl_ = NlOpen(RTMGRP_LINK, true);
    if (nl_ < 0) ThrowErrno(env, -nl_, "socket", "NETLINK_ROUTE");
    int rcvbuf = 1 << 20;
    setsockopt(nl_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    stopfd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (stopfd_ < 0) {
      int e = errno;
      close(nl_);
      ThrowErrno(env, e, "eventfd");
    }
    tsfn_ = Napi::ThreadSafeFunction::New(env, cb, "devfsTapLinkWatcher", 0, 1);
    tsfn_.Unref(env);
    napi_add_env_cleanup_hook(env, CleanupHook, this);
    thread_ = std::thread([this] { Run(); });
  }
  ~LinkWatcher() { Stop(); }

  /// Stops the thread (which clears its inodes), closes the fds, releases the tsfn. Idempotent.
  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    uint64_t one = 1;
    ssize_t w = write(stopfd_, &one, sizeof one);
    (void)w;
    if (thread_.joinable()) thread_.join();
    close(nl_);
    close(stopfd_);
    tsfn_.Release();
    napi_remove_env_cleanup_hook(env_, CleanupHook, this);
  }
  void Claim(const std::string& name) { std::lock_guard<std::mutex> g(mu_); claims_.insert(name); }
  void Release(const std::string& name) { std::lock_guard<std::mutex> g(mu_); claims_.erase(name); }
  void Ref() { if (!stopped_) tsfn_.Ref(env_); }
  void Unref() { if (!stopped_) tsfn_.Unref(env_); }

 private:
  struct Entry { std::string name; uint32_t ino; uint32_t gen; bool claimed; bool seen; unsigned flags; };

  static void CleanupHook(void* arg) { static_cast<LinkWatcher*>(arg)->Stop(); }

  bool IsClaimed(const std::string& name) { std::lock_guard<std::mutex> g(mu_); return claims_.count(name) > 0; }

  void Post(EventType type, const Entry& e, int ifindex) {
    auto* ev = new LinkEvent{type, e.name, e.ino, e.gen, ifindex, e.claimed, e.flags};
    napi_status st = tsfn_.NonBlockingCall(ev, [](Napi::Env env, Napi::Function cb, LinkEvent* ev) {
      std::unique_ptr<LinkEvent> own(ev);
      if (env == nullptr || cb.IsEmpty()) return;
      Napi::Object o = Napi::Object::New(env);
      o.Set("type", Napi::String::New(env, ev->type == EV_ADD ? "add" : ev->type == EV_DEL ? "del" : "change"));
      o.Set("name", Napi::String::New(env, ev->name));
      o.Set("ino", Napi::Number::New(env, ev->ino));
      o.Set("gen", Napi::Number::New(env, ev->gen));
      o.Set("ifindex", Napi::Number::New(env, ev->ifindex));
      o.Set("claimed", Napi::Boolean::New(env, ev->claimed));
      o.Set("flags", Napi::Number::New(env, ev->flags));
      cb.Call({o});
    });
    if (st != napi_ok) delete ev;
  }

  void OnNew(const LinkInfo& li, bool from_dump) {
    auto it = links_.find(li.ifindex);
    if (it != links_.end()) {
      Entry& known = it->second;
      known.seen = true;
      if (known.name == li.name) {
        constexpr unsigned kWatched = IFF_UP | IFF_RUNNING;
        if ((known.flags ^ li.flags) & kWatched) {
          known.flags = li.flags;
          Post(EV_CHANGE, known, li.ifindex);
        }
        known.flags = li.flags;
        return;
      }
      OnDel(li.ifindex);  // renamed: the old name goes, the new one comes
    }
    if (!li.is_tap) return;
    Entry e{li.name, 0, 0, IsClaimed(li.name), true, li.flags};
    if (!e.claimed) {
      // A queued NEWLINK of an interface that is already gone again: let its DELLINK pass unseen.
      if (!from_dump && if_nametoindex(li.name.c_str()) != static_cast<unsigned>(li.ifindex)) return;
      e.ino = inode_insert(TAP_TAG, li.name.c_str(), &e.gen);
      if (e.ino == 0) return;  // table full: nothing registered, nothing to report
    }
    links_[li.ifindex] = e;
    Post(EV_ADD, e, li.ifindex);
  }

  void OnDel(int ifindex) {
    auto it = links_.find(ifindex);
    if (it == links_.end()) return;
    Entry e = it->second;
    links_.erase(it);
    if (e.ino != 0) inode_clear(e.ino, e.gen);
    Post(EV_DEL, e, ifindex);
  }

  void StartDump() {
    if (dump_seq_ != 0) { resync_ = true; return; }  // one dump at a time per socket
    for (auto& kv : links_) kv.second.seen = false;
    struct { struct nlmsghdr h; struct ifinfomsg ifi; } req;
    memset(&req, 0, sizeof req);
    req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
    req.h.nlmsg_type = RTM_GETLINK;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = dump_seq_ = ++seq_;
    req.ifi.ifi_family = AF_UNSPEC;
    struct sockaddr_nl kernel;
    memset(&kernel, 0, sizeof kernel);
    kernel.nl_family = AF_NETLINK;
    if (sendto(nl_, &req, req.h.nlmsg_len, 0, reinterpret_cast<struct sockaddr*>(&kernel), sizeof kernel) < 0) {
      dump_seq_ = 0;
      resync_ = true;  // retried on the next wakeup
    }
  }

  void EndDump() {
    dump_seq_ = 0;
    std::vector<int> gone;
    for (auto& kv : links_) if (!kv.second.seen) gone.push_back(kv.first);
    for (int ifindex : gone) OnDel(ifindex);
    if (resync_) { resync_ = false; StartDump(); }
  }

  void Handle(const struct nlmsghdr* h) {
    bool from_dump = dump_seq_ != 0 && h->nlmsg_seq == dump_seq_;
    if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
      if (from_dump) EndDump();
      return;
    }
    LinkInfo li;
    if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) || !NlParseLink(h, &li)) return;
    if (h->nlmsg_type == RTM_NEWLINK) OnNew(li, from_dump); else OnDel(li.ifindex);
  }

  void Run() {
    alignas(struct nlmsghdr) static thread_local char buf[64 * 1024];
    StartDump();
    for (;;) {
      struct pollfd p[2] = {{nl_, POLLIN, 0}, {stopfd_, POLLIN, 0}};
      if (poll(p, 2, -1) < 0) { if (errno == EINTR) continue; break; }
      if (p[1].revents) break;
      for (;;) {
        ssize_t n = recv(nl_, buf, sizeof buf, 0);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == ENOBUFS) { StartDump(); continue; }  // overrun: events lost, re-read the truth
          break;                                            // EAGAIN: wait for the next wakeup
        }
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<struct nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) Handle(h);
      }
      if (resync_ && dump_seq_ == 0) { resync_ = false; StartDump(); }
    }
    for (auto& kv : links_) if (kv.second.ino != 0) inode_clear(kv.second.ino, kv.second.gen);
    links_.clear();
  }

  napi_env env_;
  int nl_ = -1, stopfd_ = -1;
  bool stopped_ = false;
  Napi::ThreadSafeFunction tsfn_;
  std::thread thread_;
  std::mutex mu_;
  std::set<std::string> claims_;
  // Owned by the watcher thread only:
  std::unordered_map<int, Entry> links_;
  uint32_t seq_ = 0, dump_seq_ = 0;
  bool resync_ = false;
};

class WatcherHandle : public Napi::ObjectWrap<WatcherHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "LinkWatcher", {
      InstanceMethod("stop", &WatcherHandle::Stop),
      InstanceMethod("claim", &WatcherHandle::Claim),
      InstanceMethod("release", &WatcherHandle::ReleaseName),
      InstanceMethod("ref", &WatcherHandle::Ref),
      InstanceMethod("unref", &WatcherHandle::Unref),
    });
  }
  explicit WatcherHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<WatcherHandle>(info) {
    if (info.Length() < 1 || !info[0].IsFunction()) ThrowInvalid(info.Env(), "startLinkWatcher", "callback must be a function");
    w_ = std::make_unique<LinkWatcher>(info.Env(), info[0].As<Napi::Function>());
  }

 private:
  Napi::Value Stop(const Napi::CallbackInfo& info) { w_->Stop(); return info.Env().Undefined(); }
  Napi::Value Claim(const Napi::CallbackInfo& info) { w_->Claim(IfNameArg(info, 0, "claim")); return info.Env().Undefined(); }
  Napi::Value ReleaseName(const Napi::CallbackInfo& info) { w_->Release(IfNameArg(info, 0, "release")); return info.Env().Undefined(); }
  Napi::Value Ref(const Napi::CallbackInfo& info) { w_->Ref(); return info.Env().Undefined(); }
  Napi::Value Unref(const Napi::CallbackInfo& info) { w_->Unref(); return info.Env().Undefined(); }
  std::unique_ptr<LinkWatcher> w_;
};

}  // namespace

void InitNetlinkWatch(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = WatcherHandle::Define(env);
  auto* ref = new Napi::FunctionReference(Napi::Persistent(ctor));
  env.AddCleanupHook([ref] { delete ref; });
  exports.Set("startLinkWatcher", Napi::Function::New(env, [ref](const Napi::CallbackInfo& info) -> Napi::Value {
    return ref->New({info.Length() > 0 ? info[0] : info.Env().Undefined()});
  }, "startLinkWatcher"));
}

}  // namespace devfs
