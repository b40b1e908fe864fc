// spawn_watch: ProcessWatcher — exit of a child through pidfd_open + uv_poll on the env's loop,
// then waitpid(WNOHANG), so every child is reaped without SIGCHLD handling. killProcess.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <memory>

#include "errors.h"
#include "poll_handle.h"
#include "pty.h"

namespace devfs {

namespace {

class ProcessWatcher : public Napi::ObjectWrap<ProcessWatcher> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("ProcessWatcher", DefineClass(env, "ProcessWatcher", {
        InstanceMethod<&ProcessWatcher::Kill>("kill"),
        InstanceMethod<&ProcessWatcher::Close>("close"),
        InstanceMethod<&ProcessWatcher::Reap>("reap"),
        InstanceMethod<&ProcessWatcher::JsRef>("ref"),
        InstanceMethod<&ProcessWatcher::JsUnref>("unref"),
        InstanceAccessor<&ProcessWatcher::GetPid>("pid"),
        InstanceAccessor<&ProcessWatcher::GetExited>("exited"),
    }));
  }

  // new ProcessWatcher(pid, onExit(exitCode, signal))
  explicit ProcessWatcher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ProcessWatcher>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsNumber() || info[0].As<Napi::Number>().Int64Value() <= 0) ThrowInvalid(env, "pidfd_open", "pid must be a positive number");
    if (!info[1].IsFunction()) ThrowInvalid(env, "pidfd_open", "onExit callback required");
    pid_ = info[0].As<Napi::Number>().Int32Value();
    onExit_ = Napi::Persistent(info[1].As<Napi::Function>());
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));  // always O_CLOEXEC
    if (pidfd_ < 0) ThrowErrno(env, errno, "pidfd_open");
    int r = poll_.Open(LoopOf(env), pidfd_, this);
    if (r == 0) r = uv_poll_start(poll_.get(), UV_READABLE, OnPoll);
    if (r < 0) {
      poll_.Close();
      ::close(pidfd_);
      ThrowErrno(env, -r, "uv_poll_start");
    }
    asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "ProcessWatcher");
    Napi::Reference<Napi::Object>::Ref();  // alive until the exit is reported or close()
    hook_.Add(env, OnCleanup, this);
  }

  ~ProcessWatcher() override { Stop(false); }

 private:
  static void OnPoll(uv_poll_t* h, int status, int events) {
    auto* self = static_cast<ProcessWatcher*>(h->data);
    if (!self) return;
    int st = 0;
    pid_t r;
    do r = waitpid(self->pid_, &st, WNOHANG); while (r < 0 && errno == EINTR);
    if (r == 0) return;  // not reapable yet (cannot happen once the pidfd is readable)
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    Napi::Object keep = self->Value();
    (void)keep;
    self->exited_ = true;
    int code = -1, sig = 0;  // -1: reaped by someone else (ECHILD), status unknown
    if (r > 0 && WIFEXITED(st)) code = WEXITSTATUS(st);
    if (r > 0 && WIFSIGNALED(st)) { code = 0; sig = WTERMSIG(st); }
    // Stop drops the callback's reference (see Stop): take the function first.
    Napi::Function onExit = self->onExit_.Value();
    self->Stop(false);
    CallOrFatal(env, onExit, self->Value(), {Napi::Number::New(env, code), Napi::Number::New(env, sig)}, *self->asyncContext_);
  }

  static void OnCleanup(void* arg) {
    auto* self = static_cast<ProcessWatcher*>(arg);
    self->hook_.Consumed();
    if (!self->exited_) {
      int st;
      waitpid(self->pid_, &st, WNOHANG);  // reap if already gone; a live child is left running
    }
    self->Stop(true);
  }

  // Closes the handle and the pidfd; drops the self-reference and the callback's (a strong root
  // that closes over whoever holds this watcher) — not from the cleanup hook.
  void Stop(bool fromCleanup) {
    if (poll_) {
      poll_.Close();
      ::close(pidfd_);
      pidfd_ = -1;
      if (!fromCleanup) Napi::Reference<Napi::Object>::Unref();
    }
    if (!fromCleanup) onExit_.Reset();
    hook_.Remove(Env());
  }

  Napi::Value Kill(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int sig = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : SIGTERM;
    if (pidfd_ < 0) ThrowErrno(env, ESRCH, "kill");
    // pidfd_send_signal cannot hit a recycled pid.
    if (syscall(SYS_pidfd_send_signal, pidfd_, sig, nullptr, 0) < 0) ThrowErrno(env, errno, "kill");
    return env.Undefined();
  }
  // reap(timeoutMs): waits (poll on the pidfd, sleeping — never spinning) at most timeoutMs for
  // the child to die, reaps it and returns [exitCode, signal]; onExit is then never called (the
  // caller reports the exit). undefined when the child is still alive at the deadline.
  Napi::Value Reap(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (pidfd_ < 0) return env.Undefined();
    int ms = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
    if (ms < 0) ms = 0;
    struct pollfd p = {pidfd_, POLLIN, 0};
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += ms / 1000;
    end.tv_nsec += static_cast<long>(ms % 1000) * 1000000L;
    if (end.tv_nsec >= 1000000000L) { end.tv_sec++; end.tv_nsec -= 1000000000L; }
    for (;;) {
      int r = poll(&p, 1, ms);
      if (r >= 0 || errno != EINTR) break;
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      long left = (end.tv_sec - now.tv_sec) * 1000L + (end.tv_nsec - now.tv_nsec) / 1000000L;
      ms = left > 0 ? static_cast<int>(left) : 0;
    }
    int st = 0;
    pid_t r;
    do r = waitpid(pid_, &st, WNOHANG); while (r < 0 && errno == EINTR);
    if (r == 0) return env.Undefined();
    exited_ = true;
    int code = -1, sig = 0;
    if (r > 0 && WIFEXITED(st)) code = WEXITSTATUS(st);
    if (r > 0 && WIFSIGNALED(st)) { code = 0; sig = WTERMSIG(st); }
    Stop(false);
    Napi::Array out = Napi::Array::New(env, 2);
    out.Set(0u, Napi::Number::New(env, code));
    out.Set(1u, Napi::Number::New(env, sig));
    return out;
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    Stop(false);
    return info.Env().Undefined();
  }
  Napi::Value JsRef(const Napi::CallbackInfo& info) {
    if (poll_) uv_ref(reinterpret_cast<uv_handle_t*>(poll_.get()));
    return info.Env().Undefined();
  }
  Napi::Value JsUnref(const Napi::CallbackInfo& info) {
    if (poll_) uv_unref(reinterpret_cast<uv_handle_t*>(poll_.get()));
    return info.Env().Undefined();
  }
  Napi::Value GetPid(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), pid_); }
  Napi::Value GetExited(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), exited_); }

  pid_t pid_ = 0;
  int pidfd_ = -1;
  bool exited_ = false;
  PollHandle poll_;
  CleanupHook hook_;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
  Napi::FunctionReference onExit_;
};

// killProcess(pid, signal): kill(2).
Napi::Value KillProcess(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) ThrowInvalid(env, "kill", "pid must be a number");
  int sig = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : SIGTERM;
  if (::kill(info[0].As<Napi::Number>().Int32Value(), sig) < 0) ThrowErrno(env, errno, "kill");
  return env.Undefined();
}

}  // namespace

void InitProcessWatch(Napi::Env env, Napi::Object exports) {
  ProcessWatcher::Init(env, exports);
  exports.Set("killProcess", Napi::Function::New(env, KillProcess, "killProcess"));
}

}  // namespace devfs
