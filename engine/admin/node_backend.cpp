#include "engine/admin/node_backend.h"

#include <unistd.h>

#include <algorithm>
#include <boost/json/array.hpp>

#include "engine/net/peer_links.h"
#include "engine/net/worker.h"

namespace iris::admin {

namespace json = boost::json;

namespace {

json::object latency(const metrics::HistogramSnapshot& h) {
  return {{"count", h.total},
          {"p50", h.quantile(0.5)},
          {"p99", h.quantile(0.99)},
          {"p999", h.quantile(0.999)},
          {"max", h.max},
          {"mean", h.mean()}};
}

// later - earlier, bucket by bucket (both cumulative, later taken after earlier).
metrics::HistogramSnapshot minus(const metrics::HistogramSnapshot& later,
                                 const metrics::HistogramSnapshot& earlier) {
  metrics::HistogramSnapshot d = later;
  for (std::size_t i = 0; i < d.counts.size(); ++i) d.counts[i] -= std::min(d.counts[i], earlier.counts[i]);
  d.total -= std::min(d.total, earlier.total);
  d.sum -= std::min(d.sum, earlier.sum);
  return d;
}

}  // namespace

NodeBackend::NodeBackend(net::NodeServer& server, store::FaultyStore* faulty,
                         std::uint64_t incarnation)
    : server_(server), faulty_(faulty), incarnation_(incarnation) {}

std::string NodeBackend::self_id() const {
  return server_.options().core.node_id;
}

json::object NodeBackend::node() {
  const net::NodeStats st = server_.stats();
  json::array shards;
  for (std::uint32_t i = 0; i < server_.shard_count(); ++i) {
    const auto& m = server_.worker(i).shard().metrics();
    shards.push_back(json::object{{"id", i},
                                  {"sessions", m.sessions.get()},
                                  {"users", m.users.get()},
                                  {"inbox_messages", m.inbox_messages.get()},
                                  {"memory_bytes", m.memory_bytes.get()},
                                  {"sends_accepted", m.sends_accepted.get()},
                                  {"delivered", m.delivered.get()},
                                  {"hot_users", m.hot_users.get()}});
  }
  const auto uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_);
  json::array down;
  for (auto shard : down_shards_) down.push_back(shard);
  json::object faults{{"cpu_burn_percent", 0}, {"memory_limit", 0}, {"disk_slow", false},
                      {"disk_full", false}, {"shards_down", std::move(down)}};
  for (const auto& f : active_) {
    if (f.kind == NodeFault::Kind::kCpuBurn) faults["cpu_burn_percent"] = f.percent;
    if (f.kind == NodeFault::Kind::kMemoryPressure) faults["memory_limit"] = f.shard_bytes;
    if (f.kind == NodeFault::Kind::kSlowDisk) faults["disk_slow"] = true;
    if (f.kind == NodeFault::Kind::kDiskFull) faults["disk_full"] = true;
  }
  const auto& o = server_.options();
  const store::StoreStats ss = faulty_ ? faulty_->stats() : store::StoreStats{};
  return {{"id", self_id()},
          {"version", IRIS_VERSION},
          {"incarnation", incarnation_},
          {"pid", static_cast<std::int64_t>(::getpid())},
          {"uptime_s", uptime.count()},
          {"listen",
           {{"tcp", o.listen.empty() ? 0 : server_.tcp_port()},
            {"tls", o.tls_listen.empty() ? 0 : server_.tls_port()},
            {"ws", o.ws_listen.empty() ? 0 : server_.ws_port()},
            {"peer", server_.peer_port()}}},
          {"connections", st.connections},
          {"sessions", st.sessions},
          {"memory_bytes", st.memory_bytes},
          {"inbox_messages", st.inbox_messages},
          {"store_rows", ss.messages},
          {"shards", std::move(shards)},
          {"faults", std::move(faults)}};
}

cluster::View NodeBackend::view() const {
  if (net::PeerLinks* links = server_.peer_links()) return *links->view();
  return server_.options().cluster.view;
}

