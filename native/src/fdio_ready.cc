// fdio_ready: FdWatch — one-shot readiness of an fd (POLLIN/POLLOUT/POLLHUP) on the env's loop,
// without reading or writing: for drivers whose reads happen on demand (a devfs handle's
// d_poll/selrecord), where FdPoller's own reading would consume the data.
#include <poll.h>
#include <uv.h>

#include <memory>

#include "errors.h"
#include "fdio.h"
#include "poll_handle.h"

namespace devfs {

namespace {

class FdWatch : public Napi::ObjectWrap<FdWatch> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("FdWatch", DefineClass(env, "FdWatch", {
        InstanceMethod<&FdWatch::Arm>("arm"),
        InstanceMethod<&FdWatch::Disarm>("disarm"),
        InstanceMethod<&FdWatch::Close>("close"),
        InstanceAccessor<&FdWatch::GetArmed>("armed"),
    }));
  }

  // new FdWatch(fd, onReady(revents))
  explicit FdWatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FdWatch>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsNumber() || info[0].As<Napi::Number>().Int64Value() < 0) ThrowErrno(env, EBADF, "FdWatch");
    if (!info[1].IsFunction()) ThrowInvalid(env, "FdWatch", "onReady callback required");
    fd_ = info[0].As<Napi::Number>().Int32Value();
    onReady_ = Napi::Persistent(info[1].As<Napi::Function>());
    uv_loop_t* loop = LoopOf(env);
    if (!ClaimPolledFd(loop, fd_)) ThrowErrno(env, EEXIST, "uv_poll_init");
    int r = poll_.Open(loop, fd_, this);
    if (r < 0) {
      ReleasePolledFd(loop, fd_);
      ThrowErrno(env, -r, "uv_poll_init");
    }
    asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "FdWatch");
    hook_.Add(env, OnCleanup, this);
  }

  ~FdWatch() override { Stop(false); }

 private:
  // arm(pollEvents): waits once for POLLIN and/or POLLOUT (Linux bits); onReady(revents) then.
  Napi::Value Arm(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!poll_) ThrowErrno(env, EBADF, "poll");
    int ev = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : POLLIN;
    int uvev = ((ev & POLLIN) ? UV_READABLE : 0) | ((ev & POLLOUT) ? UV_WRITABLE : 0);
    if (!uvev) uvev = UV_READABLE;
    int r = uv_poll_start(poll_.get(), uvev, OnPoll);
    if (r < 0) ThrowErrno(env, -r, "poll");
    if (!armed_) {
      armed_ = true;
      Napi::Reference<Napi::Object>::Ref();
    }
    return env.Undefined();
  }

  Napi::Value Disarm(const Napi::CallbackInfo& info) {
    DisarmNow();
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Stop(false);
    return info.Env().Undefined();
  }

  Napi::Value GetArmed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), armed_); }

  void DisarmNow() {
    if (poll_) uv_poll_stop(poll_.get());
    if (armed_) {
      armed_ = false;
      Napi::Reference<Napi::Object>::Unref();
    }
  }

  static void OnPoll(uv_poll_t* h, int status, int events) {
    auto* self = static_cast<FdWatch*>(h->data);
    if (!self) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    Napi::Object keep = self->Value();
    (void)keep;
    int revents = status < 0 ? POLLERR : 0;
    if (events & UV_READABLE) revents |= POLLIN;
    if (events & UV_WRITABLE) revents |= POLLOUT;
    if (events & UV_DISCONNECT) revents |= POLLHUP;
    self->DisarmNow();
    if (self->onReady_.IsEmpty()) return;
    CallOrFatal(env, self->onReady_.Value(), self->Value(), {Napi::Number::New(env, revents)}, *self->asyncContext_);
  }

  static void OnCleanup(void* arg) {
    auto* self = static_cast<FdWatch*>(arg);
    self->hook_.Consumed();
    self->Stop(true);
  }

  void Stop(bool fromCleanup) {
    if (poll_) {
      ReleasePolledFd(poll_.get()->loop, fd_);
      poll_.Close();
    }
    if (armed_) {
      armed_ = false;
      if (!fromCleanup) Napi::Reference<Napi::Object>::Unref();
    }
    // The callback closes over the watch's owner: kept, it would keep both alive for good.
    if (!fromCleanup) onReady_.Reset();
    hook_.Remove(Env());
  }

  int fd_ = -1;
  bool armed_ = false;
  PollHandle poll_;
  CleanupHook hook_;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
  Napi::FunctionReference onReady_;
};

}  // namespace

void InitFdWatch(Napi::Env env, Napi::Object exports) { FdWatch::Init(env, exports); }

}  // namespace devfs
