// The change log's sequencer and reader side: moves records from the per-thread rings into one
// global ring in an order consistent per inode, and answers the readers (inode_table.h). Only
// readers — and writers that saw a reader watching the generation word — run here.
#include <sched.h>
#include <time.h>
#include <cstddef>
#include <mutex>
#include <unordered_set>
#include <vector>
#include "inode_changelog.h"

namespace devfs {
namespace changelog {
namespace {

constexpr uint64_t kCap = kChangelogCapacity;

std::mutex g_mu;  // rounds, stamp bases and global-ring reads
// devfs_generation: records ever moved to the global ring (plus gaps for records lost to a ring
// overflow). Written under g_mu, read anywhere (generationWords() maps it).
alignas(64) std::atomic<uint64_t> g_head{0};
ChangeRecord g_global[kChangelogCapacity];  // record s at s mod capacity; under g_mu

struct Raw { uint64_t a, b; };
constexpr uint32_t OpOf(const Raw& r) { return static_cast<uint32_t>(r.a >> 24) & 0xff; }
constexpr uint32_t EpochOf(const Raw& r) { return static_cast<uint32_t>(r.b >> 32); }
constexpr uint64_t KeyOf(const Raw& r) { return (r.a >> 32) << 24 | (r.a & 0xffffff); }  // gen << 24 | ino

// Scratch of one round (under g_mu).
struct Chain {
  std::vector<Raw> recs;
  size_t pos = 0;
  uint64_t next_cursor = 0;
};
Chain g_chains[kLogCells];
std::vector<uint32_t> g_active;           // cells with records this round
std::unordered_set<uint64_t> g_inserts;  // (ino, gen) of INSERTs not yet emitted this round

// The cells a round scans: every regular cell ever written, then the shared one if used. A
// round takes this once (cells first used later are for the next round).
struct Cells {
  uint32_t used = g_logs_used.load(std::memory_order_acquire);
  bool shared = g_logs[kSharedCell].ring.load(std::memory_order_acquire) != nullptr;
  template <typename F>
  void Each(F f) const {
    for (uint32_t i = 0; i < used; i++) f(i, g_logs[i]);
    if (shared) f(kSharedCell, g_logs[kSharedCell]);
  }
};

// The cell's tail once no record is in flight (a writer between Begin and End is a few stores
// from End unless it lost its CPU there: spin, then yield, then 50 µs sleeps).
uint64_t SettledTail(const LogCell& c) {
  for (uint32_t spins = 0;; spins++) {
    uint64_t t = c.tail.load(std::memory_order_seq_cst);
    if (!(t & 1)) return t;
    if (spins < 64) {
      __builtin_ia32_pause();
    } else if (spins < 1024) {
      sched_yield();
    } else {
      struct timespec ts = {0, 50 * 1000};
      nanosleep(&ts, nullptr);
    }
  }
}

// Copies cell c's records of epochs before `bound` into `ch` and returns how many it lost: a ring
// that overflowed before anyone sequenced it (or was lapped while being copied) keeps only its
// newest records still intact, as one ring of the old single log did.
uint64_t Collect(const LogCell& c, uint32_t bound, Chain& ch) {
  ch.recs.clear();
  ch.pos = 0;
  uint64_t count = SettledTail(c) >> 1;
  uint64_t cur = c.cursor.load(std::memory_order_relaxed);
  ch.next_cursor = cur;
  if (count == cur) return 0;
  uint64_t start = count - cur > kCap ? count - kCap : cur;
  const Rec* ring = c.ring.load(std::memory_order_acquire);
  for (uint64_t s = start; s < count; s++) {
    const Rec& r = ring[s & kRingMask];
    Raw x{r.a.load(std::memory_order_relaxed), r.b.load(std::memory_order_relaxed)};
    if (!EpochBefore(EpochOf(x), bound)) break;  // written after this round began: next round
    ch.recs.push_back(x);
  }
  std::atomic_thread_fence(std::memory_order_acquire);
  uint64_t claimed = (c.tail.load(std::memory_order_relaxed) + 1) >> 1;
  if (claimed > start + kCap) {  // its writer lapped the oldest copied ones meanwhile: drop those
    uint64_t intact = claimed - kCap;
    uint64_t drop = intact - start < ch.recs.size() ? intact - start : ch.recs.size();
    ch.recs.erase(ch.recs.begin(), ch.recs.begin() + static_cast<std::ptrdiff_t>(drop));
    start += drop;
    if (start < intact) start = intact;  // (nothing left copied) those never copied are gone too
  }
  ch.next_cursor = start + ch.recs.size();
  return start - cur;
}

void Emit(uint64_t& head, const Raw& r) {
  g_global[head & kRingMask] = ChangeRecord{OpOf(r), static_cast<uint32_t>(r.a & 0xffffff),
                                            static_cast<uint32_t>(r.a >> 32), static_cast<uint32_t>(r.b)};
  head++;
}

const Raw& HeadOf(uint32_t i) { return g_chains[i].recs[g_chains[i].pos]; }

// Merges the active chains: each chain keeps its own order; across chains the older epoch goes
// first (an inode number taken off the shared stack bumps the epoch after its CLEAR), then the
// lower cell; a CLEAR of (ino, gen) waits while another chain still holds that INSERT (a slot
// cleared by another thread than the one that inserted it, in the same epoch).
void Merge(uint64_t& head) {
  if (g_active.size() == 1) {
    for (const Raw& r : g_chains[g_active[0]].recs) Emit(head, r);
    return;
  }
  g_inserts.clear();
  size_t left = 0;
  for (uint32_t i : g_active) {
    left += g_chains[i].recs.size();
    for (const Raw& r : g_chains[i].recs)
      if (OpOf(r) == CHANGE_INSERT) g_inserts.insert(KeyOf(r));
  }
  constexpr uint32_t kNone = ~0u;
  // g_active is in cell order, so a strict "older" keeps the lower cell on a tie.
  auto older = [](uint32_t i, uint32_t j) { return j == kNone || EpochBefore(EpochOf(HeadOf(i)), EpochOf(HeadOf(j))); };
  for (; left > 0; left--) {
    uint32_t best = kNone, any = kNone;
    for (uint32_t i : g_active) {
      if (g_chains[i].pos == g_chains[i].recs.size()) continue;
      if (older(i, any)) any = i;
      const Raw& h = HeadOf(i);
      if (OpOf(h) == CHANGE_CLEAR && g_inserts.count(KeyOf(h))) continue;
      if (older(i, best)) best = i;
    }
    if (best == kNone) best = any;  // cannot happen (causality has no cycles); never stall
    const Raw& r = g_chains[best].recs[g_chains[best].pos++];
    if (OpOf(r) == CHANGE_INSERT) g_inserts.erase(KeyOf(r));
    Emit(head, r);
  }
}

// One sequencing round (g_mu held).
void Round() {
  uint64_t cw0 = g_cw.fetch_add(kEpochOne, std::memory_order_seq_cst);
  uint32_t bound = EpochLo(cw0) + 1;  // records of older epochs are complete: this round takes them
  uint64_t lost = 0;
  g_active.clear();
  const Cells cells;
  cells.Each([&](uint32_t i, const LogCell& c) {
    lost += Collect(c, bound, g_chains[i]);
    if (!g_chains[i].recs.empty()) g_active.push_back(i);
  });
  uint64_t head = g_head.load(std::memory_order_relaxed), start = head;
  // Lost records still count, and a full ring more: every reader's cursor is then more than a
  // ring behind and it rescans.
  if (lost) head += lost + kCap + 1;
  if (!g_active.empty()) Merge(head);
  if (head == start) return;
  // The head before the cursors: a reader that sees a cursor sees at least this head.
  g_head.store(head, std::memory_order_release);
  cells.Each([&](uint32_t i, LogCell& c) {
    c.cursor.store(g_chains[i].next_cursor, std::memory_order_release);
    c.offset.store(head - g_chains[i].next_cursor, std::memory_order_release);
  });
  // The head moved: readers that bumped the watch count before this round have seen it move.
  uint64_t w0 = cw0 & kWatchMask, cw = g_cw.load(std::memory_order_relaxed);
  while (w0 && (cw & kWatchMask) == w0 &&
         !g_cw.compare_exchange_weak(cw, cw & ~kWatchMask, std::memory_order_acq_rel, std::memory_order_relaxed)) {
  }
}

// True when some cell holds a record not yet in the global ring (or one in flight).
bool Unsequenced() {
  bool any = false;
  Cells().Each([&](uint32_t, const LogCell& c) {
    uint64_t cur = c.cursor.load(std::memory_order_acquire);
    if (c.tail.load(std::memory_order_seq_cst) != 2 * cur) any = true;
  });
  return any;
}

}  // namespace

void Sequence() {
  std::lock_guard<std::mutex> lk(g_mu);
  Round();
}

void BaseCell(LogCell* c) {
  std::lock_guard<std::mutex> lk(g_mu);
  c->offset.store(g_head.load(std::memory_order_relaxed) - c->cursor.load(std::memory_order_relaxed),
                  std::memory_order_release);
  c->based.store(true, std::memory_order_release);
}

}  // namespace changelog

uint64_t changelog_head() {
  using namespace changelog;  // NOLINT
  if (Unsequenced()) Sequence();
  return g_head.load(std::memory_order_acquire);
}

uint64_t devfs_generation() { return changelog_head(); }

const std::atomic<uint64_t>* devfs_generation_word() { return &changelog::g_head; }

uint64_t generation_watch() {
  using namespace changelog;  // NOLINT
  // Sequence first, so the reader's drains that follow find nothing to move (a round that moves the
  // head ends the watch), then watch under the same lock: no round can move the head between the
  // value returned and the watch. The count goes up, never to 0; seq_cst: the reader's scans that
  // follow and a writer's Begin cannot both miss each other.
  std::lock_guard<std::mutex> lk(g_mu);
  if (Unsequenced()) Round();
  uint64_t head = g_head.load(std::memory_order_relaxed);
  uint64_t cw = g_cw.load(std::memory_order_relaxed);
  for (;;) {
    uint64_t w = (cw & kWatchMask) % kWatchMask + 1;
    if (g_cw.compare_exchange_weak(cw, (cw & ~kWatchMask) | w, std::memory_order_seq_cst, std::memory_order_relaxed)) break;
  }
  return head;
}

int64_t changelog_read(uint64_t cursor, ChangeRecord* out, uint32_t max) {
  using namespace changelog;  // NOLINT
  std::lock_guard<std::mutex> lk(g_mu);
  if (Unsequenced()) Round();
  uint64_t head = g_head.load(std::memory_order_relaxed);
  if (cursor > head) return 0;
  if (head - cursor > kCap) return -1;
  uint64_t n = head - cursor < max ? head - cursor : max;
  for (uint64_t k = 0; k < n; k++) out[k] = g_global[(cursor + k) & kRingMask];
  return static_cast<int64_t>(n);
}

}  // namespace devfs
