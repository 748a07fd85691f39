#include "simulator/local_cluster.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "engine/net/node_server.h"
#include "engine/store/memory_store.h"

namespace iris::sim {

namespace {
constexpr std::uint64_t kReconnectUs = 200'000;  // after the node closed a session
}

struct LocalCluster::User {
  std::string id;
  ClientSpec spec;
  std::unique_ptr<client::Client> client;  // null while offline
  bool offline = false;
  bool reconnect_armed = false;
  std::uint64_t acked_this_session = 0;
  std::uint64_t redeliveries = 0;  // duplicates dropped by past sessions' clients
  struct Unacked {
    std::string sender;
    std::uint64_t client_msg_id = 0;
  };
  std::vector<Unacked> unacked;
  std::vector<PresenceSeen> presence;
};

LocalCluster::LocalCluster(LocalClusterOptions options)
    : options_(options), store_(std::make_unique<store::MemoryStore>()) {
  net::ServerOptions o;
  o.core.shards = options_.shards;
  o.core.insecure_dev_login = true;  // virtual users log in with their id, on loopback only
  o.core.max_msgs_per_s = options_.max_msgs_per_s;
  o.core.node_id = "local-0";
  o.core.sabotage = options_.sabotage;
  o.listen = "127.0.0.1:0";
  if (options_.websocket) o.ws_listen = "127.0.0.1:0";
  node_ = std::make_unique<net::NodeServer>(o, *store_, 1);
  if (Status st = node_->start(); !st.ok()) {
    start_error_ = "the local node did not start: " + st.message();
    return;
  }
  port_ = options_.websocket ? node_->ws_port() : node_->tcp_port();
}

LocalCluster::~LocalCluster() {
  for (auto& [id, u] : users_) u->client.reset();
  if (node_) node_->stop();
}

std::uint64_t LocalCluster::now_us() const {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

void LocalCluster::at(std::uint64_t t_us, std::function<void()> fn) {
  const std::uint64_t seq = ++timer_seq_;
  timers_.push({t_us, seq});
  timer_fns_.emplace(seq, std::move(fn));
}

void LocalCluster::run_until(std::uint64_t t_us) {
  while (now_us() < t_us) {
    bool busy = false;
    while (!timers_.empty() && timers_.top().t <= now_us()) {
      const std::uint64_t seq = timers_.top().seq;
      timers_.pop();
      auto fn = std::move(timer_fns_.at(seq));
      timer_fns_.erase(seq);
      ++events_;
      fn();
      busy = true;
    }
    busy = pump_clients() || busy;
    if (!busy) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

LocalCluster::User* LocalCluster::find(const std::string& user) const {
  auto it = users_.find(user);
  return it == users_.end() ? nullptr : it->second.get();
}

void LocalCluster::add_client(const std::string& user, const ClientSpec& spec) {
  auto u = std::make_unique<User>();
  u->id = user;
  u->spec = spec;
  u->offline = !spec.online;
  User& ref = *u;
  users_[user] = std::move(u);
  if (!ref.offline) connect(ref);
}

void LocalCluster::connect(User& u) {
  if (!start_error_.empty() || u.offline || u.client) return;
  client::ClientOptions o;
  o.token = u.id;
  o.client_name = "iris-fire";
  o.max_pending_sends = 1024;
  o.auto_ack = !u.spec.acks_per_session;
  if (options_.sabotage == core::Sabotage::kDeliverTwice) o.dedup_capacity = 0;
  auto c = client::Client::connect(
      "127.0.0.1", port_, o,
      options_.websocket ? client::Transport::kWebSocket : client::Transport::kTcp);
  if (!c) {
    spdlog::warn("iris-fire: {} could not log in: {}", u.id, c.status().message());
    if (!u.reconnect_armed) {
      u.reconnect_armed = true;
      at(now_us() + kReconnectUs, [this, &u] {
        u.reconnect_armed = false;
        connect(u);
      });
    }
    return;
  }
  u.client = std::move(*c);
  handle_events(u);
}

// The session ends: what the application left unacknowledged will come again.
void LocalCluster::disconnect(User& u) {
  if (!u.client) return;
  handle_events(u);
  u.redeliveries += u.client->core().duplicates_dropped();
  for (const auto& m : u.unacked) checker_.on_released(u.id, m.sender, m.client_msg_id);
  u.unacked.clear();
  u.acked_this_session = 0;
  u.client->close();
  u.client.reset();
}

bool LocalCluster::pump_clients() {
  bool busy = false;
  for (auto& [id, u] : users_) {
    if (!u->client) continue;
    busy = u->client->poll() || busy;
    if (!u->client->events().empty()) handle_events(*u);
    if (!u->client->connected()) {  // the node closed it: reconnect, as the simulator's clients do
      disconnect(*u);
      if (!u->offline && !u->reconnect_armed) {
        u->reconnect_armed = true;
        at(now_us() + kReconnectUs, [this, user = u.get()] {
          user->reconnect_armed = false;
          connect(*user);
        });
      }
    }
  }
  return busy;
}

void LocalCluster::handle_events(User& u) {
  auto events = std::move(u.client->events());
  u.client->events().clear();
  for (auto& e : events) {
    if (auto* d = std::get_if<client::Delivered>(&e)) {
      checker_.on_delivered(u.id, d->sender, d->client_msg_id, d->payload, now_us());
      if (u.spec.acks_per_session) {
        if (u.acked_this_session < *u.spec.acks_per_session) {
          ++u.acked_this_session;
          u.client->core().ack(d->server_msg_id);
        } else {
          u.unacked.push_back({d->sender, d->client_msg_id});
        }
      }
    } else if (auto* done = std::get_if<client::SendDone>(&e)) {
      if (done->status == protocol::SendStatus::kOk) {
        checker_.on_acked(u.id, done->client_msg_id, now_us());
      }
    } else if (auto* f = std::get_if<client::ProtocolFailure>(&e)) {
      checker_.report("protocol", u.id + "'s client could not decode the node: " + f->what);
    } else if (auto* p = std::get_if<client::PresenceChanged>(&e)) {
      u.presence.push_back(PresenceSeen{p->user, p->state == protocol::PresenceState::kOnline,
                                        p->last_seen_ms, now_us()});
    }
  }
}

void LocalCluster::set_online(const std::string& user, bool online) {
  User* u = find(user);
  if (u == nullptr || u->offline == !online) return;
  u->offline = !online;
  if (online) {
    connect(*u);
  } else {
    disconnect(*u);
  }
}

bool LocalCluster::online(const std::string& user) const {
  User* u = find(user);
  return u != nullptr && u->client && u->client->core().logged_in();
}

void LocalCluster::subscribe(const std::string& user, const std::string& target) {
  if (User* u = find(user); u && u->client) u->client->core().subscribe(target);
}

void LocalCluster::query_presence(const std::string& user, const std::string& target) {
  if (User* u = find(user); u && u->client) u->client->core().query_status(target);
}

const std::vector<PresenceSeen>& LocalCluster::presence_seen(const std::string& user) const {
  static const std::vector<PresenceSeen> kNone;
  User* u = find(user);
  return u ? u->presence : kNone;
}

std::uint64_t LocalCluster::send(const std::string& from, const std::string& to,
                                 const std::string& payload, std::uint64_t scheduled_us) {
  User* u = find(from);
  if (u == nullptr || !u->client) return 0;  // offline: the caller keeps it for later
  const std::uint64_t id = u->client->send(to, payload);
  if (id != 0) checker_.on_send(from, to, id, payload, std::min(scheduled_us, now_us()));
  return id;
}

std::uint64_t LocalCluster::wire_redeliveries(const std::string& user) const {
  User* u = find(user);
  if (u == nullptr) return 0;
  return u->redeliveries + (u->client ? u->client->core().duplicates_dropped() : 0);
}

void LocalCluster::apply(const Fault& fault) {
  if (std::holds_alternative<RecoverAll>(fault)) {
    fault_log_.push_back({now_us(), describe(fault)});
    for (auto& [id, u] : users_) set_online(id, true);
    return;
  }
  fault_log_.push_back({now_us(), describe(fault) + " (not applied: no fault injection on this "
                                                    "target)"});
}

bool LocalCluster::settled() const {
  if (checker_.undelivered_acked() != 0) return false;
  for (const auto& [id, u] : users_) {
    if (u->client && u->client->core().pending_sends() != 0) return false;
  }
  return true;
}

std::uint64_t LocalCluster::stored_rows(const std::string&) const {
  return store_->stats().messages;  // one store; recipients are not told apart here
}

ClusterSnapshot LocalCluster::snapshot() const {
  ClusterSnapshot s;
  s.now_us = now_us();
  s.sent = checker_.sent();
  s.acked = checker_.acked();
  s.delivered = checker_.delivered();
  s.violations = checker_.violations().size();
  NodeSnapshot n;
  n.id = node_id(0);
  n.alive = node_ != nullptr && start_error_.empty();
  if (n.alive) {
    const net::NodeStats st = node_->stats();
    n.sessions = st.sessions;
    n.memory_bytes = st.memory_bytes;
    n.inbox_messages = st.inbox_messages;
    n.sends_accepted = st.accepted;
    n.delivered = st.delivered;
    n.refused_store = st.rejected_store;
    n.refused_retry_later = st.rejected_retry_later;
    n.refused_rate = st.rejected_rate;
    n.hot_promotions = st.hot_promotions;
    n.bucketed_messages = st.bucketed_messages;
    n.store_rows = store_->stats().messages;
  }
  s.nodes.push_back(std::move(n));
  return s;
}

}  // namespace iris::sim
