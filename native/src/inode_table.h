// Process-global, lock-free inode table and change log (C++ side).
//
// Safe to call from any thread: the main JS thread, worker_threads (each loads the addon; the
// table is one static instance per process) and native threads (the tap netlink watcher).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace devfs {

/// Change-log operations.
enum ChangeOp : uint32_t { CHANGE_INSERT = 1, CHANGE_CLEAR = 2 };

/// Owner tag of inodes inserted by a JS kernel; other tags mark foreign registrars
/// (e.g. the tap netlink watcher) whose inserts carry a name.
constexpr uint32_t TAG_KERNEL = 0;

/// One decoded change-log record.
struct ChangeRecord { uint32_t op; uint32_t ino; uint32_t gen; uint32_t tag; };

/// Slots reserved (virtually; inode numbers are < this). inode_capacity() says what was mapped.
constexpr uint32_t kInodeCapacity = 1u << 24;
/// Records the change-log ring holds; a cursor older than head - this must rescan.
constexpr uint32_t kChangelogCapacity = 1u << 16;
/// Bytes kept per foreign name, NUL included (longer names are truncated).
constexpr uint32_t kForeignNameMax = 64;

/// Allocates a live slot (>= 3: the inode this thread freed last, else one another thread freed,
/// else a never-used one; see inode_alloc.h), bumps its slot generation and appends an INSERT
/// record (counted by devfs_generation). `name` (may be null; truncated to kForeignNameMax - 1
/// bytes) is kept with the slot when tag != TAG_KERNEL. Returns 0 when the table is full.
uint32_t inode_insert(uint32_t tag, const char* name, uint32_t* gen_out);

/// Clears a live slot if (ino, gen) still names it; appends a CLEAR record. False if stale.
bool inode_clear(uint32_t ino, uint32_t gen);

/// True while (ino, gen) names a live slot.
bool inode_is_live(uint32_t ino, uint32_t gen);

/// Number of changes ever made (monotonic): the global change log's length, changelog_head().
/// Every change published before the call (by any thread) is counted; the call first moves the
/// records still in per-thread rings into the global log when there are any (a "round": takes a
/// mutex writers never take, and waits for a record still being written).
uint64_t devfs_generation();

/// The counter devfs_generation() returns, in place (static storage: valid for the process's
/// life). Readers that compare it without a call rely on this: it moves after every change
/// published after the value the reader's last generation_watch() returned (a writer that sees a
/// reader watching runs a round itself). With nobody watching it may stay behind until the next
/// call that counts.
const std::atomic<uint64_t>* devfs_generation_word();

/// Watches the generation word: sequences what the per-thread rings hold, then marks the word
/// watched so that the next change (by any thread) moves it, and returns devfs_generation as it
/// was at that moment. A reader that compares the word in place calls this, then reads the log
/// to its head, and next time compares the word with the value returned: equal means the log
/// holds nothing it has not read.
uint64_t generation_watch();

/// A value for ordering the calling thread's own changes against devfs_generation() read in the
/// same thread, without touching anything other threads write: after a change by this thread it
/// is greater than any devfs_generation() this thread read before that change, and it is never
/// greater than a devfs_generation() read later. Strictly increases with each own change.
uint64_t generation_stamp();

/// Reads up to `max` records starting at `cursor`. Returns the count read (0..max), or -1 when the
/// cursor fell behind the ring (the caller must rescan). Reads up to the head as it was when the
/// call started (running a round first, see devfs_generation()). Does not watch the generation
/// word (generation_watch()): writers stay off the readers' lines while only the log is read.
int64_t changelog_read(uint64_t cursor, ChangeRecord* out, uint32_t max);

/// Copies the name kept with a live foreign (tag != TAG_KERNEL) slot into buf (NUL-terminated,
/// truncated to len - 1). False if (ino, gen) is not live, is a kernel slot, or has no name.
bool inode_foreign_name(uint32_t ino, uint32_t gen, char* buf, size_t len);

/// Live slots right now.
int64_t inode_live_count();

/// Slots actually reserved (kInodeCapacity unless the address space refused; 0 if none).
uint32_t inode_capacity();

/// One past the highest inode number ever handed out (<= inode_capacity()): a full scan of the
/// table, as a reader that fell behind needs, only has to look below this.
uint32_t inode_high_water();

/// Reads one slot: true (with its gen and tag) while it is live.
bool inode_slot(uint32_t ino, uint32_t* gen, uint32_t* tag);

/// Change-log records ever appended (= devfs_generation()); the cursor a reader starts from to see
/// only news.
uint64_t changelog_head();

}  // namespace devfs
