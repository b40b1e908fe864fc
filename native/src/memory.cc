// memory: give memory back to the kernel after a burst. glibc keeps freed chunks in its arenas,
// and V8 keeps its young generation at the size a burst grew it to (up to 2 × 16 MiB) — a full
// gc() does not shrink it; only a low-memory collection does. A daemon that served a burst of
// clients would otherwise keep that RSS after the burst is gone.
// lowMemoryNotification uses V8's own API (not Node-API): the addon is compiled at install against
// the Node that runs it, so the V8 ABI matches.
#include <malloc.h>
#include <v8.h>

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

// lowMemoryNotification(): V8's collection for memory pressure — a full GC that also shrinks the
// young generation and releases free pages. Tens of milliseconds on a small heap; call it when idle.
static Napi::Value LowMemoryNotification(const Napi::CallbackInfo& info) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate != nullptr) isolate->LowMemoryNotification();
  return info.Env().Undefined();
}

void InitMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("mallocTrim", Napi::Function::New(env, MallocTrim, "mallocTrim"));
  exports.Set("lowMemoryNotification", Napi::Function::New(env, LowMemoryNotification, "lowMemoryNotification"));
}

}  // namespace devfs
