#include "engine/auth/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <charconv>

namespace iris::auth {
namespace {

constexpr std::size_t kMacBytes = 32;

std::array<unsigned char, kMacBytes> mac(std::string_view secret, std::string_view msg) {
  std::array<unsigned char, kMacBytes> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out.data(), &len);
  return out;
}

std::string to_hex(const std::array<unsigned char, kMacBytes>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(kMacBytes * 2, '0');
  for (std::size_t i = 0; i < kMacBytes; ++i) {
    s[2 * i] = kDigits[bytes[i] >> 4];
    s[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes 64 lower-case hex digits; false on any other input.
bool from_hex(std::string_view hex, std::array<unsigned char, kMacBytes>& out) {
  if (hex.size() != kMacBytes * 2) return false;
  for (std::size_t i = 0; i < kMacBytes; ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return true;
}

}  // namespace

bool valid_user_id(std::string_view user) {
  if (user.empty() || user.size() > 64) return false;
  for (char c : user) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string mint_token(std::string_view secret, std::string_view user,
                       std::uint64_t expiry_unix_s) {
  std::string signed_part = "v1.";
  signed_part.append(user).append(".").append(std::to_string(expiry_unix_s));
  return signed_part + "." + to_hex(mac(secret, signed_part));
}

std::string mint_token_for(std::string_view secret, std::string_view user,
                           std::chrono::seconds ttl) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return mint_token(secret, user, static_cast<std::uint64_t>(now + ttl.count()));
}

Result<std::string> verify_token(std::string_view secret, std::string_view token,
                                 std::uint64_t now_unix_s) {
  if (secret.empty()) return Status::invalid("token login disabled: node has no secret");
  if (token.size() > 512 || !token.starts_with("v1.")) return Status::invalid("malformed token");
  std::size_t mac_dot = token.rfind('.');
  std::size_t user_dot = token.find('.', 3);
  if (mac_dot == std::string_view::npos || user_dot == std::string_view::npos ||
      user_dot >= mac_dot) {
    return Status::invalid("malformed token");
  }
  std::string_view user = token.substr(3, user_dot - 3);
  std::string_view expiry_s = token.substr(user_dot + 1, mac_dot - user_dot - 1);
  std::uint64_t expiry = 0;
  auto [ptr, ec] = std::from_chars(expiry_s.data(), expiry_s.data() + expiry_s.size(), expiry);
  if (ec != std::errc() || ptr != expiry_s.data() + expiry_s.size() || !valid_user_id(user)) {
    return Status::invalid("malformed token");
  }
  std::array<unsigned char, kMacBytes> given{};
  if (!from_hex(token.substr(mac_dot + 1), given)) return Status::invalid("malformed token");
  auto expected = mac(secret, token.substr(0, mac_dot));
  if (CRYPTO_memcmp(given.data(), expected.data(), kMacBytes) != 0) {
    return Status::invalid("bad token signature");
  }
  if (expiry <= now_unix_s) return Status::invalid("token expired");
  return std::string(user);
}

}  // namespace iris::auth
