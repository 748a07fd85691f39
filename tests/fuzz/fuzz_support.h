#pragma once
// Support shared by the libFuzzer targets fuzz_decoder (client protocol codec) and
// fuzz_peer_decoder (peer codec): failing loudly, the reference split of a whole input, feeding
// the input to a stream reader in input-chosen chunks, and the check of the reader's final state.
// Each target includes it from its one source file and defines kTargetName.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "engine/protocol/codec.h"

namespace fuzz_support {

// The target's name, the prefix of fail()'s message; defined by each target.
extern const char kTargetName[];

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "%s: %s\n", kTargetName, what);
  std::abort();
}

inline bool same_bytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

struct RefFrame {
  std::size_t offset;  // of the header in the input
  std::size_t size;    // header + body
};

// Reference: splits the whole input in one go with protocol::split_frame, filling `ref` with the
// frames found; returns the status that ended the split (never kFrame).
inline iris::protocol::SplitStatus split_reference(std::span<const std::uint8_t> input,
                                                   std::uint32_t max_frame_length,
                                                   std::vector<RefFrame>& ref) {
  namespace p = iris::protocol;
  ref.clear();
  for (std::size_t pos = 0;;) {
    const p::SplitResult r = p::split_frame(input.subspan(pos), max_frame_length);
    if (r.status != p::SplitStatus::kFrame) return r.status;
    if (r.consumed < p::kHeaderSize || r.consumed > input.size() - pos)
      fail("split_frame consumed");
    if (r.frame.body.data() != input.data() + pos + p::kHeaderSize) fail("split_frame body view");
    ref.push_back({pos, r.consumed});
    pos += r.consumed;
  }
}

// Feeds `input` to `reader` (a protocol::FrameReader or one with its interface) in chunks whose
// sizes (1..3844) and receive style (feed() or prepare()/commit()) come from the input's own
// bytes, read backwards from its end. After each chunk calls drain(), which takes the frames out
// of the reader and returns the state it ended in; stops at the first kError.
template <typename Reader, typename Drain>
typename Reader::State feed_in_chunks(Reader& reader, std::span<const std::uint8_t> input,
                                      Drain drain) {
  const std::size_t size = input.size();
  typename Reader::State state = Reader::State::kNeedMore;
  for (std::size_t pos = 0, step = 0; pos < size && state != Reader::State::kError; ++step) {
    const std::uint8_t c = input[size - 1 - (step % size)];
    const std::size_t want = 1 + std::size_t{c & 0x3fu} * ((c & 0x40u) ? 61 : 1);  // 1..3844
    const std::size_t n = want < size - pos ? want : size - pos;
    if (c & 0x80u) {
      const auto dst = reader.prepare(n);
      if (dst.size() != n) fail("prepare size");
      std::memcpy(dst.data(), input.data() + pos, n);
      reader.commit(n);
    } else {
      reader.feed(input.subspan(pos, n));
    }
    pos += n;
    state = drain();
  }
  return state;
}

// The reader, having been fed the whole input and yielded every frame the reference split found,
// must end as that split did: wanting more, or failed with the matching error code.
template <typename Reader>
void check_end_state(const Reader& reader, typename Reader::State state,
                     iris::protocol::SplitStatus ref_end) {
  namespace p = iris::protocol;
  switch (ref_end) {
    case p::SplitStatus::kNeedMore:
      if (state != Reader::State::kNeedMore) fail("reader state at end (need more)");
      break;
    case p::SplitStatus::kTooLarge:
      if (state != Reader::State::kError || reader.error() != p::ErrorCode::kFrameTooLarge)
        fail("reader state at end (too large)");
      break;
    case p::SplitStatus::kEmpty:
      if (state != Reader::State::kError || reader.error() != p::ErrorCode::kBadFrame)
        fail("reader state at end (empty frame)");
      break;
    case p::SplitStatus::kFrame:
      fail("unreachable");
  }
}

}  // namespace fuzz_support
