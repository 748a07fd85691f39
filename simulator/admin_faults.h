#pragma once
// What a simulator fault means on real nodes: the admin API requests (docs/operations.md) that
// make it, or the reason it cannot be made. One translation for every client of real nodes — the
// console's RemoteSource and iris-fire --target — so a fault from the topology menu and the same
// fault in a scenario do the same thing to a real cluster.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "simulator/faults.h"

namespace iris::sim {

struct AdminAction {
  enum class Type {
    kPost,         // POST `path` (/v1/faults) `body` to `member`
    kEndMatching,  // end `member`'s faults of `kind` (and `peer` / `user` when set), by id
    kRecoverAll,   // DELETE /v1/faults on every node
    kRefuse,       // not possible on real nodes: `what` says why
  };
  Type type = Type::kPost;
  std::uint32_t member = 0;
  std::string body;  // kPost: the JSON fault, ttl_s included
  std::string kind, peer, user;
  std::string what;  // "partition n0 | n1" for logs; kRefuse: the reason
  // kPost of a slow consumer: sent to every node; the one with the user's session takes it, the
  // others answer 409, which is not an error.
  bool any_node = false;
  // kPost: where, and the status that means done (a fault: 201 Created; a leave, POST
  // /v1/cluster/leave: 202 Accepted).
  std::string path = "/v1/faults";
  int ok_status = 201;
};

// `members`: the cluster's member ids in view order (fault node indices point into it);
// `attached(m)`: whether requests can reach member m's admin API.
std::vector<AdminAction> admin_actions(const Fault& fault, std::uint64_t ttl_s,
                                       const std::vector<std::string>& members,
                                       const std::function<bool(std::uint32_t)>& attached);

// Whether an existing fault (a /v1/faults entry's kind, peer, user) is what `action` ends.
bool ends(const AdminAction& action, const std::string& kind, const std::string& peer,
          const std::string& user);

}  // namespace iris::sim
