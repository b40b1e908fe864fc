// fdio: FdPoller (uv_poll reader/writer on one fd); the synchronous fd helpers are fdio_sync.cc.
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "args.h"
#include "errors.h"
#include "modules.h"

namespace devfs {

namespace {

constexpr size_t kDefaultReadSize = 64 * 1024;
constexpr size_t kDefaultMaxQueued = 64 * 1024 * 1024;
// Upper bound of bytes read in one poll callback in stream mode (datagram: fdio_frames.cc); the
// poll is level-triggered, so whatever is left is read on the next loop turn and other handles
// get a turn.
constexpr size_t kMaxBytesPerTurn = 4 * 1024 * 1024;
constexpr size_t kDefaultQueueFrames = 512;

// (loop, fd) pairs with a live poller: libuv allows one poll handle per fd and loop, but only
// notices a second one once both are started, so we refuse it up front with EEXIST.
std::mutex g_liveMutex;
std::set<std::pair<uv_loop_t*, int>> g_live;

}  // namespace

bool ClaimPolledFd(uv_loop_t* loop, int fd) {
  std::lock_guard<std::mutex> lock(g_liveMutex);
  return g_live.insert({loop, fd}).second;
}

void ReleasePolledFd(uv_loop_t* loop, int fd) {
  std::lock_guard<std::mutex> lock(g_liveMutex);
  g_live.erase({loop, fd});
}

FdPoller::FdPoller(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FdPoller>(info) {
  Napi::Env env = info.Env();
  fd_ = ToFd(env, info[0], "FdPoller");
  if (!info[1].IsObject()) ThrowInvalid(env, "FdPoller", "options object required");
  Napi::Object o = info[1].As<Napi::Object>();

  std::string mode = o.Has("mode") && o.Get("mode").IsString() ? o.Get("mode").As<Napi::String>().Utf8Value() : "stream";
  if (mode != "stream" && mode != "datagram") ThrowInvalid(env, "FdPoller", "mode must be 'stream' or 'datagram'");
  datagram_ = mode == "datagram";
  ownsFd_ = o.Has("ownsFd") && o.Get("ownsFd").ToBoolean().Value();
  readSize_ = o.Has("readSize") && o.Get("readSize").IsNumber() ? o.Get("readSize").As<Napi::Number>().Int64Value() : kDefaultReadSize;
  if (readSize_ < 1 || readSize_ > 16 * 1024 * 1024) ThrowInvalid(env, "FdPoller", "readSize must be 1..16777216");
  maxQueued_ = o.Has("maxQueuedBytes") && o.Get("maxQueuedBytes").IsNumber()
                   ? o.Get("maxQueuedBytes").As<Napi::Number>().Int64Value() : kDefaultMaxQueued;
  const char* dataCb = datagram_ ? "onFrames" : "onData";
  if (!o.Get(dataCb).IsFunction() || !o.Get("onEnd").IsFunction())
    ThrowInvalid(env, "FdPoller", datagram_ ? "onFrames and onEnd callbacks are required" : "onData and onEnd callbacks are required");
  onData_ = Napi::Persistent(o.Get(dataCb).As<Napi::Function>());
  if (datagram_) {
    int64_t cap = o.Has("queueFrames") && o.Get("queueFrames").IsNumber() ? o.Get("queueFrames").As<Napi::Number>().Int64Value()
                                                                           : static_cast<int64_t>(kDefaultQueueFrames);
    if (cap < 1 || cap > 1 << 20) ThrowInvalid(env, "FdPoller", "queueFrames must be 1..1048576");
    int64_t pool = o.Has("framePoolBytes") && o.Get("framePoolBytes").IsNumber()
                       ? o.Get("framePoolBytes").As<Napi::Number>().Int64Value() : static_cast<int64_t>(FrameQueue::kDefaultPoolBytes);
    if (pool < 0 || pool > 1 << 30) ThrowInvalid(env, "FdPoller", "framePoolBytes must be 0..1073741824");
    frames_ = std::make_unique<FrameQueue>(static_cast<size_t>(cap), static_cast<size_t>(pool));
  }
  onEnd_ = Napi::Persistent(o.Get("onEnd").As<Napi::Function>());
  if (o.Get("onWritable").IsFunction()) onWritable_ = Napi::Persistent(o.Get("onWritable").As<Napi::Function>());
  if (o.Get("onError").IsFunction()) onError_ = Napi::Persistent(o.Get("onError").As<Napi::Function>());

  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || !loop) ThrowInvalid(env, "FdPoller", "no event loop");
  if (!ClaimPolledFd(loop, fd_)) ThrowErrno(env, EEXIST, "uv_poll_init");
  auto* h = new uv_poll_t;
  int r = uv_poll_init(loop, h, fd_);
  if (r < 0) {
    delete h;
    ReleasePolledFd(loop, fd_);
    ThrowErrno(env, -r, "uv_poll_init");
  }
  h->data = this;
  handle_ = h;
  if (!datagram_) scratch_.resize(readSize_);  // datagram mode reads into the frame queue's own buffers
  asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "FdPoller");
  napi_add_env_cleanup_hook(env, OnCleanup, this);
  hookAdded_ = true;
}

