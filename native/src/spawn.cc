// spawn: ptySpawn — a child in a new session whose stdin/stdout/stderr and controlling terminal
// are a pty slave, started without fork() of the Node process.
//
// How: clone(CLONE_VM|CLONE_VFORK) on a private stack, as glibc's posix_spawn does internally.
// posix_spawn itself (POSIX_SPAWN_SETSID + open of the slave in the file actions) would cover
// everything except uid/gid, which it cannot change; one code path for both cases keeps the
// behaviour identical. The child shares our memory until exec, so it only makes raw system calls
// on data prepared beforehand: no malloc, no locks, and setuid/setgid/setgroups as bare syscalls
// (glibc's wrappers would broadcast the change to every thread of Node). Failures before exec are
// written into the shared ChildArgs and the child _exit(127)s; the parent reaps it and throws
// (ENOENT for a missing program) — never a zombie.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "errors.h"
#include "pty.h"

namespace devfs {

namespace {

struct ChildArgs {
  const char* file;
  char* const* argv;
  char* const* envp;
  const char* cwd;       // nullptr: inherit
  const char* pts;
  const char* search;    // PATH to search when `file` has no '/'
  bool setUid, setGid;
  uid_t uid;
  gid_t gid;
  int err;               // written by the child on failure
  const char* step;      // syscall that failed
};

[[noreturn]] void ChildFail(ChildArgs* a, const char* step, int err) {
  a->err = err;
  a->step = step;
  _exit(127);
}

int ChildMain(void* p) {
  auto* a = static_cast<ChildArgs*>(p);
  // Default dispositions for every signal (Node ignores SIGPIPE and handles others).
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, nullptr);  // KILL/STOP/glibc-internal: EINVAL, ignored

  if (setsid() < 0) ChildFail(a, "setsid", errno);
  // A session leader without a terminal that opens a tty without O_NOCTTY acquires it;
  // TIOCSCTTY makes that explicit (and fails clearly if the tty belongs to another session).
  int fd = open(a->pts, O_RDWR);
  if (fd < 0) ChildFail(a, "open", errno);
  if (ioctl(fd, TIOCSCTTY, 0) < 0) ChildFail(a, "ioctl", errno);
  for (int i = 0; i < 3; i++)
    if (fd != i && dup2(fd, i) < 0) ChildFail(a, "dup2", errno);
  if (fd > 2) close(fd);
  // Nothing but 0, 1, 2 crosses exec: ours are all O_CLOEXEC, this also covers foreign ones.
  syscall(SYS_close_range, 3U, ~0U, 0U);

  if (a->setUid || a->setGid) {
    if (syscall(SYS_setgroups, 0, nullptr) < 0 && errno != EPERM) ChildFail(a, "setgroups", errno);
    if (a->setGid && syscall(SYS_setgid, a->gid) < 0) ChildFail(a, "setgid", errno);
    if (a->setUid && syscall(SYS_setuid, a->uid) < 0) ChildFail(a, "setuid", errno);
  }
  if (a->cwd && chdir(a->cwd) < 0) ChildFail(a, "chdir", errno);

  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);

  if (strchr(a->file, '/')) {
    execve(a->file, a->argv, a->envp);
    ChildFail(a, "execve", errno);
  }
  // execvpe semantics, on a stack buffer: skip ENOENT-like misses, remember EACCES.
  bool sawEacces = false;
  size_t flen = strlen(a->file);
  char buf[PATH_MAX];
  const char* s = a->search;
  for (;;) {
    const char* colon = strchr(s, ':');
    size_t dlen = colon ? static_cast<size_t>(colon - s) : strlen(s);
    const char* dir = dlen ? s : ".";
    if (!dlen) dlen = 1;
    if (dlen + 1 + flen + 1 <= sizeof buf) {
      memcpy(buf, dir, dlen);
      buf[dlen] = '/';
      memcpy(buf + dlen + 1, a->file, flen + 1);
      execve(buf, a->argv, a->envp);
      int e = errno;
      if (e == EACCES) sawEacces = true;
      else if (e != ENOENT && e != ENOTDIR && e != ESTALE && e != ENAMETOOLONG && e != ELOOP && e != ENODEV && e != ETIMEDOUT)
        ChildFail(a, "execve", e);
    }
    if (!colon) break;
    s = colon + 1;
  }
  ChildFail(a, "execve", sawEacces ? EACCES : ENOENT);
}

