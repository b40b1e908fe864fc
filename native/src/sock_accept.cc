// sock_accept: UnixAcceptor — a listening AF_UNIX stream socket owned by the addon (bound here with
// socket/bind/listen, or adopted), watched by one uv_poll on the env's loop. On readable it
// accept4()s until EAGAIN and hands JS each connection's fd with its SO_PEERCRED credentials, so
// the caller never needs the fd of a socket Node accepted (net.Socket keeps it private).
//
// Out of fds (EMFILE/ENFILE): a reserve fd (/dev/null) is closed, every waiting connection is
// accepted and closed at once (its client sees EOF instead of hanging in the backlog), and the
// reserve is reopened — libuv's trick for net.Server. Without a reserve (it could not be reopened)
// and on any other accept error, polling pauses for kPauseMs. Either way: reported to onError,
// never a busy loop.
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#include <cstring>
#include <memory>
#include <string>

#include "args.h"
#include "errors.h"
#include "fdio.h"
#include "poll_handle.h"
#include "sock.h"

namespace devfs {

namespace {

constexpr int kDefaultBacklog = 511;  // net.Server's default
constexpr uint64_t kPauseMs = 100;    // polling paused this long when accept cannot progress

int OpenReserve() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

// accept4 of one waiting connection, retried on EINTR and ECONNABORTED; the fd, or -errno.
int AcceptOne(int fd) {
  for (;;) {
    int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c >= 0) return c;
    if (errno != EINTR && errno != ECONNABORTED) return -errno;
  }
}

// A backlog option: undefined → kDefaultBacklog, else an integer 1..65535.
int BacklogOf(Napi::Env env, const Napi::Value& v) {
  if (v.IsUndefined()) return kDefaultBacklog;
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : 0;
  if (!(d >= 1 && d <= 65535) || d != static_cast<int>(d)) ThrowInvalid(env, "listen", "backlog must be an integer 1..65535");
  return static_cast<int>(d);
}

class UnixAcceptor : public Napi::ObjectWrap<UnixAcceptor> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("UnixAcceptor", DefineClass(env, "UnixAcceptor", {
        InstanceMethod<&UnixAcceptor::Close>("close"),
        InstanceMethod<&UnixAcceptor::JsRef>("ref"),
        InstanceMethod<&UnixAcceptor::JsUnref>("unref"),
        InstanceAccessor<&UnixAcceptor::GetFd>("fd"),
        InstanceAccessor<&UnixAcceptor::GetPath>("path"),
        InstanceAccessor<&UnixAcceptor::GetClosed>("closed"),
    }));
  }

  // new UnixAcceptor({ path | fd, backlog?, onConnection(fd, cred), onError?(err) })
  explicit UnixAcceptor(const Napi::CallbackInfo& info) : Napi::ObjectWrap<UnixAcceptor>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject()) ThrowInvalid(env, "listen", "options object required");
    Napi::Object o = info[0].As<Napi::Object>();
    Napi::Value onConnection = o.Get("onConnection");
    Napi::Value onError = o.Get("onError");
    if (!onConnection.IsFunction()) ThrowInvalid(env, "listen", "onConnection callback required");
    if (!onError.IsUndefined() && !onError.IsFunction()) ThrowInvalid(env, "listen", "onError must be a function");
    int backlog = BacklogOf(env, o.Get("backlog"));
    bool byPath = !o.Get("path").IsUndefined();
    if (byPath == !o.Get("fd").IsUndefined()) ThrowInvalid(env, "listen", "exactly one of path and fd required");
    fd_ = byPath ? BindPath(env, o.Get("path"), backlog) : Adopt(env, o.Get("fd"), backlog);
    uv_loop_t* loop = LoopOf(env);
    int r = ClaimPolledFd(loop, fd_) ? 0 : UV_EEXIST;
    if (r == 0 && (r = poll_.Open(loop, fd_, this)) < 0) ReleasePolledFd(loop, fd_);
    if (r == 0 && (r = uv_poll_start(poll_.get(), UV_READABLE, OnPoll)) < 0) {
      ReleasePolledFd(loop, fd_);
      poll_.Close();
    }
    if (r < 0) {
      // an adopted fd stays the caller's when the constructor throws
      if (byPath) Unbind();
      fd_ = -1;
      ThrowErrno(env, -r, "uv_poll_start");
    }
    timer_ = new uv_timer_t;
    uv_timer_init(loop, timer_);
    timer_->data = this;
    reserve_ = OpenReserve();
    onConnection_ = Napi::Persistent(onConnection.As<Napi::Function>());
    if (onError.IsFunction()) onError_ = Napi::Persistent(onError.As<Napi::Function>());
    asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "UnixAcceptor");
    Napi::Reference<Napi::Object>::Ref();  // alive while listening, like a net.Server
    hook_.Add(env, OnCleanup, this);
  }

  ~UnixAcceptor() override { Stop(false); }

 private:
  // socket + bind + listen on `path`; the listening fd (O_CLOEXEC|O_NONBLOCK).
  int BindPath(Napi::Env env, const Napi::Value& v, int backlog) {
    if (!v.IsString()) ThrowInvalid(env, "bind", "path must be a string");
    std::string path = v.As<Napi::String>().Utf8Value();
    if (path.empty() || path.find('\0') != std::string::npos) ThrowInvalid(env, "bind", "path must be non-empty, without NUL");
    struct sockaddr_un sa = {};
    sa.sun_family = AF_UNIX;
    if (path.size() >= sizeof sa.sun_path) ThrowErrno(env, ENAMETOOLONG, "bind", path.c_str());
    std::memcpy(sa.sun_path, path.data(), path.size());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) ThrowErrno(env, errno, "socket");
    if (::bind(fd, reinterpret_cast<struct sockaddr*>(&sa), sizeof sa) < 0) {
      int err = errno;
      ::close(fd);
      ThrowErrno(env, err, "bind", path.c_str());
    }
    fd_ = fd;
    path_ = path;
    if (::listen(fd, backlog) < 0) {
      int err = errno;
      Unbind();
      ThrowErrno(env, err, "listen", path.c_str());
    }
    return fd;
  }

  // Adopts a bound (or listening) AF_UNIX stream socket: listen(backlog), O_NONBLOCK, FD_CLOEXEC.
  static int Adopt(Napi::Env env, const Napi::Value& v, int backlog) {
    int fd = ToFd(env, v, "listen");
    int domain = 0, type = 0;
    socklen_t len = sizeof domain;
    if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) ThrowErrno(env, errno, "getsockopt");
    len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) ThrowErrno(env, errno, "getsockopt");
    if (domain != AF_UNIX || type != SOCK_STREAM) ThrowInvalid(env, "listen", "fd must be an AF_UNIX SOCK_STREAM socket");
    if (::listen(fd, backlog) < 0) ThrowErrno(env, errno, "listen");
    int fl = ::fcntl(fd, F_GETFL);
    if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || ::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) ThrowErrno(env, errno, "fcntl");
    return fd;
  }

  // Removes the socket file this acceptor bound (before closing the fd, as libuv does: the other
  // order could unlink a socket another process just bound at the path), then closes the fd.
  void Unbind() {
    if (!path_.empty()) ::unlink(path_.c_str());
    path_.clear();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  static void OnPoll(uv_poll_t* h, int status, int events) {
    auto* self = static_cast<UnixAcceptor*>(h->data);
    if (!self) return;
    Napi::HandleScope scope(self->Env());
    Napi::Object keep = self->Value();
    (void)keep;
    self->AcceptAll();
  }

  // Accepts until EAGAIN; a callback that closes the acceptor ends the loop.
  void AcceptAll() {
    while (poll_) {
      int c = AcceptOne(fd_);
      if (c >= 0) {
        Deliver(c);
        continue;
      }
      if (c == -EAGAIN || c == -EWOULDBLOCK) break;
      if ((c == -EMFILE || c == -ENFILE) && reserve_ >= 0) {
        Shed(-c);
        break;
      }
      Pause();  // no reserve, or an error no retry would cure now (ENOBUFS, ENOMEM, ...)
      Report(-c, "accept");
      break;
    }
    if (poll_ && reserve_ < 0) reserve_ = OpenReserve();
  }

  // Out of fds with a reserve: frees it to accept and close every waiting connection.
  void Shed(int err) {
    ::close(reserve_);
    reserve_ = -1;
    int c;
    while ((c = AcceptOne(fd_)) >= 0) ::close(c);
    reserve_ = OpenReserve();
    if (c != -EAGAIN && c != -EWOULDBLOCK) Pause();  // the freed slot was taken meanwhile
    Report(err, "accept");
  }

  void Pause() {
    if (!poll_) return;
    uv_poll_stop(poll_.get());
    uv_timer_start(timer_, OnResume, kPauseMs, 0);
  }

  static void OnResume(uv_timer_t* t) {
    auto* self = static_cast<UnixAcceptor*>(t->data);
    if (self && self->poll_) uv_poll_start(self->poll_.get(), UV_READABLE, OnPoll);
  }

  void Deliver(int c) {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    struct ucred cred;
    if (int err = ReadPeerCred(c, &cred)) {
      ::close(c);
      Report(err, "getsockopt");
      return;
    }
    CallOrFatal(env, onConnection_.Value(), Value(), {Napi::Number::New(env, c), PeerCredObject(env, cred)}, *asyncContext_);
  }

  void Report(int err, const char* syscall) {
    if (onError_.IsEmpty()) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Error e = ErrnoError(env, err, syscall, path_.empty() ? nullptr : path_.c_str());
    CallOrFatal(env, onError_.Value(), Value(), {e.Value()}, *asyncContext_);
  }

  static void OnCleanup(void* arg) {
    auto* self = static_cast<UnixAcceptor*>(arg);
    self->hook_.Consumed();
    self->Stop(true);
  }

  // Stops polling, removes a bound socket file, closes the listening and reserve fds; drops the
  // self-reference and the callbacks (GC roots that close over the acceptor's owner) — not from
  // the cleanup hook.
  void Stop(bool fromCleanup) {
    if (poll_) {
      ReleasePolledFd(poll_.get()->loop, fd_);
      poll_.Close();
      timer_->data = nullptr;
      CloseAndDelete(timer_);
      timer_ = nullptr;
      Unbind();
      if (reserve_ >= 0) ::close(reserve_);
      reserve_ = -1;
      if (!fromCleanup) Napi::Reference<Napi::Object>::Unref();
    }
    if (!fromCleanup) {
      onConnection_.Reset();
      onError_.Reset();
    }
    hook_.Remove(Env());
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Stop(false);
    return info.Env().Undefined();
  }
  // ref/unref apply to both handles: while paused only the timer is active.
  Napi::Value JsRef(const Napi::CallbackInfo& info) {
    if (poll_) {
      uv_ref(reinterpret_cast<uv_handle_t*>(poll_.get()));
      uv_ref(reinterpret_cast<uv_handle_t*>(timer_));
    }
    return info.Env().Undefined();
  }
  Napi::Value JsUnref(const Napi::CallbackInfo& info) {
    if (poll_) {
      uv_unref(reinterpret_cast<uv_handle_t*>(poll_.get()));
      uv_unref(reinterpret_cast<uv_handle_t*>(timer_));
    }
    return info.Env().Undefined();
  }
  Napi::Value GetFd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }
  Napi::Value GetPath(const Napi::CallbackInfo& info) {
    return path_.empty() ? info.Env().Undefined() : Napi::String::New(info.Env(), path_);
  }
  Napi::Value GetClosed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !poll_); }

  int fd_ = -1;
  int reserve_ = -1;
  std::string path_;  // set while this acceptor's own bind holds the path
  PollHandle poll_;
  uv_timer_t* timer_ = nullptr;
  CleanupHook hook_;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
  Napi::FunctionReference onConnection_;
  Napi::FunctionReference onError_;
};

}  // namespace

void InitUnixAcceptor(Napi::Env env, Napi::Object exports) { UnixAcceptor::Init(env, exports); }

}  // namespace devfs
