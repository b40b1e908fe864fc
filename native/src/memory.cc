// memory: give freed heap back to the kernel (glibc keeps freed chunks in its arenas; a daemon
// that served a burst of clients would otherwise keep that RSS after the burst is gone).
#include <malloc.h>

#include "modules.h"

namespace devfs {

// mallocTrim() → true when glibc released memory to the system (malloc_trim(0)); false elsewhere.
static Napi::Value MallocTrim(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  return Napi::Boolean::New(info.Env(), ::malloc_trim(0) == 1);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

void InitMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("mallocTrim", Napi::Function::New(env, MallocTrim, "mallocTrim"));
}

}  // namespace devfs
