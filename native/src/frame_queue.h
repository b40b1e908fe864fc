// FrameQueue: the frames a datagram FdPoller has read and the reader has not taken yet.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace devfs {

/// Bounded FIFO of frames in a fixed ring of slots. Frame buffers are recycled through a small
/// pool: after warm-up a push is one memcpy into a buffer that already has the capacity (no
/// allocation per frame), and a pop copies the frame straight into the reader's buffer — no JS
/// object is made per frame. What stays allocated once the queue drained is bounded by the pool
/// (at most kPoolFrames buffers and poolBytes of capacity in all), not by the queue's capacity:
/// a slot holds exactly its frame (64 B frames cost 64 B, a 64 KiB GSO frame 64 KiB), so an
/// interface with offloads pays for large frames only while they wait.
class FrameQueue {
 public:
  static constexpr size_t kDefaultPoolBytes = 1024 * 1024;

  /// `poolBytes`: capacity the pool may keep (default 1 MiB; more for queues of 64 KiB GSO frames,
  /// whose buffers would otherwise be freed and allocated again at every burst).
  explicit FrameQueue(size_t capacity, size_t poolBytes = kDefaultPoolBytes) : slots_(capacity), poolLimit_(poolBytes) {}

  size_t Size() const { return size_; }
  size_t Capacity() const { return slots_.size(); }
  bool Empty() const { return size_ == 0; }
  bool Full() const { return size_ == slots_.size(); }

  /// Appends a frame (callers check Full() first).
  void Push(const uint8_t* data, size_t len) {
    std::vector<uint8_t>& slot = slots_[(head_ + size_) % slots_.size()];
    if (slot.capacity() == 0 && !pool_.empty()) TakePooled(slot);
    slot.assign(data, data + len);
    ++size_;
  }

  /// Length of the oldest frame, 0 when empty.
  size_t FrontLength() const { return size_ ? slots_[head_].size() : 0; }

  /// Removes the oldest frame, copying at most `cap` bytes of it to `dst`; returns bytes copied.
  size_t PopInto(uint8_t* dst, size_t cap) {
    std::vector<uint8_t>& slot = slots_[head_];
    size_t n = slot.size() < cap ? slot.size() : cap;
    if (n) std::copy(slot.data(), slot.data() + n, dst);
    Release(slot);
    head_ = (head_ + 1) % slots_.size();
    --size_;
    return n;
  }

  /// Drops every frame; returns how many were dropped.
  size_t Clear() {
    size_t n = size_;
    while (size_) {
      Release(slots_[head_]);
      head_ = (head_ + 1) % slots_.size();
      --size_;
    }
    head_ = 0;
    return n;
  }

 private:
  // A taken frame's buffer goes back to the pool while the pool has room (frames and bytes);
  // otherwise it is freed. Either way the slot is left without a buffer.
  void Release(std::vector<uint8_t>& slot) {
    std::vector<uint8_t> buf;
    buf.swap(slot);
    if (pool_.size() < kPoolFrames && poolBytes_ + buf.capacity() <= poolLimit_) {
      buf.clear();
      poolBytes_ += buf.capacity();
      pool_.push_back(std::move(buf));
    }
  }

  // Moves the last pooled buffer into `slot` (any size: assign() grows it when the frame is larger).
  void TakePooled(std::vector<uint8_t>& slot) {
    poolBytes_ -= pool_.back().capacity();
    slot.swap(pool_.back());
    pool_.pop_back();
  }

  static constexpr size_t kPoolFrames = 128;
  size_t poolBytes_ = 0;
  size_t poolLimit_;
  std::vector<std::vector<uint8_t>> slots_;
  std::vector<std::vector<uint8_t>> pool_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace devfs
