// fdio_frames: FdPoller's datagram side — frames read into the native FrameQueue on POLLIN, and
// the calls that hand them to the reader (one memcpy into the reader's buffer, no JS object).
#include <errno.h>
#include <unistd.h>

#include "errors.h"
#include "fdio.h"

namespace devfs {

namespace {
// Frames read in one poll callback at most; the poll is level-triggered, so the rest is read on
// the next loop turn and other handles get a turn meanwhile.
constexpr size_t kMaxFramesPerTurn = 1024;
}  // namespace

size_t FdPoller::ReadFrames(bool* eof, int* err, bool* wouldBlock) {
  size_t added = 0;
  while (added < kMaxFramesPerTurn) {
    if (frames_->Full()) {
      fullPaused_ = true;  // stop polling input until the reader takes a frame (UpdatePoll)
      break;
    }
    ssize_t n = ::read(fd_, scratch_.data(), scratch_.size());
    if (n > 0) {
      frames_->Push(scratch_.data(), static_cast<size_t>(n));
      ++added;
      continue;
    }
    if (n == 0) { *eof = true; break; }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) { *wouldBlock = true; break; }
    *err = errno;
    break;
  }
  return added;
}

// readFrame(buf): copies the oldest frame (truncated to buf) into buf and returns the bytes
// copied; -1 when no frame waits. Taking a frame from a full queue resumes polling the fd.
Napi::Value FdPoller::ReadFrame(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) ThrowErrno(env, EBADF, "read");
  if (!frames_) ThrowInvalid(env, "read", "readFrame needs datagram mode");
  if (!info[0].IsBuffer()) ThrowInvalid(env, "read", "buffer must be a Buffer");
  if (frames_->Empty()) return Napi::Number::New(env, -1);
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  size_t n = frames_->PopInto(buf.Data(), buf.Length());
  if (fullPaused_) {
    fullPaused_ = false;
    UpdatePoll();
  }
  return Napi::Number::New(env, static_cast<double>(n));
}

// nextFrameLength(): length of the oldest frame, 0 when none (FIONREAD).
Napi::Value FdPoller::NextFrameLength(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), frames_ ? static_cast<double>(frames_->FrontLength()) : 0);
}

// dropFrames(): discards every queued frame; returns how many.
Napi::Value FdPoller::DropFrames(const Napi::CallbackInfo& info) {
  size_t n = frames_ ? frames_->Clear() : 0;
  if (fullPaused_) {
    fullPaused_ = false;
    UpdatePoll();
  }
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value FdPoller::GetFramesQueued(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), frames_ ? static_cast<double>(frames_->Size()) : 0);
}

}  // namespace devfs
