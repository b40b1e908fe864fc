// fdio_ready: FdWatch — one-shot readiness of an fd (POLLIN/POLLOUT/POLLHUP) on the env's loop,
// without reading or writing: for drivers whose reads happen on demand (a devfs handle's
// d_poll/selrecord), where FdPoller's own reading would consume the data.
#include <poll.h>
#include <uv.h>

#include <memory>

#include "errors.h"
#include "fdio.h"

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
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    if (!ClaimPolledFd(loop, fd_)) ThrowErrno(env, EEXIST, "uv_poll_init");
    handle_ = new uv_poll_t;
    int r = uv_poll_init(loop, handle_, fd_);
    if (r < 0) {
      delete handle_;
      handle_ = nullptr;
      ReleasePolledFd(loop, fd_);
      ThrowErrno(env, -r, "uv_poll_init");
    }
    handle_->data = this;
    asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "FdWatch");
    napi_add_env_cleanup_hook(env, OnCleanup, this);
    hooked_ = true;
  }

  ~FdWatch() override { Stop(false); }

 private:
  // arm(pollEvents): waits once for POLLIN and/or POLLOUT (Linux bits); onReady(revents) then.
  Napi::Value Arm(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!handle_) ThrowErrno(env, EBADF, "poll");
    int ev = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : POLLIN;
    int uvev = ((ev & POLLIN) ? UV_READABLE : 0) | ((ev & POLLOUT) ? UV_WRITABLE : 0);
    if (!uvev) uvev = UV_READABLE;
    int r = uv_poll_start(handle_, uvev, OnPoll);
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
    if (handle_) uv_poll_stop(handle_);
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
    try {
      self->onReady_.MakeCallback(self->Value(), {Napi::Number::New(env, revents)}, *self->asyncContext_);
    } catch (const Napi::Error& e) {
      napi_fatal_exception(env, e.Value());
    }
  }

  static void OnCleanup(void* arg) {
    auto* self = static_cast<FdWatch*>(arg);
    self->hooked_ = false;
    self->Stop(true);
  }

  void Stop(bool fromCleanup) {
    if (handle_) {
      ReleasePolledFd(handle_->loop, fd_);
      handle_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
      handle_ = nullptr;
    }
    if (armed_) {
      armed_ = false;
      if (!fromCleanup) Napi::Reference<Napi::Object>::Unref();
    }
    // The callback closes over the watch's owner: kept, it would keep both alive for good.
    if (!fromCleanup) onReady_.Reset();
    if (hooked_) {
      hooked_ = false;
      napi_remove_env_cleanup_hook(Env(), OnCleanup, this);
    }
  }

  int fd_ = -1;
  bool armed_ = false;
  bool hooked_ = false;
  uv_poll_t* handle_ = nullptr;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
  Napi::FunctionReference onReady_;
};

}  // namespace

void InitFdWatch(Napi::Env env, Napi::Object exports) { FdWatch::Init(env, exports); }

}  // namespace devfs
