#include "modules.h"
namespace devfs { void InitFdio(Napi::Env, Napi::Object) {} }
