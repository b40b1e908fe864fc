#include "modules.h"
namespace devfs { void InitPty(Napi::Env, Napi::Object) {} }
