// Free inode numbers and live counts per thread: see inode_alloc.h.
//
// Memory orders: a number goes from one thread to another only through the shared stack, whose
// push is a release CAS and whose pop an acquire CAS, so the taker sees the slot word the giver
// left. Cells change owner through `owned` (release on exit, acquire on claim).
#include "inode_alloc.h"

#include <algorithm>
#include <cstring>
#include "inode_slot.h"

namespace devfs {
namespace alloc {

struct alignas(64) Cell {
  std::atomic<uint32_t> owned{0};
  std::atomic<int64_t> live{0};  // written by the owner only; survives its owner (summed forever)
  uint32_t count = 0;            // cached free inode numbers (owner only)
  uint32_t free[kCacheMax];
};

namespace {

using slot::FreeWord;
using slot::GenOf;
using slot::HiOf;
using slot::kInoBits;
using slot::kInoMask;

// Each on a cache line of its own: they are written by different threads at different times.
// Shared free stack head: low 24 bits = top slot index (0 = empty), high 40 bits = ABA tag.
alignas(64) std::atomic<uint64_t> g_free_head{0};
alignas(64) std::atomic<uint64_t> g_fresh{slot::kFirstIno};  // next never-used inode
alignas(64) std::atomic<int64_t> g_live_shared{0};           // live changes of cell-less threads

Cell g_cells[kCells];

std::atomic<std::atomic<uint64_t>*> g_slots_seen{nullptr};  // the slot array (Init), for spilling at thread exit

// The free word's `next` field, keeping its generation (the caller owns the slot).
void SetNext(std::atomic<uint64_t>* slots, uint32_t ino, uint32_t next) {
  uint64_t w = slots[ino].load(std::memory_order_relaxed);
  slots[ino].store(FreeWord(GenOf(w), next), std::memory_order_relaxed);
}

// Pushes ids[0..n) as one chain (ids[0] on top) with one CAS.
void PushChain(std::atomic<uint64_t>* slots, const uint32_t* ids, uint32_t n) {
  if (n == 0) return;
  for (uint32_t i = 0; i + 1 < n; i++) SetNext(slots, ids[i], ids[i + 1]);
  uint64_t h = g_free_head.load(std::memory_order_relaxed);
  for (;;) {
    SetNext(slots, ids[n - 1], static_cast<uint32_t>(h & kInoMask));
    uint64_t nh = (((h >> kInoBits) + 1) << kInoBits) | ids[0];
    if (g_free_head.compare_exchange_weak(h, nh, std::memory_order_release, std::memory_order_relaxed)) return;
  }
}

uint32_t Pop(std::atomic<uint64_t>* slots) {
  uint64_t h = g_free_head.load(std::memory_order_acquire);
  for (;;) {
    uint32_t idx = static_cast<uint32_t>(h & kInoMask);
    if (idx == 0) return 0;
    // May read a slot another thread just popped (garbage next): the tag makes that CAS fail.
    uint32_t next = HiOf(slots[idx].load(std::memory_order_relaxed)) & kInoMask;
    uint64_t nh = (((h >> kInoBits) + 1) << kInoBits) | next;
    if (g_free_head.compare_exchange_weak(h, nh, std::memory_order_acquire, std::memory_order_acquire)) return idx;
  }
}

// Claims up to `want` never-used numbers [first, first + n); n = 0 when the table is full.
uint32_t FreshRange(uint32_t cap, uint32_t want, uint32_t* first) {
  uint64_t f = g_fresh.fetch_add(want, std::memory_order_relaxed);
  if (f >= cap) return 0;  // full (the counter may run past capacity)
  *first = static_cast<uint32_t>(f);
  return static_cast<uint32_t>(std::min<uint64_t>(want, cap - f));
}

// Returns true when it took numbers off the shared stack.
bool Refill(Cell* c, std::atomic<uint64_t>* slots, uint32_t cap) {
  while (c->count < kBatch) {
    uint32_t idx = Pop(slots);
    if (idx == 0) break;
    c->free[c->count++] = idx;
  }
  if (c->count > 0) {
    std::reverse(c->free, c->free + c->count);  // the stack's top is taken first
    return true;
  }
  uint32_t first = 0;
  uint32_t n = FreshRange(cap, kBatch, &first);
  while (n > 0) c->free[c->count++] = first + --n;  // lowest on top
  return false;
}

// The calling thread's cell: claimed on first use, released (cache spilled) when the thread ends.
struct ThreadCell {
  Cell* cell = nullptr;
  bool tried = false;
  ~ThreadCell() {
    Cell* c = cell;
    cell = nullptr;
    tried = true;  // a call after this point (later in thread teardown) uses the shared paths
    if (!c) return;
    std::atomic<uint64_t>* slots = g_slots_seen.load(std::memory_order_relaxed);
    if (slots) PushChain(slots, c->free, c->count);
    c->count = 0;
    c->owned.store(0, std::memory_order_release);
  }
};
thread_local ThreadCell t_cell;

Cell* Mine() {
  ThreadCell& t = t_cell;
  if (t.cell || t.tried) return t.cell;
  t.tried = true;
  for (Cell& c : g_cells) {
    uint32_t free = 0;
    if (c.owned.load(std::memory_order_relaxed) == 0 &&
        c.owned.compare_exchange_strong(free, 1, std::memory_order_acquire, std::memory_order_relaxed)) {
      t.cell = &c;
      break;
    }
  }
  return t.cell;
}

}  // namespace

void Init(std::atomic<uint64_t>* slots) { g_slots_seen.store(slots, std::memory_order_relaxed); }

Cell* Self() { return Mine(); }

uint32_t Take(Cell* c, std::atomic<uint64_t>* slots, uint32_t cap, bool* handed) {
  if (!c) {
    uint32_t idx = Pop(slots), first = 0;
    *handed = idx != 0;
    if (idx == 0 && FreshRange(cap, 1, &first) == 1) idx = first;
    return idx;
  }
  *handed = c->count == 0 && Refill(c, slots, cap);
  return c->count > 0 ? c->free[--c->count] : 0;
}

void Give(Cell* c, std::atomic<uint64_t>* slots, uint32_t ino) {
  if (!c) {
    PushChain(slots, &ino, 1);
    return;
  }
  if (c->count == kCacheMax) {  // spill the oldest half
    PushChain(slots, c->free, kBatch);
    memmove(c->free, c->free + kBatch, (kCacheMax - kBatch) * sizeof c->free[0]);
    c->count -= kBatch;
  }
  c->free[c->count++] = ino;
}

void CountLive(Cell* c, int64_t delta) {
  if (c)
    c->live.store(c->live.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  else
    g_live_shared.fetch_add(delta, std::memory_order_relaxed);
}

int64_t Live() {
  int64_t n = g_live_shared.load(std::memory_order_relaxed);
  for (const Cell& c : g_cells) n += c.live.load(std::memory_order_relaxed);
  return n;
}

uint64_t Fresh() { return g_fresh.load(std::memory_order_relaxed); }

int IndexOf(const Cell* c) { return c ? static_cast<int>(c - g_cells) : -1; }

}  // namespace alloc
}  // namespace devfs
