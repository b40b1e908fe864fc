// The change log's internals, shared by its writer side (inode_changelog.cc) and its sequencer
// (inode_sequencer.cc); readers use inode_table.h. Design: native/README.md ("The inode table").
//
// Writers never touch a line another writer writes. Each thread appends its changes to a ring of
// its own (a LogCell, indexed like its allocator cell), with a thread-local count:
//   Begin: tail = 2n + 1 (an exchange: a full barrier), then read the control word `g_cw`
//          (epoch + watch count, shared but read-mostly) — both before the slot changes;
//   End:   store record n (op, ino, gen, tag, the epoch read in Begin), then tail = 2n + 2.
// The one global order readers see (one cursor, one head, devfs_generation) is made lazily by
// the sequencer: whoever reads (changelogRead, changelogHead, devfsGeneration) takes a mutex
// writers never take, bumps the epoch, waits for records in flight, and moves every record of an
// older epoch from the rings into the global ring (per-inode order kept; see Round()).
//
// The epoch makes that cut consistent: a record r another record q causally precedes has an
// epoch no older than q's, and a record of an epoch older than the round's bump was either
// published or in flight (odd tail) when the round scanned its ring. Taking inode numbers off the
// shared free stack bumps the epoch too (EpochBump), so one thread's CLEAR sorts before another
// thread's INSERT of the same number by epoch; an INSERT and a CLEAR of the same (ino, gen) from
// two threads in one epoch are ordered by the merge itself.
//
// The watch count (low bits of g_cw) is how the in-place generation word stays exact for readers
// that compare it without a call: such a reader bumps it (generation_watch) before it reads the
// log; a writer whose Begin
// saw it non-zero runs a round itself after End, so the global head (= devfs_generation, the
// word generationWords() maps) moves; a round that moved the head clears the count it saw at its
// start (only if no reader bumped it since), so a writer that reads a zero count knows the head
// has moved since any reader's last read.
#pragma once
#include <atomic>
#include <cstdint>
#include "inode_alloc.h"
#include "inode_table.h"

namespace devfs {
namespace changelog {

/// Log cells: one per allocator cell, plus one shared by cell-less threads (under a mutex).
constexpr uint32_t kLogCells = alloc::kCells + 1;
constexpr uint32_t kSharedCell = alloc::kCells;
constexpr uint64_t kRingMask = kChangelogCapacity - 1;

/// g_cw: epoch in bits 24..63, watch count (0 = nobody watching) in bits 0..23.
constexpr uint32_t kWatchBits = 24;
constexpr uint64_t kWatchMask = (1ull << kWatchBits) - 1;
constexpr uint64_t kEpochOne = 1ull << kWatchBits;
constexpr uint32_t EpochLo(uint64_t cw) { return static_cast<uint32_t>(cw >> kWatchBits); }
/// True when epoch `e` (low 32 bits) is older than `bound` (wrap-safe: live epochs are close).
constexpr bool EpochBefore(uint32_t e, uint32_t bound) { return static_cast<int32_t>(e - bound) < 0; }

/// One record of a thread's ring: a = gen << 32 | op << 24 | ino; b = epoch (low 32) << 32 | tag.
struct Rec {
  std::atomic<uint64_t> a;
  std::atomic<uint64_t> b;
};

struct alignas(64) LogCell {
  std::atomic<uint64_t> tail{0};   // owner: 2 * records written, + 1 while one is being written
  std::atomic<Rec*> ring{nullptr}; // owner maps it on first use; never unmapped
  // Sequencer's (written under its mutex, on a line of their own):
  alignas(64) std::atomic<uint64_t> cursor{0};  // records of this ring moved to the global ring
  std::atomic<uint64_t> offset{0};              // global head - cursor after the last round
  std::atomic<bool> based{false};               // offset set at least once
};

extern LogCell g_logs[kLogCells];
/// One past the highest log cell ever written (cells below it are scanned by every round).
extern std::atomic<uint32_t> g_logs_used;
/// Epoch and watch count (layout above).
extern std::atomic<uint64_t> g_cw;

/// A change the calling thread is recording (Begin before the slot changes, End after).
struct Pending {
  LogCell* cell;
  uint64_t n;   // its index in the cell's ring
  uint64_t cw;  // g_cw as Begin read it
};

/// Opens the calling thread's next record; `self` is its allocator cell (alloc::Self()).
Pending Begin(alloc::Cell* self);
void End(const Pending& p, ChangeOp op, uint32_t ino, uint32_t gen, uint32_t tag);

/// Called by a thread that took inode numbers off the shared free stack, before it records
/// changes to them: its later records get a newer epoch than the freeing thread's CLEARs.
void EpochBump();

/// Sets the cell's stamp base (sequencer; called once per cell, on its first use).
void BaseCell(LogCell* c);

/// Runs a sequencing round (sequencer: inode_sequencer.cc). Takes the sequencer's mutex.
void Sequence();

}  // namespace changelog
}  // namespace devfs
