#pragma once
// Small shared types of the engine core.

#include <cstdint>
#include <string_view>

namespace iris::core {

using ConnId = std::uint64_t;   // driver-assigned, unique for the life of a node process
using ShardId = std::uint32_t;
using SessionId = std::uint64_t;

// Stable 64-bit FNV-1a; users hash to shards with it (must not change between releases: the
// simulator's replays and the store layout depend on it).
constexpr std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

inline ShardId shard_of(std::string_view user, std::uint32_t shards) {
  return static_cast<ShardId>(fnv1a(user) % shards);
}

// Server message ids: incarnation (20 bits) | shard (6 bits) | sequence (38 bits). Increasing per
// shard and across restarts (the incarnation is bumped in the store at every start), so every
// recipient's inbox is ordered by id.
inline constexpr int kSeqBits = 38;
inline constexpr int kShardBits = 6;
inline constexpr std::uint32_t kMaxShards = 1u << kShardBits;
constexpr std::uint64_t make_message_id(std::uint64_t incarnation, ShardId shard,
                                        std::uint64_t seq) {
  return (incarnation << (kSeqBits + kShardBits)) | (std::uint64_t{shard} << kSeqBits) | seq;
}

}  // namespace iris::core
