// Module entry: each concern registers its own functions on the exports object.
#include <napi.h>
#include "modules.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  devfs::InitInodeTable(env, exports);
  devfs::InitFdio(env, exports);
  devfs::InitPty(env, exports);
  devfs::InitTap(env, exports);
  devfs::InitSock(env, exports);
  devfs::InitFuse(env, exports);
  devfs::InitMemory(env, exports);
  devfs::InitShm(env, exports);
  return exports;
}

NODE_API_MODULE(devfs_native, Init)
