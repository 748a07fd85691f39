#pragma once
// The frames of a view change (engine/cluster/reconfig.h), encoded by engine/peer/peer_codec.h as
// VIEW_PREPARE, VIEW_VOTE, VIEW_COMMIT, VIEW_ABORT, VIEW_QUERY and JOIN_REQUEST. Here, below the
// core, so that Reconfig needs nothing of the message layer. A proposal is named by its epoch, its
// coordinator's id and a round the coordinator draws at random for each proposal: two
// coordinators may propose the same epoch, one coordinator may propose it again after an abort,
// and only one proposal can win.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/cluster/view.h"

namespace iris::cluster {

inline constexpr std::size_t kMaxAddress = 255;  // peer and client addresses on the wire
inline constexpr std::size_t kMaxReason = 255;   // a refusal's reason on the wire
// The largest view frame (type + body): peer_codec.h's kMaxPeerFrame. A proposal whose member
// list would not fit is refused by its proposer.
inline constexpr std::size_t kMaxViewFrame = 128 * 1024;

// Coordinator -> every member of the current and the proposed view: "freeze what moves, drain
// what is in flight, then vote".
struct ViewPrepare {
  std::uint64_t epoch = 0;      // the proposed view's epoch: the current one + 1
  std::uint64_t round = 0;      // which of the coordinator's proposals of `epoch` (random)
  std::string coordinator;      // the proposing node's id
  std::vector<Member> members;  // the proposed view's members (indices kept)
};

// Member -> coordinator: prepared (drained and frozen) or refused, with the reason.
struct ViewVote {
  std::uint64_t epoch = 0;
  std::uint64_t round = 0;
  std::string coordinator;
  bool yes = false;
  std::string reason;  // for a refusal ("n3 is down from here", ...)
};

// The decision: the proposal is the view now. Also the answer to a VIEW_QUERY from a node that
// is behind, and what a joining node receives first.
struct ViewCommit {
  std::uint64_t epoch = 0;
  std::vector<Member> members;
};

// The decision: the proposal is dropped; members thaw.
struct ViewAbort {
  std::uint64_t epoch = 0;
  std::uint64_t round = 0;
  std::string coordinator;
};

// A member prepared for a proposal whose decision has not come asks the others what became of
// it. Answered with VIEW_COMMIT (the asked node has that epoch or a later one), VIEW_ABORT (it
// knows the proposal did not or cannot commit), or nothing (it is prepared too and does not know).
struct ViewQuery {
  std::uint64_t epoch = 0;
  std::uint64_t round = 0;  // 0 with no coordinator
  std::string coordinator;  // empty: a node that is behind asks for the view of `epoch` or later
};

// A node started with --join, on its first link: "add me".
struct JoinRequest {
  std::string node_id;
  std::string peer_address;
  std::string client_address;
};

}  // namespace iris::cluster
