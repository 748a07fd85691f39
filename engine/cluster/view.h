#pragma once
// The cluster view: the members of a cluster and which one owns (is the home of) each user.
//
// Ownership is rendezvous hashing over the view's *active* members: the owner of user u is the
// active member m with the highest hash(u, m.id). Every node computes the same owner from the
// same view; adding or removing one member moves only the users it gains or loses. A member that
// is down stays in the view and keeps its users (it holds their stored inboxes): messages for
// them wait in hinted hand-off on the senders' nodes until it is back (docs/cluster.md explains
// why ownership does not move on a failure). Ownership moves only when an operator changes the
// view (a join or a leave), through a prepare/commit round that hands the moved users' inboxes
// over (engine/cluster/reconfig.h). The epoch numbers views: a node fences routes made under a
// view it does not know.
//
// Indices are stable: a member keeps its index for the life of the cluster (members are listed in
// the order they joined; the first view lists the --seeds sorted by id). A member that left stays
// in the list as kLeft, owning nothing and linked to nobody.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/hash.h"

namespace iris::cluster {

using NodeIndex = std::uint16_t;                 // index into View::members
inline constexpr NodeIndex kLocalNode = 0xFFFF;  // "this node", in messages that never left it
inline constexpr std::size_t kMaxMembers = 1024;

// A member's part in the cluster. Only kActive members own users; every member but kLeft ones
// keeps peer links (a joining member needs them before users move to it, a leaving one until its
// users have moved away).
enum class MemberState : std::uint8_t { kActive = 0, kJoining = 1, kLeaving = 2, kLeft = 3 };
const char* to_string(MemberState state);

struct Member {
  std::string id;              // node id: [A-Za-z0-9_-], 1..64 bytes, unique in the cluster
  std::string peer_address;    // host:port of its peer listener ("" in the simulator)
  std::string client_address;  // host:port clients are redirected to ("" in the simulator)
  MemberState state = MemberState::kActive;

  bool operator==(const Member&) const = default;
};

// Rendezvous weight of `user` on node `node_id`. Stable across releases (like fnv1a): the
// placement of every stored inbox depends on it.
constexpr std::uint64_t rendezvous_weight(std::string_view user, std::string_view node_id) {
  return mix64(fnv1a(user) ^ mix64(fnv1a(node_id)));
}

struct View {
  std::uint64_t epoch = 1;
  std::vector<Member> members;  // stable indices (join order)
  NodeIndex self = 0;

  std::size_t size() const { return members.size(); }

  // The active member with the highest weight; kLocalNode when no member is active (a view that
  // Reconfig never proposes).
  NodeIndex owner_of(std::string_view user) const {
    const std::uint64_t u = fnv1a(user);
    NodeIndex best = kLocalNode;
    std::uint64_t best_w = 0;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (members[i].state != MemberState::kActive) continue;
      std::uint64_t w = mix64(u ^ mix64(fnv1a(members[i].id)));
      if (best == kLocalNode || w > best_w || (w == best_w && members[i].id < members[best].id)) {
        best = static_cast<NodeIndex>(i);
        best_w = w;
      }
    }
    return best;
  }
  bool owns(std::string_view user) const { return owner_of(user) == self; }

  // Index of the member with this id, or kLocalNode when there is none.
  NodeIndex index_of(std::string_view id) const {
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (members[i].id == id) return static_cast<NodeIndex>(i);
    }
    return kLocalNode;
  }
  // Member i keeps peer links (it is not kLeft).
  bool linked(NodeIndex i) const {
    return i < members.size() && members[i].state != MemberState::kLeft;
  }
  bool active(NodeIndex i) const {
    return i < members.size() && members[i].state == MemberState::kActive;
  }
  std::size_t active_count() const {
    std::size_t n = 0;
    for (const auto& m : members) n += m.state == MemberState::kActive;
    return n;
  }
  // The same cluster picture (epoch and members), whoever looks at it.
  bool same_as(const View& other) const {
    return epoch == other.epoch && members == other.members;
  }
};

// The reserved inbox name under which a node queues, durably, the messages for users owned by
// unreachable member `node_id` (hinted hand-off). '#' is not allowed in user ids, so it never
// collides with a user's inbox.
inline std::string handoff_queue_name(std::string_view node_id) {
  return "#handoff/" + std::string(node_id);
}
inline bool is_handoff_queue(std::string_view user) {
  return !user.empty() && user[0] == '#';
}
// The node id in a hand-off queue's name.
inline std::string_view handoff_queue_node(std::string_view queue) {
  constexpr std::string_view kPrefix = "#handoff/";
  return queue.size() > kPrefix.size() ? queue.substr(kPrefix.size()) : std::string_view();
}

}  // namespace iris::cluster
