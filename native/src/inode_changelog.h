// The change log's producer side (internal to the inode table; readers use inode_table.h).
//
// A ring of kChangelogCapacity records. A producer claims sequence s with one fetch_add on the
// tail, marks the record WRITING(s) with a CAS (only over an older sequence), stores the payload
// and publishes DONE(s) with a release store. Readers (changelog_read in inode_changelog.cc)
// check the record's word before and after copying the payload (seqlock), so an overwritten
// record is detected, never returned.
//
// Two writer threads claim neighbouring sequences (s, s + 1, ...). Records are therefore placed
// so that two sequences less than kRecordSpread apart never share a 64-byte cache line: each
// thread's record stores stay in lines the other thread is not writing.
#pragma once
#include <atomic>
#include <cstdint>
#include "inode_table.h"

namespace devfs {
namespace changelog {

/// Claims the next sequence number. The tail is also devfs_generation: the one atomic two
/// writers share per change.
uint64_t Claim();

/// The tail itself (static storage), for devfs_generation_word().
const std::atomic<uint64_t>* TailWord();

/// Writes and publishes record `s` (claimed by this thread).
void Publish(uint64_t s, ChangeOp op, uint32_t ino, uint32_t gen, uint32_t tag);

}  // namespace changelog
}  // namespace devfs
