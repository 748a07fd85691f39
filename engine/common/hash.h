#pragma once
// Stable hashes. Placement depends on them (users to shards, users to home nodes, inbox rows to
// store partitions), and so do the simulator's replays: they must never change between releases.

#include <cstdint>
#include <string_view>

namespace iris {

// 64-bit FNV-1a.
constexpr std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// splitmix64's finalizer: spreads FNV-1a's low-entropy bits.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

}  // namespace iris
