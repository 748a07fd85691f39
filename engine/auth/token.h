#pragma once
// Login tokens: "v1.<user>.<expiry_unix_s>.<hex HMAC-SHA256(secret, "v1.<user>.<expiry_unix_s>")>".
// The user id comes from the token, never from the client's word. Verification compares the MAC
// in constant time. Thread-safe (pure functions).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/common/status.h"

namespace iris::auth {

// True when `user` is 1..64 bytes of [A-Za-z0-9_@-] (no '.', which separates token fields).
bool valid_user_id(std::string_view user);

// Mints a token for `user` valid until `expiry_unix_s`. Precondition: valid_user_id(user),
// non-empty secret.
std::string mint_token(std::string_view secret, std::string_view user, std::uint64_t expiry_unix_s);
// The same, valid for `ttl` from now (the system clock).
std::string mint_token_for(std::string_view secret, std::string_view user, std::chrono::seconds ttl);

// Returns the user id of a well-formed, correctly signed, unexpired token; otherwise an
// invalid-argument Status whose message is for logs (it never repeats the token or the MAC).
Result<std::string> verify_token(std::string_view secret, std::string_view token,
                                 std::uint64_t now_unix_s);

}  // namespace iris::auth
