// FrameQueue: the frames a datagram FdPoller has read and the reader has not taken yet.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace devfs {

/// An allocator whose resize() leaves new bytes uninitialized: a frame buffer is always written
/// (by read(2) or memcpy) before it is read, so zero-filling 64 KiB per frame would be waste.
template <typename T>
struct UninitAlloc : std::allocator<T> {
  template <typename U>
  struct rebind { using other = UninitAlloc<U>; };
  UninitAlloc() = default;
  template <typename U>
  UninitAlloc(const UninitAlloc<U>&) {}
  template <typename U>
  void construct(U* p) noexcept { ::new (static_cast<void*>(p)) U; }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) { ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...); }
};

/// Bounded FIFO of frames in a fixed ring of slots. Frames are read into a spare buffer of the
/// read size (ReadBuffer/PushRead): a large frame (≥ kSwapBytes, e.g. a 64 KiB GSO frame) is
/// swapped into its slot without a copy and the spare replaced from the pool; a small one is
/// copied into a buffer of its own size, so a slot holds about its frame's bytes (64 B frames cost
/// 64 B, not the read size). Buffers of taken frames are recycled through a pool: after warm-up
/// no allocation per frame, and a pop copies the frame straight into the reader's buffer — no JS
/// object per frame. What stays allocated once the queue drained is bounded by the pool (at most
/// kPoolFrames buffers and poolBytes of capacity in all) plus the spare, not by the capacity.
class FrameQueue {
 public:
  using Buf = std::vector<uint8_t, UninitAlloc<uint8_t>>;
  static constexpr size_t kDefaultPoolBytes = 1024 * 1024;
  /// Frames at least this large are swapped into their slot instead of copied.
  static constexpr size_t kSwapBytes = 8 * 1024;

  /// `poolBytes`: capacity the pool may keep (default 1 MiB; more for queues of 64 KiB GSO frames,
  /// whose buffers would otherwise be freed and allocated again at every burst).
  explicit FrameQueue(size_t capacity, size_t poolBytes = kDefaultPoolBytes) : slots_(capacity), poolLimit_(poolBytes) {}

  size_t Size() const { return size_; }
  size_t Capacity() const { return slots_.size(); }
  bool Empty() const { return size_ == 0; }
  bool Full() const { return size_ == slots_.size(); }

  /// The spare buffer of `size` bytes to read the next frame into (then PushRead).
  uint8_t* ReadBuffer(size_t size) {
    if (spare_.size() != size) {
      if (spare_.capacity() < size) TakeLarge(spare_, size);
      spare_.resize(size);
    }
    return spare_.data();
  }

  /// Appends the `len` bytes just read into ReadBuffer() (callers check Full() first).
  void PushRead(size_t len) {
    Buf& slot = slots_[(head_ + size_) % slots_.size()];
    if (len >= kSwapBytes) {
      size_t size = spare_.size();
      Release(slot);  // normally empty already
      slot.swap(spare_);
      slot.resize(len);  // shrinks: the capacity stays for the next large frame
      TakeLarge(spare_, size);
      spare_.resize(size);
    } else {
      if (slot.capacity() == 0) TakeSmall(slot);
      slot.assign(spare_.data(), spare_.data() + len);
    }
    ++size_;
  }

  /// Length of the oldest frame, 0 when empty.
  size_t FrontLength() const { return size_ ? slots_[head_].size() : 0; }

  /// Removes the oldest frame, copying at most `cap` bytes of it to `dst`; returns bytes copied.
  size_t PopInto(uint8_t* dst, size_t cap) {
    Buf& slot = slots_[head_];
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
  // A taken frame's buffer goes back to the pool (large or small by capacity) while the pool has
  // room (frames and bytes); otherwise it is freed. Either way the slot is left without a buffer.
  void Release(Buf& slot) {
    if (slot.capacity() == 0) return;
    Buf buf;
    buf.swap(slot);
    if (pool_.size() + large_.size() < kPoolFrames && poolBytes_ + buf.capacity() <= poolLimit_) {
      buf.clear();
      poolBytes_ += buf.capacity();
      (buf.capacity() >= kSwapBytes ? large_ : pool_).push_back(std::move(buf));
    }
  }

  // Gives `buf` (empty) a pooled small buffer when there is one (assign() grows it if needed).
  void TakeSmall(Buf& buf) {
    if (pool_.empty()) return;
    poolBytes_ -= pool_.back().capacity();
    buf.swap(pool_.back());
    pool_.pop_back();
  }

  // Gives `buf` a buffer of at least `size` bytes' capacity: a pooled large one, else a new one.
  void TakeLarge(Buf& buf, size_t size) {
    Buf().swap(buf);
    if (!large_.empty() && large_.back().capacity() >= size) {
      poolBytes_ -= large_.back().capacity();
      buf.swap(large_.back());
      large_.pop_back();
      return;
    }
    buf.reserve(size);
  }

  static constexpr size_t kPoolFrames = 128;
  std::vector<Buf> slots_;
  std::vector<Buf> pool_;   // small buffers (< kSwapBytes)
  std::vector<Buf> large_;  // read-size buffers of swapped-in frames
  Buf spare_;
  size_t poolBytes_ = 0;
  size_t poolLimit_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace devfs
