#include "engine/admin/admin_tokens.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace iris::admin {

namespace {

void digest_of(std::string_view token, unsigned char out[32]) {
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), out);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

const char* to_string(Role role) {
  return role == Role::kOperator ? "operator" : "viewer";
}

void AdminTokens::add(std::string name, Role role, std::string_view token) {
  Entry e;
  e.caller = {std::move(name), role};
  digest_of(token, e.digest);
  entries_.push_back(std::move(e));
}

Result<AdminTokens> AdminTokens::parse(std::string_view text) {
  AdminTokens tokens;
  int line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const auto f = fields(line);
    const std::string where = "admin tokens, line " + std::to_string(line_no) + ": ";
    if (f.size() != 3) return Status::invalid(where + "expected: role name token");
    Role role;
    if (f[0] == "viewer") {
      role = Role::kViewer;
    } else if (f[0] == "operator") {
      role = Role::kOperator;
    } else {
      return Status::invalid(where + "role must be viewer or operator");
    }
    if (f[2].size() < 16) return Status::invalid(where + "token shorter than 16 characters");
    tokens.add(std::string(f[1]), role, f[2]);
  }
  return tokens;
}

Result<AdminTokens> AdminTokens::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error("cannot read admin tokens file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str());
}

std::optional<Caller> AdminTokens::authorize(std::string_view authorization) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      authorization.substr(0, kBearer.size()) != kBearer) {
    return std::nullopt;
  }
  unsigned char d[32];
  digest_of(trim(authorization.substr(kBearer.size())), d);
  const Entry* found = nullptr;
  for (const Entry& e : entries_) {  // every entry, no early exit
    const bool same = CRYPTO_memcmp(d, e.digest, sizeof d) == 0;
    if (same && found == nullptr) found = &e;
  }
  if (found == nullptr) return std::nullopt;
  return found->caller;
}

}  // namespace iris::admin
