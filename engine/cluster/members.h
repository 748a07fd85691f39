#pragma once
// Parsing a cluster's member list, as iris-node takes it (--seeds):
//   ID@PEER_HOST:PORT@CLIENT_HOST:PORT[,ID@PEER_HOST:PORT@CLIENT_HOST:PORT...]
// Every member, this node included; the client address is where a client whose home is that
// member is redirected. Ids: 1..64 of [A-Za-z0-9_@-] minus '@', unique.

#include <algorithm>
#include <cctype>
#include <string>

#include "engine/cluster/view.h"
#include "engine/common/status.h"

namespace iris::cluster {

inline Result<View> parse_members(const std::string& spec, const std::string& self_id) {
  View view;
  std::size_t start = 0;
  while (start <= spec.size()) {
    std::size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    std::string item = spec.substr(start, end - start);
    start = end + 1;
    if (item.empty()) {
      if (end == spec.size()) break;
      continue;
    }
    std::size_t a = item.find('@');
    std::size_t b = a == std::string::npos ? a : item.find('@', a + 1);
    if (a == std::string::npos || b == std::string::npos || a == 0 || b == a + 1 ||
        b + 1 == item.size()) {
      return Status::invalid("member '" + item + "': expected ID@PEER_HOST:PORT@CLIENT_HOST:PORT");
    }
    Member m{item.substr(0, a), item.substr(a + 1, b - a - 1), item.substr(b + 1)};
    if (m.id.size() > 64 || !std::all_of(m.id.begin(), m.id.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        })) {
      return Status::invalid("member id '" + m.id + "': 1..64 of A-Z a-z 0-9 _ -");
    }
    view.members.push_back(std::move(m));
    if (end == spec.size()) break;
  }
  if (view.members.size() > kMaxMembers) return Status::invalid("too many members");
  std::sort(view.members.begin(), view.members.end(),
            [](const Member& x, const Member& y) { return x.id < y.id; });
  for (std::size_t i = 1; i < view.members.size(); ++i) {
    if (view.members[i].id == view.members[i - 1].id) {
      return Status::invalid("member '" + view.members[i].id + "' listed twice");
    }
  }
  view.self = view.index_of(self_id);
  if (view.self == kLocalNode) {
    return Status::invalid("this node ('" + self_id + "') is not in the member list");
  }
  return view;
}

}  // namespace iris::cluster
