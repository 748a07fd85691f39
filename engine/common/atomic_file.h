#pragma once
// Replacing a small file whole and durably: the reports iris-fire writes, the cluster view a node
// keeps in its data directory.

#include <string>
#include <string_view>

#include "engine/common/status.h"

namespace iris {

// Replaces `path` with `content`: a temporary file beside it (a unique name, O_EXCL), every byte
// written, fsync, rename over `path`, fsync of the directory. On failure `path` is as it was and
// no temporary is left; the Status names the step that failed (a full disk is kDiskFull).
Status write_file_atomically(const std::string& path, std::string_view content);

}  // namespace iris
