// poll_handle: what every uv_poll wrapper class shares (FdWatch, ProcessWatcher): one uv_poll_t
// on the calling environment's own loop (never uv_default_loop), closed with uv_close and freed
// in its close callback; the env cleanup hook registered once and removed once; and a JS callback
// whose throw becomes the process's uncaught exception. Header-only.
#pragma once
#include <napi.h>
#include <uv.h>

#include <vector>

namespace devfs {

/// The env's own event loop.
inline uv_loop_t* LoopOf(Napi::Env env) {
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  return loop;
}

/// uv_close on a heap-allocated libuv handle (uv_poll_t, uv_timer_t, ...), freed in its close callback.
template <typename T>
inline void CloseAndDelete(T* handle) {
  uv_close(reinterpret_cast<uv_handle_t*>(handle), [](uv_handle_t* h) { delete reinterpret_cast<T*>(h); });
}

/// One uv_poll_t owned by a wrapper object (`data` points back at it while open).
class PollHandle {
 public:
  /// uv_poll_init on `loop` for `fd`; 0 or a negative libuv error (then nothing stays open).
  int Open(uv_loop_t* loop, int fd, void* owner) {
    handle_ = new uv_poll_t;
    int r = uv_poll_init(loop, handle_, fd);
    if (r < 0) {
      delete handle_;
      handle_ = nullptr;
      return r;
    }
    handle_->data = owner;
    return 0;
  }
  /// Detaches the owner and closes the handle (stopping it at once); freed by libuv later.
  void Close() {
    if (!handle_) return;
    handle_->data = nullptr;
    CloseAndDelete(handle_);
    handle_ = nullptr;
  }
  uv_poll_t* get() const { return handle_; }
  explicit operator bool() const { return handle_ != nullptr; }

 private:
  uv_poll_t* handle_ = nullptr;
};

/// The env cleanup hook of one object: added once, removed once (or consumed by the hook itself).
class CleanupHook {
 public:
  void Add(Napi::Env env, void (*fn)(void*), void* arg) {
    fn_ = fn;
    arg_ = arg;
    napi_add_env_cleanup_hook(env, fn, arg);
    hooked_ = true;
  }
  /// Called from the hook: it is gone already.
  void Consumed() { hooked_ = false; }
  void Remove(Napi::Env env) {
    if (!hooked_) return;
    hooked_ = false;
    napi_remove_env_cleanup_hook(env, fn_, arg_);
  }

 private:
  void (*fn_)(void*) = nullptr;
  void* arg_ = nullptr;
  bool hooked_ = false;
};

/// Calls `fn` on `recv` in `ctx`; a JS exception becomes the process's uncaught exception.
inline void CallOrFatal(Napi::Env env, const Napi::Function& fn, const Napi::Object& recv,
                        const std::vector<napi_value>& args, const Napi::AsyncContext& ctx) {
  try {
    fn.MakeCallback(recv, args, ctx);
  } catch (const Napi::Error& e) {
    napi_fatal_exception(env, e.Value());
  }
}

}  // namespace devfs