FdPoller::~FdPoller() { DoClose(false); }

void FdPoller::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "FdPoller", {
      InstanceMethod<&FdPoller::StartReading>("startReading"),
      InstanceMethod<&FdPoller::StopReading>("stopReading"),
      InstanceMethod<&FdPoller::Write>("write"),
      InstanceMethod<&FdPoller::WriteFrame>("writeFrame"),
      InstanceMethod<&FdPoller::Close>("close"),
      InstanceMethod<&FdPoller::JsRef>("ref"),
      InstanceMethod<&FdPoller::JsUnref>("unref"),
      InstanceAccessor<&FdPoller::GetQueuedBytes>("queuedBytes"),
      InstanceAccessor<&FdPoller::GetFd>("fd"),
      InstanceAccessor<&FdPoller::GetClosed>("closed"),
      InstanceAccessor<&FdPoller::GetReading>("reading"),
      InstanceMethod<&FdPoller::ReadFrame>("readFrame"),
      InstanceMethod<&FdPoller::ReadFrameBatch>("readFrames"),
      InstanceMethod<&FdPoller::WriteFrameBatch>("writeFrames"),
      InstanceMethod<&FdPoller::NextFrameLength>("nextFrameLength"),
      InstanceMethod<&FdPoller::DropFrames>("dropFrames"),
      InstanceAccessor<&FdPoller::GetFramesQueued>("framesQueued"),
  });
  exports.Set("FdPoller", ctor);
}

// --- JS methods ------------------------------------------------------------------------------

Napi::Value FdPoller::StartReading(const Napi::CallbackInfo& info) {
  if (closed_) ThrowErrno(info.Env(), EBADF, "startReading");
  if (!ended_) reading_ = true;
  UpdatePoll();
  return info.Env().Undefined();
}

Napi::Value FdPoller::StopReading(const Napi::CallbackInfo& info) {
  reading_ = false;
  UpdatePoll();
  return info.Env().Undefined();
}

Napi::Value FdPoller::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (datagram_) return WriteFrame(info);
  if (closed_) ThrowErrno(env, EBADF, "write");
  size_t len = 0;
  const uint8_t* data = Slice(info, 0, "write", &len);
  if (queued_ + len > maxQueued_) ThrowErrno(env, ENOBUFS, "write");
  size_t off = 0;
  if (queue_.empty()) {
    while (off < len) {
      ssize_t n = ::write(fd_, data + off, len - off);
      if (n > 0) { off += n; continue; }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (off == 0) ThrowErrno(env, n < 0 ? errno : EIO, "write");
      break;  // part written, then an error: keep the rest queued; the flush reports the error
    }
  }
  if (off < len) {
    queue_.push_back(Pending{std::vector<uint8_t>(data + off, data + len), 0});
    queued_ += len - off;
    UpdatePoll();
  }
  return Napi::Number::New(env, static_cast<double>(queued_));
}

Napi::Value FdPoller::WriteFrame(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!datagram_) return Write(info);
  if (closed_) ThrowErrno(env, EBADF, "write");
  size_t len = 0;
  const uint8_t* data = Slice(info, 0, "write", &len);
  int err = SendFrame(data, len);
  if (err) ThrowErrno(env, err, "write");
  return Napi::Number::New(env, static_cast<double>(queued_));
}

int FdPoller::SendFrame(const uint8_t* data, size_t len) {
  if (queued_ + len > maxQueued_) return ENOBUFS;
  if (queue_.empty()) {
    for (;;) {
      ssize_t n = ::write(fd_, data, len);
      if (n >= 0) return 0;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) break;
      return errno;
    }
  }
  queue_.push_back(Pending{std::vector<uint8_t>(data, data + len), 0});
  queued_ += len;
  UpdatePoll();
  return 0;
}

