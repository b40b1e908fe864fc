#include "modules.h"
namespace devfs { void InitInodeTable(Napi::Env, Napi::Object) {} }
