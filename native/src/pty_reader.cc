// pty_reader: PtyReader — a pty master's output read by a thread of its own (poll, then read
// until EAGAIN), handed to the env's loop through a uv_async_t. The kernel's pty path moves at
// most 4 KiB per read and needs a worker hop for the next, so a reader that only runs when the
// JS thread is free stalls the writer whenever the loop is busy; this one keeps it moving. It is
// bounded: the thread sleeps (condition variable, no polling) while `maxBuffered` bytes wait for
// the loop or while paused. The fd is never closed here; close() joins the thread first.
#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <uv.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "errors.h"
#include "pty.h"

namespace devfs {

namespace {

constexpr size_t kBatch = 256 * 1024;            // at most this much per read-until-EAGAIN round
constexpr size_t kRead = 64 * 1024;              // one read(2) (a pty gives at most 4 KiB anyway)
constexpr size_t kKeepCapacity = 1 << 20;        // the spare buffer keeps its memory up to this
// Bulk output: a round that read at least kBulk bytes (the line discipline hands out at most 4 KiB
// a read, then the next needs a kernel worker hop) is followed by more within microseconds. Then
// the loop is woken only once kWakeAt bytes wait or no more came within kHoldNs — one wakeup per
// 512 KiB instead of one per 4 KiB (the loop's thread then competes less with the writer and the
// kernel worker). Small reads (keystrokes, prompts) wake the loop at once.
constexpr size_t kBulk = 3072;
constexpr size_t kWakeAt = 512 * 1024;
constexpr long kHoldNs = 200 * 1000;
constexpr size_t kDefaultMaxBuffered = 4 << 20;  // 4 MiB waiting for the loop, then the thread waits

class PtyReader : public Napi::ObjectWrap<PtyReader> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("PtyReader", DefineClass(env, "PtyReader", {
        InstanceMethod<&PtyReader::Pause>("pause"),
        InstanceMethod<&PtyReader::Resume>("resume"),
        InstanceMethod<&PtyReader::Close>("close"),
        InstanceAccessor<&PtyReader::GetClosed>("closed"),
    }));
  }

