// The change log's writer side: each thread's own ring (protocol in inode_changelog.h). A change
// touches the thread's tail and ring (lines no other writer writes) and reads g_cw (written only
// by readers and rounds, and when a thread takes inode numbers off the shared free stack).
#include "inode_changelog.h"

#include <sys/mman.h>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace devfs {
namespace changelog {

alignas(64) std::atomic<uint64_t> g_cw{0};
std::atomic<uint32_t> g_logs_used{0};
LogCell g_logs[kLogCells];

namespace {

std::mutex g_shared_mu;  // cell-less threads write the shared cell one at a time

// The ring is mapped on the cell's first use (1 MiB of address space, pages touched as written).
void FirstUse(LogCell* c, uint32_t idx) {
  void* p = mmap(nullptr, size_t(kChangelogCapacity) * sizeof(Rec), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    // No address space for 1 MiB: nothing sensible is left to do for a change that must be logged.
    fputs("devfs: cannot map a change-log ring\n", stderr);
    abort();
  }
  c->ring.store(static_cast<Rec*>(p), std::memory_order_release);
  if (idx != kSharedCell) {
    uint32_t used = g_logs_used.load(std::memory_order_relaxed);
    while (used <= idx && !g_logs_used.compare_exchange_weak(used, idx + 1, std::memory_order_acq_rel)) {
    }
  }
  BaseCell(c);
}

}  // namespace

Pending Begin(alloc::Cell* self) {
  int i = alloc::IndexOf(self);
  uint32_t idx = i < 0 ? kSharedCell : static_cast<uint32_t>(i);
  if (i < 0) g_shared_mu.lock();
  LogCell* c = &g_logs[idx];
  if (!c->ring.load(std::memory_order_relaxed)) FirstUse(c, idx);
  uint64_t t = c->tail.load(std::memory_order_relaxed);  // even: only this thread writes it
  // In flight from here (a round that scans this cell waits for End), then the control word:
  // the two seq_cst operations make "a round missed this record" and "this writer missed the
  // round's epoch bump / a reader's watch" impossible together.
  c->tail.exchange(t + 1, std::memory_order_seq_cst);
  uint64_t cw = g_cw.load(std::memory_order_seq_cst);
  // Seqlock writer: the odd tail is visible before any record store that overwrites an old lap.
  std::atomic_thread_fence(std::memory_order_release);
  return Pending{c, t >> 1, cw};
}

void End(const Pending& p, ChangeOp op, uint32_t ino, uint32_t gen, uint32_t tag) {
  Rec& r = p.cell->ring.load(std::memory_order_relaxed)[p.n & kRingMask];
  r.a.store((uint64_t(gen) << 32) | (uint64_t(op) << 24) | ino, std::memory_order_relaxed);
  r.b.store((uint64_t(EpochLo(p.cw)) << 32) | tag, std::memory_order_relaxed);
  p.cell->tail.store(2 * p.n + 2, std::memory_order_release);
  if (p.cell == &g_logs[kSharedCell]) g_shared_mu.unlock();
  if (p.cw & kWatchMask) Sequence();  // a reader is watching the generation word: move it now
}

void EpochBump() { g_cw.fetch_add(kEpochOne, std::memory_order_acq_rel); }

}  // namespace changelog

uint64_t generation_stamp() {
  int i = alloc::IndexOf(alloc::Self());
  if (i >= 0) {
    const changelog::LogCell& c = changelog::g_logs[i];
    if (c.based.load(std::memory_order_acquire))
      return c.offset.load(std::memory_order_acquire) + (c.tail.load(std::memory_order_relaxed) >> 1);
  }
  return devfs_generation();
}

}  // namespace devfs
