// The change log of the inode table: see inode_changelog.h for the producer protocol and
// native/README.md ("The inode table") for the design.
#include "inode_changelog.h"

#include <sched.h>
#include <time.h>

namespace devfs {
namespace {

constexpr uint64_t kRingMask = kChangelogCapacity - 1;
constexpr uint64_t Done(uint64_t s) { return (s + 1) << 1; }
constexpr uint64_t Writing(uint64_t s) { return ((s + 1) << 1) | 1; }
constexpr uint64_t SeqOf(uint64_t w) { return (w >> 1) - 1; }  // only for w != 0
constexpr uint32_t HiOf(uint64_t w) { return static_cast<uint32_t>(w >> 32); }

struct alignas(32) Record {
  std::atomic<uint64_t> word{0};  // 0 = never written, else Done(s) / Writing(s)
  std::atomic<uint64_t> a{0};     // op << 32 | ino
  std::atomic<uint64_t> b{0};     // gen << 32 | tag
};
static_assert(sizeof(Record) == 32, "two records per cache line");

// Sequence s lives at index (s mod 64) * (capacity / 64) + (s mod capacity) / 64: the two records
// of a line are 64 sequences apart, so concurrent writers of s and s + 1 never share a line.
constexpr uint32_t kSpread = 64;
constexpr uint32_t kRows = kChangelogCapacity / kSpread;
static_assert(kChangelogCapacity % kSpread == 0 && (kRows & (kRows - 1)) == 0, "ring layout");
constexpr uint32_t IndexOf(uint64_t s) {
  uint32_t i = static_cast<uint32_t>(s & kRingMask);
  return (i % kSpread) * kRows + i / kSpread;
}

alignas(64) std::atomic<uint64_t> g_tail{0};
alignas(64) Record g_ring[kChangelogCapacity];

}  // namespace

namespace changelog {

uint64_t Claim() { return g_tail.fetch_add(1, std::memory_order_acq_rel); }

const std::atomic<uint64_t>* TailWord() { return &g_tail; }

void Publish(uint64_t s, ChangeOp op, uint32_t ino, uint32_t gen, uint32_t tag) {
  Record& r = g_ring[IndexOf(s)];
  uint64_t w = r.word.load(std::memory_order_relaxed);
  for (;;) {
    if (w != 0 && SeqOf(w) >= s) return;  // a writer one lap ahead owns it: s is overwritten
    if (w & 1) {                          // the previous lap's writer is mid-store: let it finish
      sched_yield();
      w = r.word.load(std::memory_order_relaxed);
      continue;
    }
    if (r.word.compare_exchange_weak(w, Writing(s), std::memory_order_acquire, std::memory_order_relaxed)) break;
  }
  // Orders the WRITING mark before the payload: a reader that copies any of the new payload
  // then sees the word change (its re-check fails).
  std::atomic_thread_fence(std::memory_order_release);
  r.a.store((uint64_t(op) << 32) | ino, std::memory_order_relaxed);
  r.b.store((uint64_t(gen) << 32) | tag, std::memory_order_relaxed);
  r.word.store(Done(s), std::memory_order_release);
}

}  // namespace changelog

uint64_t changelog_head() { return g_tail.load(std::memory_order_acquire); }

namespace {

// Waits until record s, claimed (s < tail), is published or overwritten; returns its word. The
// claimer is between its claim and its publish — a few stores — unless it was preempted there.
uint64_t AwaitPublished(const Record& r, uint64_t s) {
  for (uint32_t spins = 0;; spins++) {
    uint64_t w = r.word.load(std::memory_order_acquire);
    if (w == Done(s) || (w != 0 && SeqOf(w) > s)) return w;
    if (spins < 64) {
      __builtin_ia32_pause();
    } else if (spins < 1024) {
      sched_yield();
    } else {
      struct timespec ts = {0, 50 * 1000};  // its writer lost its CPU: sleep, do not burn ours
      nanosleep(&ts, nullptr);
    }
  }
}

}  // namespace

int64_t changelog_read(uint64_t cursor, ChangeRecord* out, uint32_t max) {
  uint64_t head = g_tail.load(std::memory_order_acquire);
  if (cursor > head) return 0;
  if (head - cursor > kChangelogCapacity) return -1;
  uint32_t n = 0;
  for (; n < max && cursor + n < head; n++) {
    uint64_t s = cursor + n;
    const Record& r = g_ring[IndexOf(s)];
    uint64_t w1 = r.word.load(std::memory_order_acquire);
    if (w1 != Done(s) && (w1 == 0 || SeqOf(w1) <= s)) w1 = AwaitPublished(r, s);  // claimed, in flight
    if (w1 != Done(s)) return -1;  // a later lap overwrote it
    uint64_t a = r.a.load(std::memory_order_relaxed);
    uint64_t b = r.b.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (r.word.load(std::memory_order_relaxed) != w1) return -1;  // overwritten while copying
    out[n] = ChangeRecord{HiOf(a), static_cast<uint32_t>(a), HiOf(b), static_cast<uint32_t>(b)};
  }
  return n;
}

}  // namespace devfs