// close(done?): without `done` the fd (when owned) is closed now. With `done`, the owned fd is
// closed on the thread pool and `done()` runs on this loop once it is: close(2) of a tun fd that
// removes its interface takes the kernel ~20 ms (an RCU grace period), which must not block the
// loop. Until then the fd number stays taken, so nobody else can be handed it meanwhile.
Napi::Value FdPoller::Close(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsFunction() && !closed_ && ownsFd_ && fd_ >= 0) {
    int fd = fd_;
    ownsFd_ = false;  // DoClose leaves the fd to the worker
    DoClose(false);
    CloseOnPool(info.Env(), fd, info[0].As<Napi::Function>());
    return info.Env().Undefined();
  }
  DoClose(false);
  if (info.Length() > 0 && info[0].IsFunction()) info[0].As<Napi::Function>().Call({});
  return info.Env().Undefined();
}

Napi::Value FdPoller::JsRef(const Napi::CallbackInfo& info) {
  loopRef_ = true;
  if (handle_) uv_ref(reinterpret_cast<uv_handle_t*>(handle_));
  return info.Env().Undefined();
}

Napi::Value FdPoller::JsUnref(const Napi::CallbackInfo& info) {
  loopRef_ = false;
  if (handle_) uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
  return info.Env().Undefined();
}

Napi::Value FdPoller::GetQueuedBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(queued_));
}
Napi::Value FdPoller::GetFd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }
Napi::Value FdPoller::GetClosed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), closed_); }
Napi::Value FdPoller::GetReading(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), reading_); }

// --- loop side -------------------------------------------------------------------------------

void FdPoller::OnPoll(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<FdPoller*>(handle->data);
  if (!self || self->closed_) return;
  Napi::Env env = self->Env();
  Napi::HandleScope scope(env);
  Napi::Object keep = self->Value();  // keeps the wrapper alive while callbacks run
  (void)keep;
  if (status < 0) {
    // libuv saw POLLERR and stopped the watcher; find the real error through read()/write().
    self->pollEvents_ = 0;
    if (!self->queue_.empty()) self->HandleWritable();
    if (!self->closed_ && self->reading_ && !self->ended_) self->HandleReadable(status);
    if (!self->closed_) self->UpdatePoll();
    return;
  }
  if ((events & UV_WRITABLE) && !self->queue_.empty()) self->HandleWritable();
  if (!self->closed_ && (events & (UV_READABLE | UV_DISCONNECT)) && self->reading_ && !self->ended_)
    self->HandleReadable(0);
  if (!self->closed_) self->UpdatePoll();
}

Napi::Array FdPoller::ReadChunks(uint32_t* count, bool* eof, int* err, bool* wouldBlock) {
  Napi::Env env = Env();
  Napi::Array chunks = Napi::Array::New(env);
  // Successive reads (a pty hands over ~4 KiB per read) are packed into the scratch buffer and
  // delivered as one Buffer per fill: fewer allocations and JS callbacks per byte.
  size_t total = 0;
  size_t fill = 0;
  auto flush = [&]() {
    if (fill == 0) return;
    chunks.Set((*count)++, Napi::Buffer<uint8_t>::Copy(env, scratch_.data(), fill));
    fill = 0;
  };
  for (;;) {
    ssize_t n = ::read(fd_, scratch_.data() + fill, scratch_.size() - fill);
    if (n > 0) {
      total += n;
      fill += n;
      if (fill == scratch_.size()) flush();
      if (total >= kMaxBytesPerTurn) break;
      continue;
    }
    if (n == 0) { *eof = true; break; }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) { *wouldBlock = true; break; }
    if (errno == EIO) { *eof = true; break; }  // pty master: every slave closed
    *err = errno;
    break;
  }
  flush();
  return chunks;
}

