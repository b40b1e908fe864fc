// pty: host pseudo-terminals (open master/slave, window size) and processes spawned on them.
#pragma once
#include <napi.h>

namespace devfs {
/// spawn.cc: ptySpawn (child in a new session with the slave as its controlling terminal).
void InitSpawn(Napi::Env env, Napi::Object exports);
/// spawn_watch.cc: ProcessWatcher (pidfd + uv_poll → waitpid), killProcess.
void InitProcessWatch(Napi::Env env, Napi::Object exports);
/// pty_reader.cc: PtyReader (a master's output read by its own thread, delivered on the loop).
void InitPtyReader(Napi::Env env, Napi::Object exports);
}  // namespace devfs
