// FdPoller: non-blocking reader/writer on one fd, driven by one uv_poll_t on the calling
// environment's own loop (napi_get_uv_event_loop), so it works in worker threads.
#pragma once
#include <napi.h>
#include <uv.h>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "frame_queue.h"

namespace devfs {

/// Claims (loop, fd) for one poll handle; false when another poller/watch already has it.
bool ClaimPolledFd(uv_loop_t* loop, int fd);
/// Releases a claim made by ClaimPolledFd.
void ReleasePolledFd(uv_loop_t* loop, int fd);
/// fdio_ready.cc: FdWatch (one-shot readiness without reading).
void InitFdWatch(Napi::Env env, Napi::Object exports);
/// fdio_close.cc: closes `fd` on the thread pool (napi async work, which env teardown waits for),
/// then calls `done` on the env's loop.
void CloseOnPool(Napi::Env env, int fd, Napi::Function done);
/// fdio_sync.cc: fdRead, fdWrite, fdClose, fdIoctlInt, fdPoll, fdPipe.
void InitFdSync(Napi::Env env, Napi::Object exports);

/// One fd polled on the env's loop. Stream mode: reads until EAGAIN and delivers chunks; EIO
/// (a pty master whose slaves are all closed) and read() == 0 are end of output. Datagram mode:
/// one read() is one frame, kept in a native FrameQueue until readFrame() copies it into the
/// reader's buffer; the fd is not polled for input while that queue is full. Writes that cannot complete now wait in a bounded queue for POLLOUT.
class FdPoller : public Napi::ObjectWrap<FdPoller> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  explicit FdPoller(const Napi::CallbackInfo& info);
  ~FdPoller() override;

 private:
  struct Pending {
    std::vector<uint8_t> bytes;
    size_t offset = 0;
  };

  Napi::Value StartReading(const Napi::CallbackInfo& info);
  Napi::Value StopReading(const Napi::CallbackInfo& info);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value WriteFrame(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value JsRef(const Napi::CallbackInfo& info);
  Napi::Value JsUnref(const Napi::CallbackInfo& info);
  Napi::Value GetQueuedBytes(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  Napi::Value GetClosed(const Napi::CallbackInfo& info);
  Napi::Value GetReading(const Napi::CallbackInfo& info);
  // Datagram mode (fdio_frames.cc).
  Napi::Value ReadFrame(const Napi::CallbackInfo& info);
  Napi::Value ReadFrameBatch(const Napi::CallbackInfo& info);
  Napi::Value WriteFrameBatch(const Napi::CallbackInfo& info);
  /// Datagram write of one frame: written now, or queued for POLLOUT; returns 0, ENOBUFS when the
  /// queue bound would be passed (nothing written), or the write's errno.
  int SendFrame(const uint8_t* data, size_t len);
  Napi::Value NextFrameLength(const Napi::CallbackInfo& info);
  Napi::Value DropFrames(const Napi::CallbackInfo& info);
  Napi::Value GetFramesQueued(const Napi::CallbackInfo& info);
  /// Reads frames until EAGAIN, the queue is full or the per-turn bound; returns frames added.
  /// Sets *eof / *err / *wouldBlock like the stream loop.
  size_t ReadFrames(bool* eof, int* err, bool* wouldBlock);
  /// Stream mode: reads until EAGAIN/end or the per-turn bound, packed into Buffers of up to
  /// readSize bytes; returns them as a JS array and their number in *count.
  Napi::Array ReadChunks(uint32_t* count, bool* eof, int* err, bool* wouldBlock);

  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnCleanup(void* arg);

  void HandleReadable(int pollStatus);
  void HandleWritable();
  /// Writes queued bytes until the queue is empty or the fd would block; returns 0 or an errno.
  int FlushQueue();
  void UpdatePoll();
  /// Stops polling and closes the uv handle (and the fd when owned). From the env cleanup hook
  /// no JS reference is touched.
  void DoClose(bool fromCleanup);
  void Call(Napi::FunctionReference& fn, const std::vector<napi_value>& args);

  int fd_;
  bool datagram_;
  bool ownsFd_;
  size_t readSize_;
  size_t maxQueued_;
  uv_poll_t* handle_ = nullptr;
  bool reading_ = false;
  bool ended_ = false;
  bool closed_ = false;
  bool jsRef_ = false;         // ObjectWrap strong ref held while the handle is active
  bool loopRef_ = true;        // whether an active handle keeps the loop alive
  bool hookAdded_ = false;
  bool fullPaused_ = false;    // datagram: input not polled while the frame queue is full
  int pollEvents_ = 0;
  size_t queued_ = 0;
  std::deque<Pending> queue_;
  std::vector<uint8_t> scratch_;
  std::unique_ptr<FrameQueue> frames_;  // datagram mode only
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
  Napi::FunctionReference onData_;
  Napi::FunctionReference onEnd_;
  Napi::FunctionReference onWritable_;
  Napi::FunctionReference onError_;
};

}  // namespace devfs
