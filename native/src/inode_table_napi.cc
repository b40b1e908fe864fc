// JS binding of the inode table and change log (types: native/lib/types/inodes.ts).
// A JS key packs a slot as gen * 2^24 + ino (gen < 2^29, so the key is a safe integer).
#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>
#include "errors.h"
#include "inode_table.h"
#include "modules.h"

namespace devfs {
namespace {

constexpr double kKeyScale = 16777216.0;  // 2^24
constexpr double kMaxSafe = 9007199254740991.0;

// A uint32 argument: TypeError when not a number, RangeError when not an integer in range.
uint32_t U32Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsNumber()) ThrowArgType(info.Env(), name, "of type number");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= 4294967295.0) || std::floor(v) != v)
    ThrowArgRange(info.Env(), name, "an integer >= 0 and <= 4294967295");
  return static_cast<uint32_t>(v);
}

// inodeInsert(tag?, name?) → key (0 when full).
Napi::Value InodeInsert(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t tag = TAG_KERNEL;
  if (info.Length() > 0 && !info[0].IsUndefined()) tag = U32Arg(info, 0, "tag");
  std::string name;
  bool has_name = info.Length() > 1 && !info[1].IsUndefined() && !info[1].IsNull();
  if (has_name) {
    if (!info[1].IsString()) ThrowArgType(env, "name", "of type string");
    name = info[1].As<Napi::String>().Utf8Value();
    if (tag == TAG_KERNEL) ThrowInvalid(env, "inodeInsert", "a name is kept only for a foreign tag (tag != 0)");
    if (name.size() >= kForeignNameMax) ThrowErrno(env, ENAMETOOLONG, "inodeInsert", name.c_str());
    if (memchr(name.data(), 0, name.size())) ThrowInvalid(env, "inodeInsert", "name contains a NUL byte");
  }
  uint32_t gen = 0;
  uint32_t ino = inode_insert(tag, has_name ? name.c_str() : nullptr, &gen);
  return Napi::Number::New(env, ino == 0 ? 0.0 : double(gen) * kKeyScale + double(ino));
}

Napi::Value InodeClear(const Napi::CallbackInfo& info) {
  uint32_t ino = U32Arg(info, 0, "ino");
  uint32_t gen = U32Arg(info, 1, "gen");
  return Napi::Boolean::New(info.Env(), inode_clear(ino, gen));
}

Napi::Value InodeIsLive(const Napi::CallbackInfo& info) {
  uint32_t ino = U32Arg(info, 0, "ino");
  uint32_t gen = U32Arg(info, 1, "gen");
  return Napi::Boolean::New(info.Env(), inode_is_live(ino, gen));
}

Napi::Value InodeForeignName(const Napi::CallbackInfo& info) {
  uint32_t ino = U32Arg(info, 0, "ino");
  uint32_t gen = U32Arg(info, 1, "gen");
  char buf[kForeignNameMax];
  if (!inode_foreign_name(ino, gen, buf, sizeof buf)) return info.Env().Undefined();
  return Napi::String::New(info.Env(), buf);
}

Napi::Value DevfsGeneration(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(devfs_generation()));
}

Napi::Value GenerationStamp(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(generation_stamp()));
}

Napi::Value GenerationWatch(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(generation_watch()));
}

Napi::Value ChangelogHead(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(changelog_head()));
}

Napi::Value InodeLiveCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(inode_live_count()));
}

// inodeForeignList(tag) → [ino, gen, ino, gen, ...] of the slots live with this tag right now.
// O(highest inode ever used): for the rare rescan after a reader fell behind the change log.
Napi::Value InodeForeignList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t want = U32Arg(info, 0, "tag");
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0, end = inode_high_water();
  for (uint32_t ino = 3; ino < end; ino++) {
    uint32_t gen, tag;
    if (!inode_slot(ino, &gen, &tag) || tag != want) continue;
    out.Set(n++, Napi::Number::New(env, ino));
    out.Set(n++, Napi::Number::New(env, gen));
  }
  return out;
}

// changelogRead(cursor, out: Uint32Array) → records written (4 uint32 each) or -1 (rescan).
// Writes straight into the caller's buffer: no allocation per call or per record.
Napi::Value ChangelogRead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) ThrowArgType(env, "cursor", "of type number");
  double c = info[0].As<Napi::Number>().DoubleValue();
  if (!(c >= 0 && c <= kMaxSafe) || std::floor(c) != c)
    ThrowArgRange(env, "cursor", "a safe integer >= 0");
  if (info.Length() < 2 || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
    ThrowArgType(env, "out", "an instance of Uint32Array");
  uint64_t cursor = static_cast<uint64_t>(c);
  if (cursor > changelog_head()) ThrowArgRange(env, "cursor", "<= changelogHead()");
  Napi::Uint32Array out = info[1].As<Napi::Uint32Array>();
  static_assert(sizeof(ChangeRecord) == 4 * sizeof(uint32_t), "record layout");
  size_t max = out.ElementLength() / 4;
  if (max > 0xffffffffu) max = 0xffffffffu;
  int64_t n = changelog_read(cursor, reinterpret_cast<ChangeRecord*>(out.Data()), uint32_t(max));
  return Napi::Number::New(env, double(n));
}

// generationWords() → Uint32Array(2) over devfs_generation itself (its two 32-bit halves): a
// caller on a hot path compares both words with what its last generationWatch() returned,
// without a call (inode_table.h says when the word moves). Read-only by contract; each aligned
// word is read whole, and a torn pair only ever reads as a change.
Napi::Value GenerationWords(const Napi::CallbackInfo& info) {
  static_assert(sizeof(std::atomic<uint64_t>) == sizeof(uint64_t), "lock-free 64-bit counter");
  void* p = const_cast<void*>(static_cast<const void*>(devfs_generation_word()));
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(info.Env(), p, sizeof(uint64_t));
  return Napi::Uint32Array::New(info.Env(), 2, ab, 0);
}

}  // namespace

void InitInodeTable(Napi::Env env, Napi::Object exports) {
  exports.Set("inodeInsert", Napi::Function::New(env, InodeInsert, "inodeInsert"));
  exports.Set("inodeClear", Napi::Function::New(env, InodeClear, "inodeClear"));
  exports.Set("inodeIsLive", Napi::Function::New(env, InodeIsLive, "inodeIsLive"));
  exports.Set("inodeForeignName", Napi::Function::New(env, InodeForeignName, "inodeForeignName"));
  exports.Set("inodeForeignList", Napi::Function::New(env, InodeForeignList, "inodeForeignList"));
  exports.Set("inodeLiveCount", Napi::Function::New(env, InodeLiveCount, "inodeLiveCount"));
  exports.Set("devfsGeneration", Napi::Function::New(env, DevfsGeneration, "devfsGeneration"));
  exports.Set("generationStamp", Napi::Function::New(env, GenerationStamp, "generationStamp"));
  exports.Set("generationWatch", Napi::Function::New(env, GenerationWatch, "generationWatch"));
  exports.Set("changelogHead", Napi::Function::New(env, ChangelogHead, "changelogHead"));
  exports.Set("generationWords", Napi::Function::New(env, GenerationWords, "generationWords"));
  exports.Set("changelogRead", Napi::Function::New(env, ChangelogRead, "changelogRead"));
  exports.Set("changelogCapacity", Napi::Number::New(env, kChangelogCapacity));
  exports.Set("inodeCapacity", Napi::Number::New(env, inode_capacity()));
}

}  // namespace devfs