Result<std::uint64_t> NodeBackend::leave(const std::string& node) {
  net::PeerLinks* links = server_.peer_links();
  if (links == nullptr) return Status::invalid("this node is not in a cluster");
  return links->request_leave(node);
}

json::object NodeBackend::cluster() {
  const auto v = view();
  std::vector<cluster::PeerInfo> peers;
  json::object reconfig;
  if (net::PeerLinks* links = server_.peer_links()) {
    peers = links->peers();
    const auto st = links->reconfig_status();
    json::array decisions;
    for (const auto& d : st.decisions) {
      decisions.push_back(json::object{{"epoch", d.epoch},
                                       {"committed", d.committed},
                                       {"change", d.what},
                                       {"reason", d.reason},
                                       {"at_ms", d.at_ms}});
    }
    reconfig = {{"phase", st.phase},
                {"handed_over_epoch", st.handed_over_epoch},
                {"decisions", std::move(decisions)}};
  }
  json::array members;
  for (std::size_t i = 0; i < v.size(); ++i) {
    json::object m{{"index", i}, {"id", v.members[i].id}, {"self", i == v.self},
                   {"state", cluster::to_string(v.members[i].state)},
                   {"peer_address", v.members[i].peer_address},
                   {"client_address", v.members[i].client_address}};
    for (const auto& p : peers) {
      if (p.node != i) continue;
      m["link"] = json::object{{"state", cluster::to_string(p.state)},
                               {"up", p.up},
                               {"rtt_us", p.rtt_us},
                               {"last_heard_us", p.last_heard_us},
                               {"consecutive_failures", p.consecutive_failures},
                               {"ups", p.ups},
                               {"downs", p.downs}};
    }
    members.push_back(std::move(m));
  }
  json::array link_faults;
  for (const auto& f : active_) {
    if (f.kind == NodeFault::Kind::kPeerDrop || f.kind == NodeFault::Kind::kPeerDelay)
      link_faults.push_back(to_json(f));
  }
  return {{"self", self_id()}, {"epoch", v.epoch}, {"members", std::move(members)},
          {"reconfig", std::move(reconfig)}, {"link_faults", std::move(link_faults)}};
}

json::object NodeBackend::metrics() {
  const net::NodeStats s = server_.stats();
  metrics::HistogramSnapshot deliver, ack, persist;
  std::uint64_t forwarded = 0, handoff_queued = 0, handoff_replayed = 0, requeued = 0, fenced = 0,
                rejected_order = 0;
  for (std::uint32_t i = 0; i < server_.shard_count(); ++i) {
    const auto& m = server_.worker(i).shard().metrics();
    deliver.merge(m.deliver_latency_us.snapshot());
    ack.merge(m.ack_latency_us.snapshot());
    persist.merge(m.persist_latency_us.snapshot());
    forwarded += m.forwarded.get();
    handoff_queued += m.handoff_queued.get();
    handoff_replayed += m.handoff_replayed.get();
    requeued += m.forwards_requeued.get();
    fenced += m.routes_fenced.get();
    rejected_order += m.send_rejected_order.get();
  }
  json::object counters{{"logins", s.logins},
                        {"login_failures", s.login_failures},
                        {"bad_frames", s.bad_frames},
                        {"sends", s.sends},
                        {"accepted", s.accepted},
                        {"delivered", s.delivered},
                        {"acked", s.acked},
                        {"persisted", s.persisted},
                        {"rejected_retry_later", s.rejected_retry_later},
                        {"rejected_store", s.rejected_store},
                        {"rejected_rate", s.rejected_rate},
                        {"rejected_order", rejected_order},
                        {"slow_consumer_disconnects", s.slow_consumer_disconnects},
                        {"hot_promotions", s.hot_promotions},
                        {"bucketed_messages", s.bucketed_messages},
                        {"forwarded", forwarded},
                        {"handoff_queued", handoff_queued},
                        {"handoff_replayed", handoff_replayed},
                        {"forwards_requeued", requeued},
                        {"routes_fenced", fenced}};
  json::object gauges{{"connections", s.connections},   {"sessions", s.sessions},
                      {"memory_bytes", s.memory_bytes}, {"inbox_messages", s.inbox_messages},
                      {"hot_users", s.hot_users}};
  if (faulty_) {
    const store::StoreStats st = faulty_->stats();
    gauges["store_rows"] = st.messages;
    counters["store_commits"] = st.commits;
    counters["store_write_errors"] = st.write_errors;
  }
  // The last second's deliveries (a console charts these; the cumulative ones barely move).
  const auto now = std::chrono::steady_clock::now();
  metrics::HistogramSnapshot base;
  while (marks_.size() > 1 && now - marks_[1].first >= std::chrono::seconds(1)) marks_.pop_front();
  if (!marks_.empty() && now - marks_.front().first >= std::chrono::seconds(1)) base = marks_.front().second;
  const double window_s =
      marks_.empty() ? 0 : std::chrono::duration<double>(now - marks_.front().first).count();
  if (marks_.empty() || now - marks_.back().first >= std::chrono::milliseconds(100))
    marks_.emplace_back(now, deliver);
  json::object recent = latency(minus(deliver, base));
  recent["window_s"] = window_s;
  return {{"counters", std::move(counters)},
          {"gauges", std::move(gauges)},
          {"latency_us",
           {{"deliver", latency(deliver)}, {"ack", latency(ack)}, {"persist", latency(persist)}}},
          {"recent_deliver_latency_us", std::move(recent)}};
}

