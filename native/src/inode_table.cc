// Process-global, lock-free inode table and change log. See inode_table.h for the contract and
// native/README.md ("The inode table") for the design; this file is the only implementation.
//
// The table is one static instance per loaded shared object, so every worker_thread and native
// thread of the process shares it. Which inode an insert gets is inode_alloc.cc's job (per-thread
// caches), the log is inode_changelog.cc's (a ring per thread) and inode_sequencer.cc's (the one
// global order readers see, made when they read); two writers share no written cache line per
// change in the steady state.
//
// Memory orders: a slot goes live with a release store and is read with acquire loads; clear is
// an acq_rel CAS. An INSERT is opened in the thread's log (changelog::Begin) before the slot goes
// live and a CLEAR before the slot is handed back to the allocator, so a record another thread's
// change depends on is always published or in flight when a round that takes the later one scans
// (see inode_changelog.h).
#include "inode_table.h"

#include <sys/mman.h>
#include <atomic>
#include <cstring>
#include "inode_alloc.h"
#include "inode_changelog.h"
#include "inode_slot.h"

namespace devfs {
namespace {

// ---- Slots (word layout: inode_slot.h) ----------------------------------------------------------
//
// Foreign names (tag != TAG_KERNEL) live in a separate lazily-mapped array, read seqlock-style.

using namespace slot;  // NOLINT: the slot word's helpers are this file's vocabulary

constexpr size_t kNameWords = kForeignNameMax / 8;  // name bytes incl. NUL, as atomic words
struct NameCell { std::atomic<uint64_t> w[kNameWords]; };
static_assert(sizeof(NameCell) == kForeignNameMax, "name cell size");

// Reserves `count` elements of T virtually; pages are touched (and cost memory) only when used.
// Falls back to smaller reservations when the address space or overcommit policy refuses.
template <typename T>
T* Reserve(uint32_t want, uint32_t min, uint32_t* got) {
  for (uint32_t n = want; n >= min; n >>= 1) {
    void* p = mmap(nullptr, size_t(n) * sizeof(T), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) {
      *got = n;
      return static_cast<T*>(p);
    }
  }
  *got = 0;
  return nullptr;
}

// Read-mostly (set once at load; names once); on a line apart from anything written per change.
struct alignas(64) Table {
  std::atomic<std::atomic<uint64_t>*> slots{nullptr};
  std::atomic<uint32_t> capacity{0};
  std::atomic<NameCell*> names{nullptr};
};

Table g_table;

// Maps the slot array once, when the shared object is loaded (before any thread can call in), so
// the hot paths read a plain pointer and never race on initialisation.
std::atomic<uint64_t>* MapSlots() {
  uint32_t cap = 0;
  auto* s = Reserve<std::atomic<uint64_t>>(kInodeCapacity, 1u << 16, &cap);
  g_table.capacity.store(cap);
  g_table.slots.store(s);
  alloc::Init(s);
  return s;
}
[[maybe_unused]] std::atomic<uint64_t>* const g_slots_at_load = MapSlots();

std::atomic<uint64_t>* Slots() { return g_table.slots.load(std::memory_order_acquire); }

NameCell* Names(bool create) {
  NameCell* n = g_table.names.load(std::memory_order_acquire);
  if (n || !create) return n;
  uint32_t cap = 0;
  NameCell* mine = Reserve<NameCell>(g_table.capacity.load(), g_table.capacity.load(), &cap);
  if (!mine) return nullptr;
  NameCell* expected = nullptr;
  if (g_table.names.compare_exchange_strong(expected, mine)) return mine;
  munmap(mine, size_t(cap) * sizeof(NameCell));
  return expected;
}

void StoreName(uint32_t idx, const char* name) {
  NameCell* names = Names(true);
  if (!names) return;
  char buf[kForeignNameMax] = {0};
  if (name) strncpy(buf, name, kForeignNameMax - 1);
  // Pairs with the acquire fence in inode_foreign_name: a reader that sees any byte written here
  // also sees the clear that freed the slot, so its re-check of the state word fails.
  std::atomic_thread_fence(std::memory_order_release);
  for (size_t i = 0; i < kNameWords; i++) {
    uint64_t w;
    memcpy(&w, buf + i * 8, 8);
    names[idx].w[i].store(w, std::memory_order_relaxed);
  }
}

}  // namespace

// ---- Public API --------------------------------------------------------------------------------

uint32_t inode_insert(uint32_t tag, const char* name, uint32_t* gen_out) {
  std::atomic<uint64_t>* slots = Slots();
  if (!slots) return 0;
  alloc::Cell* self = alloc::Self();
  bool handed = false;
  uint32_t idx = alloc::Take(self, slots, g_table.capacity.load(std::memory_order_relaxed), &handed);
  if (idx == 0) return 0;  // full
  // Numbers off the shared stack may have been freed by another thread: its CLEAR records carry
  // an older epoch than this thread's next INSERTs.
  if (handed) changelog::EpochBump();
  // This thread owns the free slot (its own cache, or taken from the shared stack with acquire).
  uint32_t gen = NextGen(GenOf(slots[idx].load(std::memory_order_relaxed)));
  if (tag != TAG_KERNEL) StoreName(idx, name);
  // The record is opened before the slot goes live, so the INSERT of (ino, gen) always sorts
  // before any CLEAR of it, and a CLEAR (opened before the slot is freed) before the next INSERT.
  changelog::Pending rec = changelog::Begin(self);
  slots[idx].store(LiveWord(gen, tag), std::memory_order_release);
  alloc::CountLive(self, 1);
  changelog::End(rec, CHANGE_INSERT, idx, gen, tag);
  if (gen_out) *gen_out = gen;
  return idx;
}

bool inode_clear(uint32_t ino, uint32_t gen) {
  std::atomic<uint64_t>* slots = Slots();
  if (!slots || ino < kFirstIno || ino >= g_table.capacity.load(std::memory_order_relaxed) || gen == 0 ||
      gen > kGenMax)
    return false;
  uint64_t w = slots[ino].load(std::memory_order_acquire);
  for (;;) {
    if (!LiveOf(w) || GenOf(w) != gen) return false;
    if (slots[ino].compare_exchange_weak(w, FreeWord(gen, 0), std::memory_order_acq_rel, std::memory_order_acquire))
      break;
  }
  uint32_t tag = HiOf(w);
  alloc::Cell* self = alloc::Self();
  changelog::Pending rec = changelog::Begin(self);
  alloc::CountLive(self, -1);
  changelog::End(rec, CHANGE_CLEAR, ino, gen, tag);
  alloc::Give(self, slots, ino);
  return true;
}

bool inode_is_live(uint32_t ino, uint32_t gen) {
  std::atomic<uint64_t>* slots = Slots();
  if (!slots || ino < kFirstIno || ino >= g_table.capacity.load()) return false;
  uint64_t w = slots[ino].load(std::memory_order_acquire);
  return LiveOf(w) && GenOf(w) == gen;
}

bool inode_foreign_name(uint32_t ino, uint32_t gen, char* buf, size_t len) {
  std::atomic<uint64_t>* slots = Slots();
  NameCell* names = Names(false);
  if (!slots || !names || len == 0 || ino < kFirstIno || ino >= g_table.capacity.load()) return false;
  uint64_t w = slots[ino].load(std::memory_order_acquire);
  if (!LiveOf(w) || GenOf(w) != gen || HiOf(w) == TAG_KERNEL) return false;
  char tmp[kForeignNameMax];
  for (size_t i = 0; i < kNameWords; i++) {
    uint64_t v = names[ino].w[i].load(std::memory_order_relaxed);
    memcpy(tmp + i * 8, &v, 8);
  }
  std::atomic_thread_fence(std::memory_order_acquire);
  if (slots[ino].load(std::memory_order_relaxed) != w) return false;  // cleared/reused meanwhile
  tmp[kForeignNameMax - 1] = 0;
  size_t n = strnlen(tmp, kForeignNameMax);
  if (n >= len) n = len - 1;
  memcpy(buf, tmp, n);
  buf[n] = 0;
  return true;
}

int64_t inode_live_count() { return alloc::Live(); }

uint32_t inode_capacity() {
  return Slots() ? g_table.capacity.load() : 0;
}

uint32_t inode_high_water() {
  uint64_t f = alloc::Fresh();
  uint32_t cap = g_table.capacity.load();
  return f < cap ? static_cast<uint32_t>(f) : cap;
}

bool inode_slot(uint32_t ino, uint32_t* gen, uint32_t* tag) {
  std::atomic<uint64_t>* slots = Slots();
  if (!slots || ino < kFirstIno || ino >= g_table.capacity.load()) return false;
  uint64_t w = slots[ino].load(std::memory_order_acquire);
  if (!LiveOf(w)) return false;
  *gen = GenOf(w);
  *tag = HiOf(w);
  return true;
}

}  // namespace devfs
