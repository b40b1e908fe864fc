// The inode table's slot word (internal to inode_table.cc and inode_alloc.cc).
//
// One 64-bit atomic state word per inode:
//   bits  0..28  slot generation (1..kGenMax, 0 = never used); bumped by every insert
//   bit   31     LIVE
//   bits 32..63  live: the owner tag;  free: index of the next slot on the shared free stack
#pragma once
#include <cstdint>

namespace devfs {
namespace slot {

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

}  // namespace slot
}  // namespace devfs
