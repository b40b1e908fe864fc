// fdio_frames: FdPoller's datagram side — frames read into the native FrameQueue on POLLIN, and
// the calls that hand them to the reader (one memcpy into the reader's buffer, no JS object).
#include <errno.h>
#include <unistd.h>

#include <algorithm>

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
    ssize_t n = ::read(fd_, frames_->ReadBuffer(readSize_), readSize_);
    if (n > 0) {
      frames_->PushRead(static_cast<size_t>(n));  // a large frame is swapped in, not copied
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

// readFrames(bufs, lens): moves up to bufs.length queued frames, frame i into bufs[i] (truncated
// to it) and its copied length into lens[i] (a Uint32Array at least as long); returns how many
// (0 when none waits). One native call for a whole batch: no JS object per frame.
Napi::Value FdPoller::ReadFrameBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) ThrowErrno(env, EBADF, "read");
  if (!frames_) ThrowInvalid(env, "read", "readFrames needs datagram mode");
  if (!info[0].IsArray()) ThrowInvalid(env, "read", "bufs must be an array of Buffers");
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
    ThrowInvalid(env, "read", "lens must be a Uint32Array");
  Napi::Array bufs = info[0].As<Napi::Array>();
  Napi::Uint32Array lens = info[1].As<Napi::Uint32Array>();
  uint32_t want = bufs.Length();
  if (lens.ElementLength() < want) ThrowInvalid(env, "read", "lens is shorter than bufs");
  uint32_t got = 0;
  for (; got < want && !frames_->Empty(); ++got) {
    Napi::Value b = bufs[got];
    if (!b.IsBuffer()) ThrowInvalid(env, "read", "bufs must be an array of Buffers");
    auto buf = b.As<Napi::Buffer<uint8_t>>();
    lens[got] = static_cast<uint32_t>(frames_->PopInto(buf.Data(), buf.Length()));
  }
  if (got && fullPaused_) {
    fullPaused_ = false;
    UpdatePoll();
  }
  return Napi::Number::New(env, got);
}

// writeFrames(bufs, count?): sends the first `count` (default all) Buffers of bufs as one frame
// each — written now or queued for POLLOUT — and returns how many were taken. It stops at the
// first frame the write-queue bound refuses (ENOBUFS: that frame and the rest are not sent); an
// error on the first frame throws, a later one ends the batch early.
Napi::Value FdPoller::WriteFrameBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) ThrowErrno(env, EBADF, "write");
  if (!datagram_) ThrowInvalid(env, "write", "writeFrames needs datagram mode");
  if (!info[0].IsArray()) ThrowInvalid(env, "write", "bufs must be an array of Buffers");
  Napi::Array bufs = info[0].As<Napi::Array>();
  uint32_t count = bufs.Length();
  if (info.Length() > 1 && info[1].IsNumber()) count = std::min(count, info[1].As<Napi::Number>().Uint32Value());
  uint32_t done = 0;
  for (; done < count; ++done) {
    Napi::Value b = bufs[done];
    if (!b.IsBuffer()) ThrowInvalid(env, "write", "bufs must be an array of Buffers");
    auto buf = b.As<Napi::Buffer<uint8_t>>();
    int err = SendFrame(buf.Data(), buf.Length());
    if (err == ENOBUFS && done > 0) break;
    if (err && done == 0) ThrowErrno(env, err, "write");
    if (err) break;
  }
  return Napi::Number::New(env, done);
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
