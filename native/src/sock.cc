#include "modules.h"
namespace devfs { void InitSock(Napi::Env, Napi::Object) {} }
