#include "simulator/admin_snapshot.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace iris::sim {

namespace json = boost::json;

namespace {

std::uint64_t u64(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64()) return v->get_int64() > 0 ? static_cast<std::uint64_t>(v->get_int64()) : 0;
  if (v->is_double()) return v->get_double() > 0 ? static_cast<std::uint64_t>(v->get_double()) : 0;
  return 0;
}

bool flag(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

cluster::LinkState link_state(const std::string& s) {
  for (auto st : {cluster::LinkState::kOpen, cluster::LinkState::kConnecting,
                  cluster::LinkState::kHalfOpen, cluster::LinkState::kClosed}) {
    if (s == cluster::to_string(st)) return st;
  }
  return cluster::LinkState::kOpen;
}

}  // namespace

const json::object& json_object_at(const json::object& o, std::string_view key) {
  static const json::object kEmpty;
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? v->get_object() : kEmpty;
}

const json::array& json_array_at(const json::object& o, std::string_view key) {
  static const json::array kEmpty;
  const json::value* v = o.if_contains(key);
  return v && v->is_array() ? v->get_array() : kEmpty;
}

double json_number(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  return 0;
}

std::string json_text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string admin_fault_label(const json::object& f) {
  std::string s = json_text(f, "kind");
  if (f.contains("peer")) s += " " + json_text(f, "peer") + " " + json_text(f, "direction");
  if (f.contains("delay_ms")) s += " +" + std::to_string(u64(f, "delay_ms")) + " ms";
  if (f.contains("latency_ms")) s += " " + std::to_string(u64(f, "latency_ms")) + " ms";
  if (f.contains("percent")) s += " " + std::to_string(u64(f, "percent")) + "%";
  if (f.contains("shard_bytes")) s += " " + std::to_string(u64(f, "shard_bytes")) + " B/shard";
  if (f.contains("user")) s += " " + json_text(f, "user");
  return s;
}