std::vector<std::string> StringArray(Napi::Env env, const Napi::Value& v, const char* what) {
  std::vector<std::string> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) ThrowInvalid(env, "spawn", std::string(what) + " must be an array of strings");
  Napi::Array arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value e = arr.Get(i);
    if (!e.IsString()) ThrowInvalid(env, "spawn", std::string(what) + " must be an array of strings");
    std::string s = e.As<Napi::String>().Utf8Value();
    if (s.find('\0') != std::string::npos) ThrowInvalid(env, "spawn", std::string(what) + " must not contain NUL");
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<char*> CArray(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(&s[0]);
  out.push_back(nullptr);
  return out;
}

bool OptId(Napi::Object o, const char* key, uint32_t* out) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return false;
  if (!v.IsNumber() || v.As<Napi::Number>().DoubleValue() < 0 || v.As<Napi::Number>().DoubleValue() > 0xfffffffe)
    ThrowInvalid(o.Env(), "spawn", std::string(key) + " must be a non-negative integer");
  *out = v.As<Napi::Number>().Uint32Value();
  return true;
}

// ptySpawn({ file, args, env, cwd, ptsPath, uid?, gid? }) → pid.
Napi::Value PtySpawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) ThrowInvalid(env, "spawn", "options object required");
  Napi::Object o = info[0].As<Napi::Object>();
  if (!o.Get("file").IsString()) ThrowInvalid(env, "spawn", "file must be a string");
  if (!o.Get("ptsPath").IsString()) ThrowInvalid(env, "spawn", "ptsPath must be a string");
  std::string file = o.Get("file").As<Napi::String>().Utf8Value();
  std::string pts = o.Get("ptsPath").As<Napi::String>().Utf8Value();
  if (file.empty() || file.find('\0') != std::string::npos) ThrowErrno(env, ENOENT, "spawn", file.c_str());
  std::string cwd = o.Get("cwd").IsString() ? o.Get("cwd").As<Napi::String>().Utf8Value() : "";

  std::vector<std::string> argv = StringArray(env, o.Get("args"), "args");
  argv.insert(argv.begin(), file);
  std::vector<std::string> envv;
  if (o.Get("env").IsUndefined()) {
    for (char** e = environ; e && *e; e++) envv.emplace_back(*e);
  } else {
    envv = StringArray(env, o.Get("env"), "env");
  }
  std::string search;
  bool found = false;
  for (auto& e : envv)
    if (e.compare(0, 5, "PATH=") == 0) { search = e.substr(5); found = true; }
  if (!found) search = "/bin:/usr/bin";  // execvp's default without PATH: never the parent's PATH
  std::vector<char*> cargv = CArray(argv), cenv = CArray(envv);

  ChildArgs a = {};
  a.file = file.c_str();
  a.argv = cargv.data();
  a.envp = cenv.data();
  a.cwd = cwd.empty() ? nullptr : cwd.c_str();
  a.pts = pts.c_str();
  a.search = search.c_str();
  a.setUid = OptId(o, "uid", &a.uid);
  a.setGid = OptId(o, "gid", &a.gid);

  const size_t stackSize = 256 * 1024;
  void* stack = mmap(nullptr, stackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) ThrowErrno(env, errno, "mmap");
  // Block every signal so no handler of ours runs in the child while it shares our memory.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = clone(ChildMain, static_cast<char*>(stack) + stackSize, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
  int cloneErr = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  munmap(stack, stackSize);
  if (pid < 0) ThrowErrno(env, cloneErr, "clone");
  if (a.err) {
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    std::string syscall = std::string("spawn ") + (a.step ? a.step : "?");
    const char* path = (strcmp(a.step, "chdir") == 0) ? cwd.c_str() : (strcmp(a.step, "open") == 0 || strcmp(a.step, "ioctl") == 0) ? pts.c_str() : file.c_str();
    ThrowErrno(env, a.err, syscall.c_str(), path);
  }
  return Napi::Number::New(env, pid);
}

}  // namespace

void InitSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("ptySpawn", Napi::Function::New(env, PtySpawn, "ptySpawn"));
}

}  // namespace devfs