void FdPoller::HandleReadable(int pollStatus) {
  Napi::Env env = Env();
  bool eof = false;
  int err = 0;
  bool wouldBlock = false;
  uint32_t count = 0;
  Napi::Value delivered;
  if (datagram_) {
    count = static_cast<uint32_t>(ReadFrames(&eof, &err, &wouldBlock));
    delivered = Napi::Number::New(env, static_cast<double>(frames_->Size()));
  } else {
    delivered = ReadChunks(&count, &eof, &err, &wouldBlock);
  }
  // POLLERR with nothing to read and no error from read(): report it rather than spin.
  if (pollStatus < 0 && wouldBlock && count == 0) err = EIO;
  if (count > 0) Call(onData_, {delivered});
  if (closed_ || (!eof && !err)) return;
  ended_ = true;
  reading_ = false;
  UpdatePoll();
  if (err) Call(onEnd_, {ErrnoError(env, err, "read").Value()});
  else Call(onEnd_, {});
}

void FdPoller::HandleWritable() {
  Napi::Env env = Env();
  int err = FlushQueue();
  if (err && !onError_.IsEmpty()) Call(onError_, {ErrnoError(env, err, "write").Value()});
  if (!closed_ && queue_.empty()) Call(onWritable_, {});
}

int FdPoller::FlushQueue() {
  while (!queue_.empty()) {
    Pending& p = queue_.front();
    size_t left = p.bytes.size() - p.offset;
    ssize_t n = ::write(fd_, p.bytes.data() + p.offset, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK || (datagram_ && errno == ENOBUFS)) return 0;
      int err = errno;
      queue_.clear();  // the fd cannot take data any more: the bytes have nowhere to go
      queued_ = 0;
      return err;
    }
    if (datagram_ || static_cast<size_t>(n) == left) {
      queued_ -= left;
      queue_.pop_front();
    } else {
      p.offset += n;
      queued_ -= n;
    }
  }
  return 0;
}

void FdPoller::UpdatePoll() {
  if (closed_ || !handle_) return;
  int ev = (reading_ && !ended_ && !fullPaused_ ? UV_READABLE : 0) | (!queue_.empty() ? UV_WRITABLE : 0);
  if (ev == pollEvents_) return;
  if (ev == 0) {
    uv_poll_stop(handle_);
    pollEvents_ = 0;
    if (jsRef_) {
      jsRef_ = false;
      Napi::Reference<Napi::Object>::Unref();
    }
    return;
  }
  int r = uv_poll_start(handle_, ev, OnPoll);
  if (r < 0) return;  // only fails on a closing handle
  pollEvents_ = ev;
  if (!jsRef_) {
    jsRef_ = true;
    Napi::Reference<Napi::Object>::Ref();
  }
}

void FdPoller::DoClose(bool fromCleanup) {
  if (closed_) return;
  closed_ = true;
  reading_ = false;
  pollEvents_ = 0;
  if (handle_) {
    ReleasePolledFd(handle_->loop, fd_);
    handle_->data = nullptr;
    // uv_close stops the watcher (epoll_ctl DEL) synchronously, so the fd may be closed below.
    uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    handle_ = nullptr;
  }
  // Nothing of the fd's is kept: queued bytes, frames and the read buffer are freed now, not when
  // the wrapper is collected, and no later call can reach the fd number (it may be reused).
  std::deque<Pending>().swap(queue_);
  queued_ = 0;
  frames_.reset();
  std::vector<uint8_t>().swap(scratch_);
  if (ownsFd_ && fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (jsRef_ && !fromCleanup) Napi::Reference<Napi::Object>::Unref();
  jsRef_ = false;
  // The callbacks are strong roots that usually close over the object holding this poller: kept,
  // they would keep that object, the poller's wrapper and this native object alive for good. A
  // callback running now (one that called close()) is unaffected: it is already on the stack.
  if (!fromCleanup) {
    onData_.Reset();
    onEnd_.Reset();
    onWritable_.Reset();
    onError_.Reset();
  }
  if (hookAdded_) {
    hookAdded_ = false;
    napi_remove_env_cleanup_hook(Env(), OnCleanup, this);
  }
}

void FdPoller::OnCleanup(void* arg) {
  auto* self = static_cast<FdPoller*>(arg);
  self->hookAdded_ = false;
  self->DoClose(true);
}

void FdPoller::Call(Napi::FunctionReference& fn, const std::vector<napi_value>& args) {
  if (closed_ || fn.IsEmpty()) return;
  try {
    fn.MakeCallback(Value(), args, *asyncContext_);
  } catch (const Napi::Error& e) {
    napi_fatal_exception(Env(), e.Value());
  }
}

void InitFdio(Napi::Env env, Napi::Object exports) {
  FdPoller::Init(env, exports);
  InitFdWatch(env, exports);
  InitFdSync(env, exports);
}

}  // namespace devfs
