// fdio_close: close(2) of an fd on the thread pool. A tun fd whose close removes its interface
// blocks ~20 ms in the kernel (unregister_netdevice waits for RCU); done on the loop, that is a
// 20 ms stall of every other handle. napi async work runs on libuv's pool, and a worker
// environment's teardown waits for pending async work, so the fd is closed even when the env ends
// right after (the completion callback then runs without calling into JS).
#include <unistd.h>

#include "fdio.h"

namespace devfs {
namespace {

struct CloseJob {
  int fd;
  napi_async_work work = nullptr;
  Napi::FunctionReference done;
};

void Execute(napi_env, void* data) {
  ::close(static_cast<CloseJob*>(data)->fd);
}

void Complete(napi_env env, napi_status status, void* data) {
  auto* job = static_cast<CloseJob*>(data);
  if (status == napi_cancelled) ::close(job->fd);  // never ran on the pool: close it here, never leak it
  if (status == napi_ok && !job->done.IsEmpty()) {
    Napi::Env e(env);
    Napi::HandleScope scope(e);
    try {
      job->done.Call({});
    } catch (const Napi::Error&) {
      // `done` is the caller's resolve(); it throws only when the env can no longer run JS
      // (teardown), and then nobody is waiting: the fd is closed either way.
    }
  }
  napi_delete_async_work(env, job->work);
  delete job;
}

}  // namespace

void CloseOnPool(Napi::Env env, int fd, Napi::Function done) {
  auto* job = new CloseJob{fd, nullptr, Napi::FunctionReference()};
  napi_value name;
  napi_create_string_utf8(env, "devfs:close", NAPI_AUTO_LENGTH, &name);
  if (napi_create_async_work(env, nullptr, name, Execute, Complete, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    ::close(fd);  // no pool: close here rather than leak the fd
    if (job->work) napi_delete_async_work(env, job->work);
    delete job;
    done.Call({});
    return;
  }
  job->done = Napi::Persistent(done);
}

}  // namespace devfs
