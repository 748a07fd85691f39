// Virtual clients (the engine's ClientCore) and the node side of their connections.

#include <algorithm>

#include "simulator/sim_cluster.h"
#include "simulator/sim_cluster_state.h"

namespace iris::sim {

// ---------------------------------------------------------------------------------------------
// Clients

void SimCluster::add_client(const std::string& user, const ClientSpec& spec) {
  auto c = std::make_unique<Client>();
  c->user = user;
  client::ClientOptions o;
  o.token = user;
  o.client_name = "sim";
  o.max_pending_sends = 1024;
  o.auto_ack = !spec.acks_per_session;
  if (!config_.client_dedup) o.dedup_capacity = 0;
  c->acks_per_session = spec.acks_per_session;
  c->offline = !spec.online;
  c->core = std::make_unique<client::ClientCore>(o, world_.now_us());
  std::size_t index = clients_.size();
  client_of_[user] = index;
  clients_.push_back(std::move(c));
  connect(index, static_cast<std::uint32_t>(world_.rng().below(nodes_.size())));
}

bool SimCluster::online(const std::string& user) const {
  auto it = client_of_.find(user);
  return it != client_of_.end() && clients_[it->second]->core->logged_in();
}

void SimCluster::query_presence(const std::string& user, const std::string& target) {
  auto it = client_of_.find(user);
  if (it == client_of_.end()) return;
  clients_[it->second]->core->query_status(target);
  client_flush(it->second);
}

std::uint64_t SimCluster::wire_redeliveries(const std::string& user) const {
  auto it = client_of_.find(user);
  return it == client_of_.end() ? 0 : clients_[it->second]->core->duplicates_dropped();
}

// The session ended: deliveries the application left unacknowledged will come again.
void SimCluster::end_client_session(Client& c) {
  for (const auto& u : c.unacked) checker_.on_released(c.user, u.sender, u.client_msg_id);
  c.unacked.clear();
  c.acked_this_session = 0;
  c.core->on_disconnected();
}

// The client's resend timer runs only while it has sends to answer: a million idle virtual users
// cost no events.
void SimCluster::arm_client_tick(std::size_t index) {
  Client& c = *clients_[index];
  if (c.tick_armed || c.core->pending_sends() == 0) return;
  c.tick_armed = true;
  world_.after(config_.client_tick_us, [this, index] {
    Client& cl = *clients_[index];
    cl.tick_armed = false;
    cl.core->on_tick(world_.now_us());
    client_flush(index);
    arm_client_tick(index);
  });
}

void SimCluster::subscribe(const std::string& user, const std::string& target) {
  auto it = client_of_.find(user);
  if (it == client_of_.end()) return;
  clients_[it->second]->core->subscribe(target);
  client_flush(it->second);
}

const std::vector<PresenceSeen>& SimCluster::presence_seen(
    const std::string& user) const {
  static const std::vector<PresenceSeen> kNone;
  auto it = client_of_.find(user);
  return it == client_of_.end() ? kNone : clients_[it->second]->presence;
}

std::uint64_t SimCluster::send(const std::string& from, const std::string& to,
                               const std::string& payload, std::uint64_t scheduled_us) {
  auto it = client_of_.find(from);
  if (it == client_of_.end()) return 0;
  Client& c = *clients_[it->second];
  std::uint64_t id = c.core->send(to, payload, world_.now_us());
  if (id == 0) return 0;
  checker_.on_send(from, to, id, payload, std::min(scheduled_us, world_.now_us()));
  world_.trace(7, id);
  client_flush(it->second);
  arm_client_tick(it->second);
  return id;
}

void SimCluster::set_online(const std::string& user, bool online) {
  auto it = client_of_.find(user);
  if (it == client_of_.end()) return;
  const std::size_t index = it->second;
  Client& c = *clients_[index];
  if (c.offline == !online) return;
  c.offline = !online;
  world_.trace(11, index, online);
  if (online) {
    connect(index, static_cast<std::uint32_t>(world_.rng().below(nodes_.size())));
    return;
  }
  // The client closes its socket: the node sees it after the network's latency.
  if (c.conn != 0) {
    world_.after(latency(~0u, c.node),
                 [this, node = c.node, conn = c.conn, gen = nodes_[c.node]->gen] {
                   Node& n = *nodes_[node];
                   if (!n.alive || n.gen != gen) return;
                   auto ci = n.conns.find(conn);
                   if (ci == n.conns.end()) return;
                   ShardId home = ci->second.home;
                   n.conns.erase(ci);
                   EngineScope engine(*this);
                   n.shards[home]->on_closed(conn);
                   end_turn(node, home);
                 });
  }
  ++c.conn_gen;
  c.connected = false;
  c.conn = 0;
  c.unread.clear();
  end_client_session(c);
}

void SimCluster::connect(std::size_t index, std::uint32_t node) {
  Client& c = *clients_[index];
  if (c.offline) return;
  std::uint64_t cg = ++c.conn_gen;
  c.node = node;
  c.conn = 0;
  c.connected = false;
  c.redirect.reset();
  world_.after(latency(~0u, node), [this, index, node, cg] {
    Client& cl = *clients_[index];
    if (cl.conn_gen != cg) return;
    Node& n = *nodes_[node];
    if (!n.alive) {  // refused
      world_.after(latency(node, ~0u), [this, index, cg] { client_closed(index, cg); });
      return;
    }
    ConnId conn = ++n.next_conn;
    ShardId shard = static_cast<ShardId>(conn % n.shards.size());
    Node::Conn state;
    state.client = index;
    state.client_gen = cg;
    state.home = shard;
    n.conns.emplace(conn, std::move(state));
    EngineScope engine(*this);
    n.shards[shard]->on_open(conn);
    end_turn(node, shard);
    world_.after(latency(node, ~0u), [this, index, cg, conn] {
      Client& cc = *clients_[index];
      if (cc.conn_gen != cg) return;
      cc.conn = conn;
      cc.connected = true;
      cc.last_arrival = 0;
      cc.core->on_connected(world_.now_us());
      client_flush(index);
    });
  });
}

void SimCluster::client_flush(std::size_t index) {
  Client& c = *clients_[index];
  if (!c.connected || !c.core->has_output()) return;
  protocol::Bytes bytes = c.core->take_output();
  std::uint64_t t = std::max(c.last_arrival,
                             world_.now_us() + latency(~0u, c.node) + nodes_[c.node]->cpu_burn_us);
  c.last_arrival = t;
  world_.at(t, [this, node = c.node, conn = c.conn, gen = nodes_[c.node]->gen,
                bytes = std::move(bytes)]() mutable {
    Node& n = *nodes_[node];
    if (!n.alive || n.gen != gen) return;
    node_rx(node, conn, std::move(bytes));
  });
}

void SimCluster::client_rx(std::size_t index, std::uint64_t conn_gen, protocol::Bytes bytes) {
  Client& c = *clients_[index];
  if (c.conn_gen != conn_gen || !c.connected) return;
  if (c.stalled) {
    c.unread.push_back(std::move(bytes));
    return;
  }
  c.core->on_bytes(bytes, world_.now_us());
  client_events(index);
  client_flush(index);
}

void SimCluster::client_events(std::size_t index) {
  Client& c = *clients_[index];
  c.core->take_events(events_scratch_);
  for (auto& e : events_scratch_) {
    if (auto* d = std::get_if<client::Delivered>(&e)) {
      world_.trace(8, d->server_msg_id, d->client_msg_id);
      checker_.on_delivered(c.user, d->sender, d->client_msg_id, d->payload, world_.now_us());
      if (c.acks_per_session) {
        if (c.acked_this_session < *c.acks_per_session) {
          ++c.acked_this_session;
          c.core->ack(d->server_msg_id);
        } else {
          c.unacked.push_back({d->sender, d->client_msg_id});
        }
      }
    } else if (auto* done = std::get_if<client::SendDone>(&e)) {
      world_.trace(9, done->client_msg_id, static_cast<std::uint64_t>(done->status));
      if (done->status == protocol::SendStatus::kOk) {
        checker_.on_acked(c.user, done->client_msg_id, world_.now_us());
      }
    } else if (auto* f = std::get_if<client::ProtocolFailure>(&e)) {
      checker_.report("protocol", c.user + "'s client could not decode the node: " + f->what);
    } else if (auto* pr = std::get_if<client::PresenceChanged>(&e)) {
      c.presence.push_back(PresenceSeen{pr->user, pr->state == protocol::PresenceState::kOnline,
                                        pr->last_seen_ms, world_.now_us()});
    } else if (auto* r = std::get_if<client::Redirected>(&e)) {
      for (const auto& n : nodes_) {
        if (n->id == r->node_id) c.redirect = n->index;
      }
    }
  }
}

void SimCluster::client_closed(std::size_t index, std::uint64_t conn_gen) {
  Client& c = *clients_[index];
  if (c.conn_gen != conn_gen) return;
  c.connected = false;
  c.unread.clear();
  end_client_session(c);
  ++c.conn_gen;  // late bytes of the old connection are dropped
  if (c.offline) return;
  if (c.redirect) {
    std::uint32_t home = *c.redirect;
    world_.after(1000, [this, index, home, g = c.conn_gen] {
      if (clients_[index]->conn_gen == g) connect(index, home);
    });
    return;
  }
  schedule_reconnect(index,
                     config_.client_backoff_us / 2 + world_.rng().below(config_.client_backoff_us));
}

void SimCluster::schedule_reconnect(std::size_t index, std::uint64_t delay_us) {
  world_.after(delay_us, [this, index, g = clients_[index]->conn_gen] {
    if (clients_[index]->conn_gen != g) return;
    connect(index, static_cast<std::uint32_t>(world_.rng().below(nodes_.size())));
  });
}

// Node side of a client connection.
void SimCluster::node_rx(std::uint32_t node, ConnId conn, protocol::Bytes bytes) {
  Node& n = *nodes_[node];
  auto it = n.conns.find(conn);
  if (it == n.conns.end() || it->second.closing) return;
  it->second.reader.feed(bytes);
  pump_conn(node, conn);
}

// Frames go to the connection's home shard one by one; when a frame moves the connection (LOGIN
// hands it to the user's home shard), the rest follow as a later event, behind the hand-off.
void SimCluster::pump_conn(std::uint32_t node, ConnId conn) {
  Node& n = *nodes_[node];
  auto it = n.conns.find(conn);
  if (it == n.conns.end()) return;
  const ShardId home = it->second.home;
  EngineScope engine(*this);
  protocol::FrameView frame;
  for (;;) {
    it = n.conns.find(conn);
    if (it == n.conns.end() || it->second.closing) break;
    if (it->second.home != home) {
      world_.after(0, [this, node, conn, gen = n.gen] {
        if (nodes_[node]->alive && nodes_[node]->gen == gen) pump_conn(node, conn);
      });
      break;
    }
    auto st = it->second.reader.next(frame);
    if (st == protocol::FrameReader::State::kNeedMore) break;
    if (st == protocol::FrameReader::State::kError) {
      n.shards[home]->on_stream_error(conn, it->second.reader.error());
      break;
    }
    n.shards[home]->on_frame(conn, frame);
  }
  end_turn(node, home);
}

void SimCluster::node_send(std::uint32_t node, ConnId conn, std::span<const std::uint8_t> bytes) {
  Node& n = *nodes_[node];
  auto it = n.conns.find(conn);
  if (it == n.conns.end() || it->second.closing) return;
  auto& c = it->second;
  std::uint64_t t = std::max(c.last_arrival, world_.now_us() + latency(node, ~0u));
  c.last_arrival = t;
  world_.at(t, [this, client = c.client, cg = c.client_gen,
                data = protocol::Bytes(bytes.begin(), bytes.end())]() mutable {
    client_rx(client, cg, std::move(data));
  });
}

void SimCluster::node_close(std::uint32_t node, ConnId conn) {
  Node& n = *nodes_[node];
  auto it = n.conns.find(conn);
  if (it == n.conns.end() || it->second.closing) return;
  auto& c = it->second;
  c.closing = true;
  std::uint64_t t = std::max(c.last_arrival, world_.now_us() + latency(node, ~0u));
  world_.at(t, [this, client = c.client, cg = c.client_gen] { client_closed(client, cg); });
  // The shard learns of the close after this turn, like the real driver's close callback.
  world_.after(0, [this, node, conn, gen = n.gen] {
    Node& nn = *nodes_[node];
    if (!nn.alive || nn.gen != gen) return;
    auto c2 = nn.conns.find(conn);
    if (c2 == nn.conns.end()) return;
    ShardId home = c2->second.home;
    nn.conns.erase(c2);
    EngineScope engine(*this);
    nn.shards[home]->on_closed(conn);
    end_turn(node, home);
  });
}

}  // namespace iris::sim
