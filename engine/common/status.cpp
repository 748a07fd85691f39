#include "engine/common/status.h"

namespace iris {

std::string Status::to_string() const {
  const char* name = "OK";
  switch (code_) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: name = "invalid argument"; break;
    case StatusCode::kNotFound: name = "not found"; break;
    case StatusCode::kIoError: name = "I/O error"; break;
    case StatusCode::kDiskFull: name = "disk full"; break;
    case StatusCode::kUnavailable: name = "unavailable"; break;
    case StatusCode::kCorruption: name = "corruption"; break;
    case StatusCode::kInternal: name = "internal error"; break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace iris
