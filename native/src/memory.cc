// memory: give memory back to the kernel after a burst. glibc keeps freed chunks in its arenas,
// and V8 keeps its young generation at the size a burst grew it to (up to 2 × 16 MiB) — a full
// gc() does not shrink it; only a low-memory collection does. A daemon that served a burst of
// clients would otherwise keep that RSS after the burst is gone.
// lowMemoryNotification uses V8's own API (not Node-API): the addon is compiled at install against
// the Node that runs it, so the V8 ABI matches.
#include <malloc.h>
#include <v8.h>

#include "errors.h"
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

// mallocArenaMax(n): caps glibc's malloc arenas (M_ARENA_MAX). Every thread that allocates gets
// an arena of its own up to 8 × cores, and an arena is never given back: a daemon whose pty reader
// threads come and go keeps each one's fragments resident. Call early, before threads allocate.
static Napi::Value MallocArenaMax(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  int n = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  if (n < 1) ThrowInvalid(info.Env(), "mallopt", "M_ARENA_MAX must be an integer >= 1");
  return Napi::Boolean::New(info.Env(), ::mallopt(M_ARENA_MAX, n) == 1);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

// mallocThresholds(mmapBytes, trimBytes): fixes glibc's M_MMAP_THRESHOLD and M_TRIM_THRESHOLD.
// By default both are dynamic: each freed mmapped chunk raises the mmap threshold to its size (up
// to 32 MiB) and the trim threshold to twice that, so after one large buffer later ones come from
// the arenas, and a thread arena's free top (malloc_trim(0) releases free chunks in bins, never a
// non-main arena's top) stays resident up to the raised trim threshold. Fixed values end that:
// large buffers are mmapped and unmapped when freed, and a free top above trimBytes is returned.
static Napi::Value MallocThresholds(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  Napi::Env env = info.Env();
  int64_t mmapBytes = info[0].IsNumber() ? info[0].As<Napi::Number>().Int64Value() : -1;
  int64_t trimBytes = info[1].IsNumber() ? info[1].As<Napi::Number>().Int64Value() : -1;
  if (mmapBytes < 0 || mmapBytes > (32LL << 20)) ThrowInvalid(env, "mallopt", "M_MMAP_THRESHOLD must be 0..32 MiB");
  if (trimBytes < 0 || trimBytes > (1LL << 30)) ThrowInvalid(env, "mallopt", "M_TRIM_THRESHOLD must be 0..1 GiB");
  bool ok = ::mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmapBytes)) == 1;
  ok = ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(trimBytes)) == 1 && ok;
  return Napi::Boolean::New(env, ok);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

void InitMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("mallocTrim", Napi::Function::New(env, MallocTrim, "mallocTrim"));
  exports.Set("mallocArenaMax", Napi::Function::New(env, MallocArenaMax, "mallocArenaMax"));
  exports.Set("mallocThresholds", Napi::Function::New(env, MallocThresholds, "mallocThresholds"));
  exports.Set("lowMemoryNotification", Napi::Function::New(env, LowMemoryNotification, "lowMemoryNotification"));
}

}  // namespace devfs
