// Shared declarations of the tap concern (tap*.cc, netlink*.cc).
#pragma once
#include <napi.h>
#include <string>

namespace devfs {

/// Owner tag of inodes the netlink link watcher inserts (the JS kernel uses TAG_KERNEL = 0).
constexpr uint32_t TAP_TAG = 2;

/// Reads an interface-name argument (1..IFNAMSIZ-1 chars, no '/' or whitespace), else EINVAL.
std::string IfNameArg(const Napi::CallbackInfo& info, size_t i, const char* syscall);

void InitTapIface(Napi::Env env, Napi::Object exports);     // tap_iface.cc: SIOCGIF*/SIOCSIF* helpers
void InitTapNetns(Napi::Env env, Napi::Object exports);     // tap_netns.cc: setns for the calling thread
void InitTapFeatures(Napi::Env env, Napi::Object exports);  // tap_features.cc: vnet header, offloads, queues, owner
void InitNetlinkLink(Napi::Env env, Napi::Object exports);  // netlink_link.cc: RTM_DELLINK
void InitNetlinkWatch(Napi::Env env, Napi::Object exports); // netlink_watch.cc: link watcher thread

}  // namespace devfs
