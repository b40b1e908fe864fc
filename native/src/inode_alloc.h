// Which inode number an insert gets, and where a cleared one goes (internal to the inode table).
//
// Two writer threads must not meet on a shared atomic for every insert and clear. Each thread
// (the main JS thread, every worker_thread, native threads such as the tap link watcher) owns a
// cell, claimed on its first call and released when the thread exits:
//   - a cache of up to kCacheMax free inode numbers, used LIFO: a thread reuses the inode it
//     freed last without touching shared memory. It refills kBatch at a time from the shared
//     free stack (a Treiber stack with an ABA tag), else from the bump allocator in one
//     fetch_add of kBatch; when full it spills its kBatch oldest numbers to the stack as one
//     chain (one CAS); at thread exit it spills everything.
//   - its count of live inodes (inserts minus clears made by this thread), written by the owner
//     alone; inode_live_count() sums the cells.
// A thread that finds every cell taken (more than kCells threads at once) works on the shared
// stack and counter directly (correct, only slower).
#pragma once
#include <atomic>
#include <cstdint>

namespace devfs {
namespace alloc {

/// Free inode numbers moved between a thread's cache and the shared stack at once.
constexpr uint32_t kBatch = 32;
/// Free inode numbers a thread's cache holds at most (so at most this many per thread are not
/// available to other threads; the table can answer "full" while caches hold up to this each).
constexpr uint32_t kCacheMax = 2 * kBatch;
/// Per-thread cells (threads beyond this use the shared paths).
constexpr uint32_t kCells = 256;

/// A thread's cell (opaque outside inode_alloc.cc).
struct Cell;

/// The calling thread's cell, or null when it has none (more than kCells threads at once, or
/// called during its thread's teardown): looked up once per change and passed to the calls below
/// (a thread_local in a dlopen'ed addon costs a call to reach).
Cell* Self();

/// Tells the allocator the slot array once, when the table maps it (before any thread calls in).
void Init(std::atomic<uint64_t>* slots);

/// A free inode number for `slots` (capacity `cap`), for the thread whose cell is `self`: its most recently freed,
/// else one from the shared stack, else a never-used one. 0 when the table is full. Sets
/// `*handed` when this call took numbers off the shared stack (freed by some thread, maybe
/// another: the change log must order that thread's CLEAR before this thread's INSERT).
uint32_t Take(Cell* self, std::atomic<uint64_t>* slots, uint32_t cap, bool* handed);

/// Makes `ino` (already free in `slots`: FreeWord(gen, 0)) available to later Takes.
void Give(Cell* self, std::atomic<uint64_t>* slots, uint32_t ino);

/// Adds `delta` to the calling thread's live count (`self` is Self()).
void CountLive(Cell* self, int64_t delta);

/// Live inodes: the sum over every cell and the shared counter.
int64_t Live();

/// One past the highest inode number ever handed to a cache or an insert (not clamped).
uint64_t Fresh();

/// A cell's index (0 .. kCells - 1), or -1 for null. Other per-thread state (the change log's
/// per-thread rings) is kept in arrays indexed by it: a cell passes to a new thread only after its
/// previous owner released it (release/acquire on the cell's `owned` word).
int IndexOf(const Cell* c);

}  // namespace alloc
}  // namespace devfs
