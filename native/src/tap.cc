#include "modules.h"
namespace devfs { void InitTap(Napi::Env, Napi::Object) {} }
