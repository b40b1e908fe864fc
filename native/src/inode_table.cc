// Process-global, lock-free inode table and change log. See inode_table.h for the contract and
// native/README.md ("The inode table") for the design; this file is the only implementation.
//
// Memory orders: every read-modify-write and every publishing store is seq_cst unless a comment
// says otherwise. The table is one static instance per loaded shared object, so every
// worker_thread and native thread of the process shares it.
#include "inode_table.h"

#include <sys/mman.h>
#include <sched.h>
#include <atomic>
#include <cstring>

namespace devfs {
namespace {

// ---- Slots -------------------------------------------------------------------------------------
//
// One 64-bit atomic state word per inode:
//   bits  0..28  slot generation (1..kGenMax, 0 = never used); bumped by every insert
//   bit   31     LIVE
//   bits 32..63  live: the owner tag;  free: index of the next slot on the free stack
// Foreign names (tag != TAG_KERNEL) live in a separate lazily-mapped array, read seqlock-style.

constexpr uint32_t kInoBits = 24;
constexpr uint32_t kInoMask = (1u << kInoBits) - 1;
constexpr uint32_t kFirstIno = 3;                 // 0 = "none", 1 unused, 2 = a mount's root
constexpr uint32_t kGenBits = 29;                 // gen * 2^24 + ino stays a safe JS integer
constexpr uint32_t kGenMax = (1u << kGenBits) - 1;
constexpr uint64_t kLive = 1ull << 31;
constexpr uint64_t kGenMaskW = kGenMax;

constexpr uint32_t GenOf(uint64_t w) { return static_cast<uint32_t>(w & kGenMaskW); }
constexpr uint32_t HiOf(uint64_t w) { return static_cast<uint32_t>(w >> 32); }
constexpr bool LiveOf(uint64_t w) { return (w & kLive) != 0; }
constexpr uint64_t LiveWord(uint32_t gen, uint32_t tag) { return (uint64_t(tag) << 32) | kLive | gen; }
constexpr uint64_t FreeWord(uint32_t gen, uint32_t next) { return (uint64_t(next) << 32) | gen; }
constexpr uint32_t NextGen(uint32_t gen) { return gen >= kGenMax ? 1 : gen + 1; }

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

struct Table {
  std::atomic<std::atomic<uint64_t>*> slots{nullptr};
  std::atomic<uint32_t> capacity{0};
  std::atomic<NameCell*> names{nullptr};
  // Free stack head: low 24 bits = top slot index (0 = empty), high 40 bits = ABA tag.
  std::atomic<uint64_t> free_head{0};
  std::atomic<uint64_t> fresh{kFirstIno};        // next never-used inode (bump allocator)
  std::atomic<int64_t> live{0};
  std::atomic<uint64_t> generation{0};           // devfs_generation
};

Table g_table;

// Maps the slot array once, when the shared object is loaded (before any thread can call in), so
// the hot paths read a plain pointer and never race on initialisation.
std::atomic<uint64_t>* MapSlots() {
  uint32_t cap = 0;
  auto* s = Reserve<std::atomic<uint64_t>>(kInodeCapacity, 1u << 16, &cap);
  g_table.capacity.store(cap);
  g_table.slots.store(s);
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

uint32_t PopFree(std::atomic<uint64_t>* slots) {
  uint64_t h = g_table.free_head.load();
  for (;;) {
    uint32_t idx = static_cast<uint32_t>(h & kInoMask);
    if (idx == 0) return 0;
    // May read a slot another thread just popped (garbage next): the tag makes that CAS fail.
    uint32_t next = HiOf(slots[idx].load()) & kInoMask;
    uint64_t nh = (((h >> kInoBits) + 1) << kInoBits) | next;
    if (g_table.free_head.compare_exchange_weak(h, nh)) return idx;
  }
}

void PushFree(std::atomic<uint64_t>* slots, uint32_t idx, uint32_t gen) {
  uint64_t h = g_table.free_head.load();
  for (;;) {
    slots[idx].store(FreeWord(gen, static_cast<uint32_t>(h & kInoMask)));
    uint64_t nh = (((h >> kInoBits) + 1) << kInoBits) | idx;
    if (g_table.free_head.compare_exchange_weak(h, nh)) return;
  }
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

// ---- Change log --------------------------------------------------------------------------------
//
// A ring of kChangelogCapacity records. A producer claims sequence s with fetch_add on `tail`,
// marks the record WRITING(s) with a CAS (only over an older sequence), stores the payload and
// publishes DONE(s) with a release store. Readers check the record's word before and after
// copying the payload (seqlock), so an overwritten record is detected, never returned.

constexpr uint64_t kRingMask = kChangelogCapacity - 1;
constexpr uint64_t Done(uint64_t s) { return (s + 1) << 1; }
constexpr uint64_t Writing(uint64_t s) { return ((s + 1) << 1) | 1; }
constexpr uint64_t SeqOf(uint64_t w) { return (w >> 1) - 1; }  // only for w != 0

struct Record {
  std::atomic<uint64_t> word{0};  // 0 = never written, else Done(s) / Writing(s)
  std::atomic<uint64_t> a{0};     // op << 32 | ino
  std::atomic<uint64_t> b{0};     // gen << 32 | tag
};

std::atomic<uint64_t> g_tail{0};
Record g_ring[kChangelogCapacity];

uint64_t Claim() { return g_tail.fetch_add(1); }

void Publish(uint64_t s, ChangeOp op, uint32_t ino, uint32_t gen, uint32_t tag) {
  Record& r = g_ring[s & kRingMask];
  uint64_t w = r.word.load();
  for (;;) {
    if (w != 0 && SeqOf(w) >= s) return;  // a writer one lap ahead owns it: s is overwritten
    if (w & 1) {                          // the previous lap's writer is mid-store: let it finish
      sched_yield();
      w = r.word.load();
      continue;
    }
    if (r.word.compare_exchange_weak(w, Writing(s))) break;
  }
  std::atomic_thread_fence(std::memory_order_release);
  r.a.store((uint64_t(op) << 32) | ino, std::memory_order_relaxed);
  r.b.store((uint64_t(gen) << 32) | tag, std::memory_order_relaxed);
  r.word.store(Done(s), std::memory_order_release);
}

}  // namespace

// ---- Public API --------------------------------------------------------------------------------

uint32_t inode_insert(uint32_t tag, const char* name, uint32_t* gen_out) {
  std::atomic<uint64_t>* slots = Slots();
  if (!slots) return 0;
  uint32_t idx = PopFree(slots);
  if (idx == 0) {
    uint64_t f = g_table.fresh.fetch_add(1);
    if (f >= g_table.capacity.load()) return 0;  // full (the counter may run past capacity)
    idx = static_cast<uint32_t>(f);
  }
  uint32_t gen = NextGen(GenOf(slots[idx].load()));
  if (tag != TAG_KERNEL) StoreName(idx, name);
  // The sequence is claimed before the slot goes live, so the INSERT of (ino, gen) always sorts
  // before any CLEAR of it, and a CLEAR (claimed before the slot is freed) before the next INSERT.
  uint64_t s = Claim();
  slots[idx].store(LiveWord(gen, tag));
  g_table.live.fetch_add(1);
  Publish(s, CHANGE_INSERT, idx, gen, tag);
  g_table.generation.fetch_add(1);
  if (gen_out) *gen_out = gen;
  return idx;
}

bool inode_clear(uint32_t ino, uint32_t gen) {
  std::atomic<uint64_t>* slots = Slots();
  if (!slots || ino < kFirstIno || ino >= g_table.capacity.load() || gen == 0 || gen > kGenMax) return false;
  uint64_t w = slots[ino].load();
  for (;;) {
    if (!LiveOf(w) || GenOf(w) != gen) return false;
    if (slots[ino].compare_exchange_weak(w, FreeWord(gen, 0))) break;
  }
  uint32_t tag = HiOf(w);
  uint64_t s = Claim();
  g_table.live.fetch_sub(1);
  PushFree(slots, ino, gen);
  Publish(s, CHANGE_CLEAR, ino, gen, tag);
  g_table.generation.fetch_add(1);
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

uint64_t devfs_generation() { return g_table.generation.load(); }

const std::atomic<uint64_t>* devfs_generation_word() { return &g_table.generation; }

int64_t inode_live_count() { return g_table.live.load(); }

uint32_t inode_capacity() {
  return Slots() ? g_table.capacity.load() : 0;
}

uint32_t inode_high_water() {
  uint64_t f = g_table.fresh.load();
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

uint64_t changelog_head() { return g_tail.load(); }

int64_t changelog_read(uint64_t cursor, ChangeRecord* out, uint32_t max) {
  uint64_t head = g_tail.load(std::memory_order_acquire);
  if (cursor > head) return 0;
  if (head - cursor > kChangelogCapacity) return -1;
  uint32_t n = 0;
  for (; n < max && cursor + n < head; n++) {
    uint64_t s = cursor + n;
    const Record& r = g_ring[s & kRingMask];
    uint64_t w1 = r.word.load(std::memory_order_acquire);
    if (w1 != Done(s)) {
      if (w1 != 0 && SeqOf(w1) > s) return -1;  // a later lap overwrote it
      break;                                    // not yet published
    }
    uint64_t a = r.a.load(std::memory_order_relaxed);
    uint64_t b = r.b.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (r.word.load(std::memory_order_relaxed) != w1) return -1;  // overwritten while copying
    out[n] = ChangeRecord{HiOf(a), static_cast<uint32_t>(a), HiOf(b), static_cast<uint32_t>(b)};
  }
  return n;
}

}  // namespace devfs
