#pragma once
// Small shared types of the engine core.

#include <cstdint>
#include <string_view>

#include "engine/common/hash.h"

namespace iris::core {

using ConnId = std::uint64_t;   // driver-assigned, unique for the life of a node process
using ShardId = std::uint32_t;
using SessionId = std::uint64_t;

using iris::fnv1a;  // common/hash.h: users hash to shards with it

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