void NodeBackend::prometheus(PrometheusText& out) {
  const json::object m = metrics();
  const PrometheusText::Labels node{{"node", self_id()}};
  for (const auto& [name, v] : m.at("counters").as_object()) {
    out.counter("iris_" + std::string(name) + "_total", "Iris counter " + std::string(name),
                static_cast<double>(v.to_number<std::uint64_t>()), node);
  }
  for (const auto& [name, v] : m.at("gauges").as_object()) {
    out.gauge("iris_" + std::string(name), "Iris gauge " + std::string(name),
              v.to_number<double>(), node);
  }
  for (const auto& [name, v] : m.at("latency_us").as_object()) {
    const json::object& h = v.as_object();
    const double to_s = 1e-6;
    out.summary("iris_" + std::string(name) + "_latency_seconds",
                "Iris " + std::string(name) + " latency (log buckets, ~6% error)",
                {{0.5, h.at("p50").to_number<double>() * to_s},
                 {0.99, h.at("p99").to_number<double>() * to_s},
                 {0.999, h.at("p999").to_number<double>() * to_s}},
                h.at("mean").to_number<double>() * h.at("count").to_number<double>() * to_s,
                h.at("count").to_number<std::uint64_t>(), node);
  }
  if (net::PeerLinks* links = server_.peer_links()) {
    const auto& v = view();
    const auto peers = links->peers();
    for (const auto& p : peers) {
      if (p.node >= v.size()) continue;
      out.gauge("iris_peer_up", "1 when the link to the peer is up", p.up ? 1 : 0,
                {{"node", self_id()}, {"peer", v.members[p.node].id}});
    }
    for (const auto& p : peers) {
      if (p.node >= v.size()) continue;
      out.gauge("iris_peer_rtt_seconds", "Last heartbeat round trip to the peer",
                static_cast<double>(p.rtt_us) * 1e-6,
                {{"node", self_id()}, {"peer", v.members[p.node].id}});
    }
  }
  out.gauge("iris_uptime_seconds", "Seconds since the node started",
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count(),
            node);
  out.gauge("iris_admin_faults", "Admin faults in force", static_cast<double>(active_.size()), node);
}

