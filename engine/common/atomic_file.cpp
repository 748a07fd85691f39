#include "engine/common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace iris {
namespace {

Status failed(const char* step, const std::string& what, int error) {
  std::string m = std::string(step) + " " + what + ": " + std::strerror(error);
  return error == ENOSPC || error == EDQUOT ? Status::disk_full(std::move(m))
                                            : Status::io_error(std::move(m));
}

// A file beside the target, removed unless it was renamed into place.
class TempFile {
 public:
  explicit TempFile(const std::filesystem::path& target) {
    static std::atomic<unsigned> counter{0};
    const auto dir = target.has_parent_path() ? target.parent_path() : ".";
    for (int attempt = 0; attempt < kAttempts && fd_ < 0; ++attempt) {
      path_ = (dir / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()) +
                      "." + std::to_string(counter++)))
                  .string();
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ < 0 && errno != EEXIST) break;
    }
    if (fd_ < 0) error_ = errno;
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (error_ == 0 && !renamed_) ::unlink(path_.c_str());
  }

  Status commit(std::string_view content, const std::string& target) {
    if (fd_ < 0) return failed("create a temporary file for", target, error_);
    while (!content.empty()) {
      const ssize_t n = ::write(fd_, content.data(), content.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return failed("write", path_, errno);
      content.remove_prefix(static_cast<std::size_t>(n));
    }
    if (::fsync(fd_) != 0) return failed("fsync", path_, errno);  // a full disk may only show here
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return failed("close", path_, errno);
    if (::rename(path_.c_str(), target.c_str()) != 0) return failed("rename to", target, errno);
    renamed_ = true;
    return Status::ok();
  }

 private:
  static constexpr int kAttempts = 16;  // names already taken (EEXIST) before giving up

  std::string path_;
  int fd_ = -1;
  int error_ = 0;  // why the file could not be created
  bool renamed_ = false;
};

Status sync_dir(const std::filesystem::path& dir) {
  const std::string name = dir.empty() ? "." : dir.string();
  const int fd = ::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return failed("open", name, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  return rc == 0 ? Status::ok() : failed("fsync", name, err);
}

}  // namespace

Status write_file_atomically(const std::string& path, std::string_view content) {
  TempFile temp{std::filesystem::path(path)};
  if (Status s = temp.commit(content, path); !s) return s;
  return sync_dir(std::filesystem::path(path).parent_path());
}

}  // namespace iris