ClusterSnapshot merge_admin_documents(const std::vector<json::object>& docs) {
  ClusterSnapshot c;
  std::vector<std::string> members;
  for (const auto& d : docs) {
    const json::array& m = json_array_at(json_object_at(d, "cluster"), "members");
    if (m.size() > members.size()) {
      members.clear();
      for (const auto& v : m) members.push_back(v.is_object() ? json_text(v.get_object(), "id") : "");
    }
  }
  for (const auto& d : docs) {  // single nodes report no members: their own id then
    const std::string id = json_text(json_object_at(d, "node"), "id");
    if (!id.empty() && std::find(members.begin(), members.end(), id) == members.end())
      members.push_back(id);
  }
  const auto index_of = [&](const std::string& id) {
    const auto it = std::find(members.begin(), members.end(), id);
    return it == members.end() ? -1 : static_cast<int>(it - members.begin());
  };
  c.nodes.resize(members.size());
  for (std::size_t i = 0; i < members.size(); ++i) c.nodes[i].id = members[i];
  std::vector<bool> seen_up(members.size(), false);
  for (const auto& d : docs) {
    const json::object& node = json_object_at(d, "node");
    const json::object& cl = json_object_at(d, "cluster");
    const json::object& counters = json_object_at(json_object_at(d, "metrics"), "counters");
    const int self = index_of(json_text(node, "id"));
    if (self < 0) continue;
    NodeSnapshot& n = c.nodes[static_cast<std::size_t>(self)];
    n.alive = true;
    n.incarnation = u64(node, "incarnation");
    n.sessions = u64(node, "sessions");
    n.inbox_messages = u64(node, "inbox_messages");
    n.memory_bytes = u64(node, "memory_bytes");
    n.store_rows = u64(node, "store_rows");
    n.sends_accepted = u64(counters, "accepted");
    n.delivered = u64(counters, "delivered");
    n.forwarded = u64(counters, "forwarded");
    n.handoff_queued = u64(counters, "handoff_queued");
    n.refused_store = u64(counters, "rejected_store");
    n.refused_retry_later = u64(counters, "rejected_retry_later");
    n.refused_rate = u64(counters, "rejected_rate");
    n.refused_order = u64(counters, "rejected_order");
    n.hot_promotions = u64(counters, "hot_promotions");
    n.bucketed_messages = u64(counters, "bucketed_messages");
    n.routes_fenced = u64(counters, "routes_fenced");
    for (const auto& v : json_array_at(node, "shards")) {
      if (!v.is_object()) continue;
      const json::object& s = v.get_object();
      ShardSnapshot sh;
      sh.id = static_cast<std::uint32_t>(u64(s, "id"));
      sh.sessions = u64(s, "sessions");
      sh.users = u64(s, "users");
      sh.inbox_messages = u64(s, "inbox_messages");
      sh.memory_bytes = u64(s, "memory_bytes");
      sh.sends_accepted = u64(s, "sends_accepted");
      sh.delivered = u64(s, "delivered");
      n.users += sh.users;
      n.shards.push_back(std::move(sh));
    }
    const json::object& faults = json_object_at(node, "faults");
    n.cpu_burn_us = static_cast<std::uint64_t>(json_number(faults, "cpu_burn_percent") * 100);
    n.memory_limit = u64(faults, "memory_limit");
    n.disk_slow = flag(faults, "disk_slow");
    n.disk_full = flag(faults, "disk_full");
    // This node's own membership, as its view says.
    n.epoch = u64(cl, "epoch");
    if (const std::string phase = json_text(json_object_at(cl, "reconfig"), "phase"); !phase.empty()) {
      n.reconfig = phase;
    }
    for (const auto& v : json_array_at(cl, "members")) {
      if (v.is_object() && flag(v.get_object(), "self")) {
        const std::string state = json_text(v.get_object(), "state");
        if (!state.empty()) n.member_state = state;
      }
    }
    for (const auto& v : json_array_at(cl, "members")) {
      if (!v.is_object() || !v.get_object().contains("link")) continue;
      const json::object& l = json_object_at(v.get_object(), "link");
      const int peer = index_of(json_text(v.get_object(), "id"));
      if (peer < 0) continue;
      cluster::PeerInfo p{};
      p.node = static_cast<cluster::NodeIndex>(peer);
      p.state = link_state(json_text(l, "state"));
      p.up = flag(l, "up");
      p.last_heard_us = u64(l, "last_heard_us");
      p.rtt_us = u64(l, "rtt_us");
      p.consecutive_failures = static_cast<std::uint32_t>(u64(l, "consecutive_failures"));
      p.ups = u64(l, "ups");
      p.downs = u64(l, "downs");
      if (p.up) seen_up[static_cast<std::size_t>(peer)] = true;
      n.peers.push_back(p);
    }
    for (const auto& v : json_array_at(cl, "link_faults")) {
      if (!v.is_object()) continue;
      const json::object& f = v.get_object();
      const int peer = index_of(json_text(f, "peer"));
      if (peer < 0) continue;
      const std::string dir = json_text(f, "direction");
      const auto a = static_cast<std::uint32_t>(self), b = static_cast<std::uint32_t>(peer);
      const bool out = dir != "in", in = dir != "out";
      if (json_text(f, "kind") == "peer_drop") {
        if (out) c.cuts.push_back({a, b});
        if (in) c.cuts.push_back({b, a});
      } else {
        const std::uint64_t us = u64(f, "delay_ms") * 1000;
        if (out) c.degraded.push_back({a, b, us, 0});
        if (in) c.degraded.push_back({b, a, us, 0});
      }
    }
    for (const auto& v : json_array_at(d, "faults")) {
      if (v.is_object()) c.active_faults.push_back(admin_fault_label(v.get_object()) + " (" + members[static_cast<std::size_t>(self)] + ")");
    }
    c.sent += u64(counters, "sends");
    c.acked += u64(counters, "acked");
    c.delivered += u64(counters, "delivered");
  }
  for (std::size_t i = 0; i < c.nodes.size(); ++i) {
    if (!c.nodes[i].alive) c.nodes[i].alive = seen_up[i];
  }
  return c;
}

}  // namespace iris::sim
