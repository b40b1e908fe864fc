// shm: memory that several JS threads of this process see as ordinary (non-shared) ArrayBuffers.
//
// A SharedArrayBuffer is the portable way to share bytes between worker_threads, but V8 copies
// into and out of one with relaxed atomic word moves (it must assume a racing writer): a 64 KiB
// Buffer#copy takes ~2.3 µs against ~0.55 µs between ordinary buffers. A driver running in a
// worker copies its bytes with the same Buffer calls, so every isolated read and write paid that
// twice. A region here is plain memory (calloc) registered under a key; each thread that maps it
// gets an external ArrayBuffer over it, and copies are memmove. The threads must order their
// accesses themselves (the isolated-driver rings do, with Atomics on a SharedArrayBuffer).
//
// Lifetime: a region lives while any mapping of it does. Each mapping holds a reference, dropped
// by its finalizer (on garbage collection, or when its thread's environment is torn down); the
// last one frees the memory and forgets the key, and later shmMap(key) calls are ENOENT. Keys
// are never reused.
#include <cerrno>
#include <cstdlib>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "errors.h"
#include "modules.h"

namespace devfs {
namespace {

/// One region: its memory and how many ArrayBuffers map it.
struct Region {
  void* data;
  size_t length;
  uint64_t key;
  size_t refs;
};

/// The process-global registry (every thread's addon instance shares it).
struct Registry {
  std::mutex mu;
  std::unordered_map<uint64_t, Region*> regions;
  uint64_t nextKey = 0;
  size_t bytes = 0;
};

Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: worker finalizers may run at exit
  return *r;
}

/// The largest region (1 GiB): well above any transfer the callers make.
constexpr double kMaxBytes = static_cast<double>(1u << 30);

void Unmapped(napi_env env, void* data, void* hint) {
  Region* r = static_cast<Region*>(hint);
  Registry& reg = registry();
  bool last = false;
  {
    std::lock_guard<std::mutex> lock(reg.mu);
    if (--r->refs == 0) {
      reg.regions.erase(r->key);
      reg.bytes -= r->length;
      last = true;
    }
  }
  if (last) {
    std::free(r->data);
    delete r;
  }
}

/// A new mapping of `r` (its reference already counted by the caller) as an ArrayBuffer.
Napi::ArrayBuffer MapRegion(Napi::Env env, Region* r) {
  napi_value ab;
  napi_status st = napi_create_external_arraybuffer(env, r->data, r->length, Unmapped, r, &ab);
  if (st != napi_ok) {
    Unmapped(env, r->data, r);
    ThrowErrno(env, ENOMEM, "shmMap");
  }
  return Napi::ArrayBuffer(env, ab);
}

// shmCreate(bytes) → { key, buffer }: a new zero-filled region of 1..1 GiB, mapped in this thread.
Napi::Value ShmCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) ThrowArgType(env, "bytes", "of type number");
  double n = info[0].As<Napi::Number>().DoubleValue();
  if (!(n >= 1 && n <= kMaxBytes) || n != static_cast<double>(static_cast<uint64_t>(n))) ThrowArgRange(env, "bytes", "an integer >= 1 and <= 1073741824");
  size_t length = static_cast<size_t>(n);
  void* data = std::calloc(1, length);
  if (data == nullptr) ThrowErrno(env, ENOMEM, "shmCreate");
  Region* r = new Region{data, length, 0, 1};
  Registry& reg = registry();
  {
    std::lock_guard<std::mutex> lock(reg.mu);
    r->key = ++reg.nextKey;
    reg.regions.emplace(r->key, r);
    reg.bytes += length;
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("key", Napi::Number::New(env, static_cast<double>(r->key)));
  out.Set("buffer", MapRegion(env, r));
  return out;
}

// shmMap(key) → ArrayBuffer: another mapping of a live region (any thread). ENOENT when none.
Napi::Value ShmMap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) ThrowArgType(env, "key", "of type number");
  double k = info[0].As<Napi::Number>().DoubleValue();
  Region* r = nullptr;
  if (k >= 1 && k <= 9007199254740991.0) {
    Registry& reg = registry();
    std::lock_guard<std::mutex> lock(reg.mu);
    auto it = reg.regions.find(static_cast<uint64_t>(k));
    if (it != reg.regions.end() && static_cast<double>(it->first) == k) {
      r = it->second;
      r->refs++;
    }
  }
  if (r == nullptr) ThrowErrno(env, ENOENT, "shmMap");
  return MapRegion(env, r);
}

// shmStats() → { regions, bytes }: what the registry holds now (leak checks).
Napi::Value ShmStats(const Napi::CallbackInfo& info) {
  Registry& reg = registry();
  size_t count, bytes;
  {
    std::lock_guard<std::mutex> lock(reg.mu);
    count = reg.regions.size();
    bytes = reg.bytes;
  }
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("regions", Napi::Number::New(info.Env(), static_cast<double>(count)));
  out.Set("bytes", Napi::Number::New(info.Env(), static_cast<double>(bytes)));
  return out;
}

}  // namespace

void InitShm(Napi::Env env, Napi::Object exports) {
  exports.Set("shmCreate", Napi::Function::New(env, ShmCreate, "shmCreate"));
  exports.Set("shmMap", Napi::Function::New(env, ShmMap, "shmMap"));
  exports.Set("shmStats", Napi::Function::New(env, ShmStats, "shmStats"));
}

}  // namespace devfs