  // new PtyReader(fd, { onData(chunks: Buffer[]), onEnd(), maxBuffered? })
  explicit PtyReader(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PtyReader>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsNumber() || info[0].As<Napi::Number>().Int64Value() < 0) ThrowErrno(env, EBADF, "PtyReader");
    if (!info[1].IsObject()) ThrowInvalid(env, "PtyReader", "options object required");
    Napi::Object o = info[1].As<Napi::Object>();
    if (!o.Get("onData").IsFunction() || !o.Get("onEnd").IsFunction()) ThrowInvalid(env, "PtyReader", "onData and onEnd callbacks are required");
    fd_ = info[0].As<Napi::Number>().Int32Value();
    if (o.Get("maxBuffered").IsNumber()) {
      int64_t m = o.Get("maxBuffered").As<Napi::Number>().Int64Value();
      if (m < 4096 || m > (1LL << 30)) ThrowInvalid(env, "PtyReader", "maxBuffered must be 4096..2^30");
      max_ = static_cast<size_t>(m);
    }
    wakeFd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeFd_ < 0) ThrowErrno(env, errno, "eventfd");
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    async_ = new uv_async_t;
    int r = uv_async_init(loop, async_, OnAsync);
    if (r < 0) {
      delete async_;
      async_ = nullptr;
      ::close(wakeFd_);
      ThrowErrno(env, -r, "uv_async_init");
    }
    async_->data = this;
    onData_ = Napi::Persistent(o.Get("onData").As<Napi::Function>());
    onEnd_ = Napi::Persistent(o.Get("onEnd").As<Napi::Function>());
    asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "PtyReader");
    try {
      thread_ = std::thread([this] { Run(); });
    } catch (const std::system_error& e) {
      Stop(false);
      ThrowErrno(env, e.code().value() ? e.code().value() : EAGAIN, "pthread_create");
    }
    napi_add_env_cleanup_hook(env, OnCleanup, this);
    hooked_ = true;
  }

  ~PtyReader() override { Stop(false); }

 private:
  // --- the reading thread -------------------------------------------------------------------
  void Run() {
    std::vector<uint8_t> scratch(kRead);
    bool held = false;  // read and not yet announced to the loop (bulk output, see kBulk)
    for (;;) {
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [this] { return stopping_ || (!paused_ && pending_.size() < max_); });
        if (stopping_) return;
      }
      struct pollfd p[2] = {{fd_, POLLIN, 0}, {wakeFd_, POLLIN, 0}};
      struct timespec hold = {0, kHoldNs};
      int r = ppoll(p, 2, held ? &hold : nullptr, nullptr);
      if (r == 0 || (r > 0 && p[1].revents && held)) {
        held = false;
        uv_async_send(async_);  // nothing more came (or we are told something): hand over now
      }
      if (r == 0) continue;
      if (r < 0 && errno == EINTR) continue;
      if (r > 0 && p[1].revents) {
        uint64_t v;
        (void)!::read(wakeFd_, &v, sizeof v);
        continue;  // paused, stopping or room again: the loop head decides
      }
      bool end = r < 0 || (p[0].revents & POLLNVAL);
      size_t got = 0;
      while (!end && got < kBatch) {
        ssize_t n = ::read(fd_, scratch.data(), scratch.size());
        if (n > 0) {
          got += static_cast<size_t>(n);
          std::lock_guard<std::mutex> lk(mu_);
          pending_.insert(pending_.end(), scratch.data(), scratch.data() + n);
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        end = true;  // 0, or EIO: every slave closed — the end of the output
      }
      if (end) {
        std::lock_guard<std::mutex> lk(mu_);
        eof_ = true;
      }
      size_t waiting;
      {
        std::lock_guard<std::mutex> lk(mu_);
        waiting = pending_.size();
      }
      held = !end && got >= kBulk && waiting < kWakeAt;
      if (!held && (got > 0 || end)) uv_async_send(async_);
      if (end) return;
    }
  }

  // --- the loop side ------------------------------------------------------------------------
  static void OnAsync(uv_async_t* h) {
    auto* self = static_cast<PtyReader*>(h->data);
    if (self) self->Deliver();
  }

  // Hands what the thread read to onData (one Buffer), then onEnd once the thread saw the end.
  void Deliver() {
    if (closed_ || jsPaused_) return;
    bool eof;
    spare_.clear();
    {
      std::lock_guard<std::mutex> lk(mu_);
      pending_.swap(spare_);  // the thread goes on filling the (empty) other one
      eof = eof_;
    }
    cv_.notify_one();
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Object keep = Value();
    (void)keep;
    if (!spare_.empty()) {
      Napi::Array arr = Napi::Array::New(env, 1);
      arr.Set(0u, Napi::Buffer<uint8_t>::Copy(env, spare_.data(), spare_.size()));
      spare_.clear();
      if (spare_.capacity() > kKeepCapacity) spare_.shrink_to_fit();
      Call(onData_, {arr});
    }
    if (eof && !closed_ && !jsPaused_ && !ended_) {
      ended_ = true;
      Call(onEnd_, {});
    }
  }

  void Call(Napi::FunctionReference& fn, const std::vector<napi_value>& args) {
    if (closed_ || fn.IsEmpty()) return;
    try {
      fn.MakeCallback(Value(), args, *asyncContext_);
    } catch (const Napi::Error& e) {
      napi_fatal_exception(Env(), e.Value());
    }
  }

  void Wake() {
    uint64_t one = 1;
    (void)!::write(wakeFd_, &one, sizeof one);
  }

  // Stops and joins the thread, closes the async handle and the eventfd, drops the callbacks
  // (not from the cleanup hook). Whatever was read and not delivered is left in pending_.
  void Stop(bool fromCleanup) {
    if (thread_.joinable()) {
      {
        std::lock_guard<std::mutex> lk(mu_);
        stopping_ = true;
      }
      cv_.notify_all();
      Wake();
      thread_.join();
    }
    closed_ = true;
    if (async_) {
      async_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(async_), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
      async_ = nullptr;
    }
    if (wakeFd_ >= 0) {
      ::close(wakeFd_);
      wakeFd_ = -1;
    }
    if (!fromCleanup) {
      onData_.Reset();
      onEnd_.Reset();
    }
    if (hooked_) {
      hooked_ = false;
      napi_remove_env_cleanup_hook(Env(), OnCleanup, this);
    }
  }

  static void OnCleanup(void* arg) {
    auto* self = static_cast<PtyReader*>(arg);
    self->hooked_ = false;
    self->Stop(true);
  }

  Napi::Value Pause(const Napi::CallbackInfo& info) {
    if (!closed_) {
      jsPaused_ = true;
      std::lock_guard<std::mutex> lk(mu_);
      paused_ = true;
    }
    return info.Env().Undefined();
  }

  Napi::Value Resume(const Napi::CallbackInfo& info) {
    if (!closed_ && jsPaused_) {
      jsPaused_ = false;
      {
        std::lock_guard<std::mutex> lk(mu_);
        paused_ = false;
      }
      cv_.notify_one();
      uv_async_send(async_);  // what waited while paused, and a pending end
    }
    return info.Env().Undefined();
  }

  // close(): stops the thread; returns the bytes it read that were not delivered (or undefined).
  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Stop(false);
    if (pending_.empty()) return env.Undefined();
    auto rest = Napi::Buffer<uint8_t>::Copy(env, pending_.data(), pending_.size());
    pending_ = std::vector<uint8_t>();
    return rest;
  }

  Napi::Value GetClosed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), closed_); }

  int fd_ = -1;
  int wakeFd_ = -1;
  size_t max_ = kDefaultMaxBuffered;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  // guarded by mu_
  std::vector<uint8_t> pending_;  // read, not yet handed to the loop
  bool paused_ = false;
  bool stopping_ = false;
  bool eof_ = false;
  // loop thread only
  bool jsPaused_ = false;
  bool ended_ = false;
  bool closed_ = false;
  bool hooked_ = false;
  std::vector<uint8_t> spare_;  // the other buffer of the pair, swapped with pending_
  uv_async_t* async_ = nullptr;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
  Napi::FunctionReference onData_;
  Napi::FunctionReference onEnd_;
};

}  // namespace

void InitPtyReader(Napi::Env env, Napi::Object exports) { PtyReader::Init(env, exports); }

}  // namespace devfs