Status NodeBackend::start_fault(const NodeFault& fault) {
  switch (fault.kind) {
    case NodeFault::Kind::kPeerDrop:
    case NodeFault::Kind::kPeerDelay: {
      if (server_.peer_links() == nullptr) return Status::invalid("this node is not in a cluster");
      const auto p = view().index_of(fault.peer);
      if (p == cluster::kLocalNode) return Status::not_found("no member named " + fault.peer);
      if (p == view().self) return Status::invalid("a node has no link to itself");
      break;
    }
    case NodeFault::Kind::kSlowDisk:
    case NodeFault::Kind::kDiskFull:
      if (faulty_ == nullptr) return Status::invalid("this node's store takes no faults");
      break;
    case NodeFault::Kind::kSlowConsumer:
      if (!server_.set_user_writes_paused(fault.user, true))
        return Status::not_found("user " + fault.user + " has no session on this node");
      paused_users_.insert(fault.user);
      break;
    case NodeFault::Kind::kShardDown:
      if (fault.shard >= server_.shard_count()) {
        return Status::invalid("this node has " + std::to_string(server_.shard_count()) +
                               " shards (0.." + std::to_string(server_.shard_count() - 1) + ")");
      }
      break;
    case NodeFault::Kind::kCpuBurn:
    case NodeFault::Kind::kMemoryPressure: break;
  }
  active_.push_back(fault);
  apply_all();
  return Status::ok();
}

void NodeBackend::end_fault(const NodeFault& fault) {
  auto it = std::find_if(active_.begin(), active_.end(), [&](const NodeFault& f) {
    return f.kind == fault.kind && f.peer == fault.peer && f.direction == fault.direction &&
           f.delay_ms == fault.delay_ms && f.latency_ms == fault.latency_ms &&
           f.shard_bytes == fault.shard_bytes && f.percent == fault.percent &&
           f.user == fault.user && f.shard == fault.shard;
  });
  if (it != active_.end()) active_.erase(it);
  apply_all();
}

void NodeBackend::apply_all() {
  const auto& v = view();
  std::vector<net::PeerLinks::LinkFault> links(v.size());
  std::uint64_t disk_latency_us = 0;
  bool disk_full = false;
  double burn = 0;
  std::uint64_t memory = 0;
  std::set<std::string> slow;
  std::set<std::uint64_t> down;
  for (const auto& f : active_) {
    const bool out = f.direction != NodeFault::Direction::kIn;
    const bool in = f.direction != NodeFault::Direction::kOut;
    switch (f.kind) {
      case NodeFault::Kind::kPeerDrop:
      case NodeFault::Kind::kPeerDelay: {
        const auto p = v.index_of(f.peer);
        if (p >= links.size()) break;
        auto& l = links[p];
        if (f.kind == NodeFault::Kind::kPeerDrop) {
          l.drop_out |= out;
          l.drop_in |= in;
        } else {
          if (out) l.delay_out_us = std::max(l.delay_out_us, f.delay_ms * 1000);
          if (in) l.delay_in_us = std::max(l.delay_in_us, f.delay_ms * 1000);
        }
        break;
      }
      case NodeFault::Kind::kSlowDisk: disk_latency_us = std::max(disk_latency_us, f.latency_ms * 1000); break;
      case NodeFault::Kind::kDiskFull: disk_full = true; break;
      case NodeFault::Kind::kCpuBurn: burn = std::max(burn, f.percent); break;
      case NodeFault::Kind::kMemoryPressure:
        memory = memory == 0 ? f.shard_bytes : std::min(memory, f.shard_bytes);
        break;
      case NodeFault::Kind::kSlowConsumer: slow.insert(f.user); break;
      case NodeFault::Kind::kShardDown: down.insert(f.shard); break;
    }
  }
  if (net::PeerLinks* pl = server_.peer_links()) {
    for (std::size_t i = 0; i < links.size(); ++i) {
      if (i != v.self) pl->set_link_fault(static_cast<cluster::NodeIndex>(i), links[i]);
    }
  }
  if (faulty_) {
    faulty_->set_latency_us(disk_latency_us);
    faulty_->set_disk_full(disk_full);
  }
  server_.set_cpu_burn(burn);
  server_.set_shard_memory_limit(memory);
  for (const auto& user : paused_users_) {
    if (!slow.count(user)) server_.set_user_writes_paused(user, false);
  }
  paused_users_ = std::move(slow);
  for (auto shard : down) {
    if (!down_shards_.count(shard)) server_.set_shard_down(static_cast<std::uint32_t>(shard), true);
  }
  for (auto shard : down_shards_) {
    if (!down.count(shard)) server_.set_shard_down(static_cast<std::uint32_t>(shard), false);
  }
  down_shards_ = std::move(down);
}

}  // namespace iris::admin
