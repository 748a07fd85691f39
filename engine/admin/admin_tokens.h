#pragma once
// Bearer tokens of the admin API, with roles. A tokens file has one token per line:
//
//   # role      name     token
//   viewer      grafana  3b1f...   (read only: node, cluster, metrics, stream)
//   operator    alice    9c0d...   (also faults, when the node runs with --enable-chaos)
//
// Tokens are compared in constant time (SHA-256 of both, then CRYPTO_memcmp over every
// configured token, no early exit), are never logged, and a caller is known by its name.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/status.h"

namespace iris::admin {

enum class Role { kViewer, kOperator };
const char* to_string(Role role);

struct Caller {
  std::string name;
  Role role = Role::kViewer;
};

class AdminTokens {
 public:
  // Parses a tokens file's text. Errors name the line, never the token.
  static Result<AdminTokens> parse(std::string_view text);
  static Result<AdminTokens> load(const std::string& path);
  // One token (tests, generated setups).
  void add(std::string name, Role role, std::string_view token);

  // The caller an `Authorization` header value ("Bearer <token>") belongs to; empty when the
  // header is missing, malformed or names no configured token.
  std::optional<Caller> authorize(std::string_view authorization) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Caller caller;
    unsigned char digest[32];
  };
  std::vector<Entry> entries_;
};

}  // namespace iris::admin
