#include "simulator/sim_cluster.h"

#include <algorithm>

#include "engine/peer/peer_codec.h"
#include "engine/peer/peer_message.h"

namespace iris::sim {

using core::ConnId;
using core::ShardId;

// ---------------------------------------------------------------------------------------------
// Per-node state. Everything but the disk (store) dies with the process.

struct SimCluster::Node {
  std::uint32_t index = 0;
  cluster::View view;
  std::unique_ptr<SimStore> store;  // the disk: survives kills
  bool alive = false;
  std::uint64_t gen = 0;  // bumped at every kill: events of a dead incarnation do nothing
  std::uint64_t incarnation = 0;
  std::unique_ptr<cluster::Membership> membership;
  std::vector<std::unique_ptr<ShardStore>> stores;
  std::vector<std::unique_ptr<Env>> envs;
  std::vector<std::unique_ptr<core::Shard>> shards;
  struct Conn {
    std::size_t client = 0;
    std::uint64_t client_gen = 0;  // the client's connection it belongs to
    ShardId home = 0;
    protocol::FrameReader reader;
    std::uint64_t last_arrival = 0;  // node -> client FIFO
    bool closing = false;
  };
  std::unordered_map<ConnId, Conn> conns;
  ConnId next_conn = 0;
  std::uint64_t clog_us = 0;
  std::uint64_t cpu_burn_us = 0;   // CpuBurn: inbound frames and timers wait this much more
  std::uint64_t memory_limit = 0;  // MemoryPressure: per-shard limit, 0 = the config's
};

struct SimCluster::Client {
  std::string user;
  std::unique_ptr<client::ClientCore> core;
  std::uint64_t conn_gen = 0;  // bumped per connection attempt
  std::uint32_t node = 0;
  ConnId conn = 0;  // 0: not accepted yet
  bool connected = false;
  std::optional<std::uint32_t> redirect;
  std::uint64_t last_arrival = 0;  // client -> node FIFO
  bool stalled = false;            // slow consumer: bytes wait unread
  bool offline = false;            // churn: stays disconnected
  bool tick_armed = false;
  std::vector<PresenceSeen> presence;
  std::vector<protocol::Bytes> unread;
};

// A shard's store: the node's SimStore, with every completion followed by the shard's end_turn
// (as the real driver ends a turn after each batch of events).
class SimCluster::ShardStore final : public store::Store {
 public:
  ShardStore(SimCluster& c, std::uint32_t node, ShardId shard)
      : c_(c), node_(node), shard_(shard) {}
  template <typename Done>
  Done wrap(Done done) {
    return [this, done = std::move(done)](auto result) {
      if (done) done(std::move(result));
      c_.end_turn(node_, shard_);
    };
  }
  void append(std::vector<store::StoredMessage> m, store::Completion done) override {
    disk().append(std::move(m), wrap(std::move(done)));
  }
  void remove(std::vector<std::uint64_t> ids, store::Completion done) override {
    disk().remove(std::move(ids), wrap(std::move(done)));
  }
  void load_inbox(std::string r, std::uint64_t after, std::size_t limit,
                  store::LoadCompletion done) override {
    disk().load_inbox(std::move(r), after, limit, wrap(std::move(done)));
  }
  void put_last_seen(std::string u, std::uint64_t ms, store::Completion done) override {
    disk().put_last_seen(std::move(u), ms, wrap(std::move(done)));
  }
  void get_last_seen(std::string u, store::LastSeenCompletion done) override {
    disk().get_last_seen(std::move(u), wrap(std::move(done)));
  }
  Result<std::uint64_t> next_incarnation() override { return disk().next_incarnation(); }
  void flush() override {}
  store::StoreStats stats() const override { return c_.nodes_[node_]->store->stats(); }

 private:
  SimStore& disk() { return *c_.nodes_[node_]->store; }
  SimCluster& c_;
  std::uint32_t node_;
  ShardId shard_;
};

class SimCluster::Env final : public core::ShardEnv {
 public:
  Env(SimCluster& c, std::uint32_t node, ShardId shard) : c_(c), node_(node), shard_(shard) {}
  std::uint64_t now_us() override { return c_.world_.now_us(); }
  std::uint64_t random_u64() override { return c_.world_.rng().next(); }
  void send(ConnId conn, std::span<const std::uint8_t> bytes) override {
    c_.node_send(node_, conn, bytes);
  }
  void close(ConnId conn) override { c_.node_close(node_, conn); }
  void set_home(ConnId conn, ShardId home) override {
    auto& n = *c_.nodes_[node_];
    if (auto it = n.conns.find(conn); it != n.conns.end()) it->second.home = home;
  }
  bool post(ShardId target, core::ShardMessage message) override {
    Node& n = *c_.nodes_[node_];
    auto shared = std::make_shared<core::ShardMessage>(std::move(message));
    c_.world_.after(0, [this, gen = n.gen, target, shared] {
      Node& node = *c_.nodes_[node_];
      if (!node.alive || node.gen != gen) return;
      node.shards[target]->on_message(std::move(*shared));
      c_.end_turn(node_, target);
    });
    return true;
  }
  store::Store& store() override { return *c_.nodes_[node_]->stores[shard_]; }
  const cluster::View* view() override { return &c_.nodes_[node_]->view; }
  bool post_node(cluster::NodeIndex node, core::ShardMessage message) override {
    auto frame = peer::to_peer_frame(std::move(message));
    return frame && c_.send_peer(node_, node, *frame);
  }

 private:
  SimCluster& c_;
  std::uint32_t node_;
  ShardId shard_;
};

// ---------------------------------------------------------------------------------------------

SimCluster::SimCluster(SimConfig config, std::uint64_t seed)
    : config_(std::move(config)), world_(seed) {
  config_.core.insecure_dev_login = true;  // virtual clients log in with their user id
  config_.core.shards = config_.shards_per_node;
  for (std::uint32_t i = 0; i < config_.nodes; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "n%02u", i);  // sortable: member index = node number
    view_.members.push_back(cluster::Member{id, "", ""});
  }
  links_.resize(std::size_t{config_.nodes} * config_.nodes);
  for (std::uint32_t i = 0; i < config_.nodes; ++i) {
    auto n = std::make_unique<Node>();
    n->index = i;
    n->view = view_;
    n->view.self = static_cast<cluster::NodeIndex>(i);
    if (i < config_.epochs.size()) n->view.epoch = config_.epochs[i];
    n->store = std::make_unique<SimStore>(world_);
    nodes_.push_back(std::move(n));
  }
  for (std::uint32_t i = 0; i < config_.nodes; ++i) start_node(i);
}

SimCluster::~SimCluster() = default;

SimStore& SimCluster::disk(std::uint32_t node) {
  return *nodes_.at(node)->store;
}

bool SimCluster::node_alive(std::uint32_t node) const {
  return nodes_.at(node)->alive;
}
const std::string& SimCluster::node_id(std::uint32_t node) const {
  return view_.members.at(node).id;
}

std::uint64_t SimCluster::latency(std::uint32_t from, std::uint32_t to) {
  std::uint64_t l = config_.net_latency_us +
                    (config_.net_jitter_us ? world_.rng().below(config_.net_jitter_us + 1) : 0);
  if (from < nodes_.size()) l += nodes_[from]->clog_us;
  if (to < nodes_.size()) l += nodes_[to]->clog_us;
  return l;
}

SimCluster::Link& SimCluster::link(std::uint32_t a, std::uint32_t b) {
  if (a > b) std::swap(a, b);
  return links_[std::size_t{a} * config_.nodes + b];
}

bool SimCluster::blocked(std::uint32_t from, std::uint32_t to) const {
  return cut_.count({from, to}) != 0;
}

void SimCluster::end_turn(std::uint32_t node, ShardId shard) {
  Node& n = *nodes_[node];
  if (n.alive && shard < n.shards.size()) n.shards[shard]->end_turn();
}

// ---------------------------------------------------------------------------------------------
// Node life

void SimCluster::start_node(std::uint32_t i) {
  Node& n = *nodes_[i];
  n.alive = true;
  n.incarnation = n.store->next_incarnation().value();
  core::CoreConfig cfg = config_.core;
  cfg.node_id = view_.members[i].id;
  for (ShardId s = 0; s < config_.shards_per_node; ++s) {
    n.stores.push_back(std::make_unique<ShardStore>(*this, i, s));
    n.envs.push_back(std::make_unique<Env>(*this, i, s));
    n.shards.push_back(std::make_unique<core::Shard>(s, cfg, n.incarnation, *n.envs.back()));
    if (n.memory_limit) n.shards.back()->set_memory_limit(n.memory_limit);
  }
  n.membership = std::make_unique<cluster::Membership>(n.view, config_.membership,
                                                       world_.rng().next(), world_.now_us());
  world_.trace(1, i, n.incarnation);
  world_.after(0, [this, i, gen = n.gen] { tick_node(i, gen); });
}

void SimCluster::kill_node(std::uint32_t i) {
  Node& n = *nodes_[i];
  if (!n.alive) return;
  world_.trace(2, i);
  n.alive = false;
  ++n.gen;
  n.store->crash();                  // first: no completion may reach the shards destroyed below
  for (auto& [conn, c] : n.conns) {  // the kernel resets every socket of a dead process
    std::size_t client = c.client;
    std::uint64_t cg = c.client_gen;
    world_.after(latency(i, ~0u), [this, client, cg] { client_closed(client, cg); });
  }
  n.conns.clear();
  n.shards.clear();
  n.envs.clear();
  n.stores.clear();
  n.membership.reset();
  for (std::uint32_t j = 0; j < nodes_.size(); ++j) {
    if (j == i) continue;
    Link& l = link(i, j);
    if (!l.up) continue;
    l.up = false;
    ++l.gen;
    world_.after(latency(i, j), [this, j, i, g = nodes_[j]->gen] {
      Node& peer = *nodes_[j];
      if (!peer.alive || peer.gen != g) return;
      peer.membership->on_link_down(static_cast<cluster::NodeIndex>(i), world_.now_us());
      run_actions(j);
    });
  }
}

void SimCluster::tick_node(std::uint32_t i, std::uint64_t gen) {
  Node& n = *nodes_[i];
  if (!n.alive || n.gen != gen) return;
  for (ShardId s = 0; s < n.shards.size(); ++s) {
    n.shards[s]->on_tick();
    n.shards[s]->end_turn();
  }
  n.membership->on_tick(world_.now_us());
  run_actions(i);
  world_.after(config_.tick_us + n.cpu_burn_us, [this, i, gen] { tick_node(i, gen); });
}

void SimCluster::run_actions(std::uint32_t i) {
  Node& n = *nodes_[i];
  if (!n.alive) return;
  for (auto& action : n.membership->take_actions()) {
    if (auto* d = std::get_if<cluster::Dial>(&action)) {
      dial(i, d->peer);
    } else if (auto* c = std::get_if<cluster::CloseLink>(&action)) {
      close_link(i, c->peer, false);
    } else if (auto* hb = std::get_if<cluster::SendHeartbeat>(&action)) {
      send_peer(i, hb->peer, hb->hb);
    } else if (auto* ack = std::get_if<cluster::SendHeartbeatAck>(&action)) {
      send_peer(i, ack->peer, ack->ack);
    } else if (auto* st = std::get_if<cluster::StatusChanged>(&action)) {
      world_.trace(3, i, st->peer, st->up);
      for (ShardId s = 0; s < n.shards.size(); ++s) {
        n.envs[s]->post(s, core::PeerStatus{st->peer, st->up});
      }
    }
  }
}

// A dial: a TCP handshake needs both directions; a dead peer refuses at once, a cut one times out.
void SimCluster::dial(std::uint32_t from, std::uint32_t to) {
  std::uint64_t rtt = latency(from, to) + latency(to, from);
  const bool reachable = !blocked(from, to) && !blocked(to, from);
  const bool refused = !nodes_[to]->alive;
  std::uint64_t t = reachable ? rtt : config_.connect_timeout_us;
  world_.after(t, [this, from, to, gf = nodes_[from]->gen, reachable, refused] {
    Node& a = *nodes_[from];
    if (!a.alive || a.gen != gf) return;
    Node& b = *nodes_[to];
    if (!reachable || refused || !b.alive || blocked(from, to) || blocked(to, from)) {
      a.membership->on_link_down(static_cast<cluster::NodeIndex>(to), world_.now_us());
      run_actions(from);
      return;
    }
    Link& l = link(from, to);
    ++l.gen;  // a new link replaces any old one
    l.up = true;
    l.broken = false;
    l.last_arrival[0] = l.last_arrival[1] = 0;
    world_.trace(4, from, to, l.gen);
    a.membership->on_link_up(static_cast<cluster::NodeIndex>(to), world_.now_us());
    b.membership->on_link_up(static_cast<cluster::NodeIndex>(from), world_.now_us());
    run_actions(from);
    run_actions(to);
  });
}

void SimCluster::close_link(std::uint32_t from, std::uint32_t to, bool notify_from) {
  Link& l = link(from, to);
  if (l.up) {
    l.up = false;
    ++l.gen;
    world_.trace(5, from, to, l.gen);
    // The other side sees the reset when it gets through (a cut link: only by its own timeout).
    if (!blocked(from, to)) {
      world_.after(latency(from, to), [this, from, to, g = nodes_[to]->gen] {
        Node& peer = *nodes_[to];
        if (!peer.alive || peer.gen != g) return;
        peer.membership->on_link_down(static_cast<cluster::NodeIndex>(from), world_.now_us());
        run_actions(to);
      });
    }
  }
  if (notify_from) {
    nodes_[from]->membership->on_link_down(static_cast<cluster::NodeIndex>(to), world_.now_us());
    run_actions(from);
  }
}

bool SimCluster::send_peer(std::uint32_t from, std::uint32_t to, const peer::PeerFrame& frame) {
  if (from == to || to >= nodes_.size()) return false;
  Link& l = link(from, to);
  if (!l.up || !nodes_[from]->alive) return false;
  if (link_loss_ > 0 && world_.rng().chance(link_loss_)) {
    // Loss on a TCP link shows as a reset: the frame and the link are gone, both sides learn it.
    l.broken = true;  // nothing more gets through this link
    world_.after(0, [this, from, to, gen = l.gen, g = nodes_[from]->gen] {
      if (link(from, to).gen != gen || !nodes_[from]->alive || nodes_[from]->gen != g) return;
      close_link(from, to, true);
    });
    return true;  // written into a socket that then failed: the sender finds out from the reset
  }
  auto bytes = std::make_shared<protocol::Bytes>();
  peer::encode_peer(*bytes, frame);
  std::uint64_t& last = l.last_arrival[from < to ? 0 : 1];
  std::uint64_t t = std::max(last, world_.now_us() + latency(from, to) + nodes_[to]->cpu_burn_us);
  last = t;
  world_.at(t, [this, from, to, gen = l.gen, bytes] { deliver_peer(to, from, gen, *bytes); });
  return true;
}

void SimCluster::deliver_peer(std::uint32_t to, std::uint32_t from, std::uint64_t gen,
                              const protocol::Bytes& bytes) {
  Link& l = link(from, to);
  if (l.gen != gen || l.broken) return;
  if (blocked(from, to)) {
    l.broken = true;  // TCP would stall here: nothing later on this link gets through either
    return;
  }
  Node& n = *nodes_[to];
  if (!n.alive) return;
  auto decoded = peer::decode_peer(std::span<const std::uint8_t>(bytes));
  if (!decoded) {  // cannot happen between correct codecs: a checker-visible failure
    checker_.on_delivered("#peer-codec", decoded.status().message(), 0, "", world_.now_us());
    return;
  }
  const std::uint64_t now = world_.now_us();
  const auto peer = static_cast<cluster::NodeIndex>(from);
  world_.trace(6, from, to, decoded->index());
  if (auto* hb = std::get_if<cluster::Heartbeat>(&*decoded)) {
    n.membership->on_heartbeat(peer, *hb, now);
  } else if (auto* ack = std::get_if<cluster::HeartbeatAck>(&*decoded)) {
    n.membership->on_heartbeat_ack(peer, *ack, now);
  } else if (std::holds_alternative<peer::PeerHello>(*decoded)) {
    n.membership->on_frame(peer, now);
  } else {
    n.membership->on_frame(peer, now);
    if (auto m = peer::to_shard_message(std::move(*decoded), peer)) {
      ShardId s = core::shard_for_peer_message(*m, n.view, config_.shards_per_node);
      n.shards[s]->on_message(std::move(*m));
      end_turn(to, s);
    }
  }
  run_actions(to);
}

// ---------------------------------------------------------------------------------------------
// Clients

void SimCluster::add_client(const std::string& user) {
  auto c = std::make_unique<Client>();
  c->user = user;
  client::ClientOptions o;
  o.token = user;
  o.client_name = "sim";
  o.max_pending_sends = 1024;
  c->core = std::make_unique<client::ClientCore>(o, world_.now_us());
  std::size_t index = clients_.size();
  client_of_[user] = index;
  clients_.push_back(std::move(c));
  connect(index, static_cast<std::uint32_t>(world_.rng().below(nodes_.size())));
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

const std::vector<SimCluster::PresenceSeen>& SimCluster::presence_seen(
    const std::string& user) const {
  static const std::vector<PresenceSeen> kNone;
  auto it = client_of_.find(user);
  return it == client_of_.end() ? kNone : clients_[it->second]->presence;
}

std::uint64_t SimCluster::send(const std::string& from, const std::string& to,
                               const std::string& payload) {
  auto it = client_of_.find(from);
  if (it == client_of_.end()) return 0;
  Client& c = *clients_[it->second];
  std::uint64_t id = c.core->send(to, payload, world_.now_us());
  if (id == 0) return 0;
  checker_.on_send(from, to, id, payload, world_.now_us());
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
                   n.shards[home]->on_closed(conn);
                   end_turn(node, home);
                 });
  }
  ++c.conn_gen;
  c.connected = false;
  c.conn = 0;
  c.unread.clear();
  c.core->on_disconnected();
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
  auto bytes = std::make_shared<protocol::Bytes>(c.core->take_output());
  std::uint64_t t = std::max(c.last_arrival,
                             world_.now_us() + latency(~0u, c.node) + nodes_[c.node]->cpu_burn_us);
  c.last_arrival = t;
  world_.at(t, [this, node = c.node, conn = c.conn, gen = nodes_[c.node]->gen, bytes] {
    Node& n = *nodes_[node];
    if (!n.alive || n.gen != gen) return;
    node_rx(node, conn, std::move(*bytes));
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
  for (auto& e : c.core->take_events()) {
    if (auto* d = std::get_if<client::Delivered>(&e)) {
      world_.trace(8, d->server_msg_id, d->client_msg_id);
      checker_.on_delivered(c.user, d->sender, d->client_msg_id, d->payload, world_.now_us());
    } else if (auto* done = std::get_if<client::SendDone>(&e)) {
      world_.trace(9, done->client_msg_id, static_cast<std::uint64_t>(done->status));
      if (done->status == protocol::SendStatus::kOk) {
        checker_.on_acked(c.user, done->client_msg_id, world_.now_us());
      }
    } else if (auto* pr = std::get_if<client::PresenceChanged>(&e)) {
      c.presence.push_back(PresenceSeen{pr->user, pr->state == protocol::PresenceState::kOnline,
                                        pr->last_seen_ms, world_.now_us()});
    } else if (auto* r = std::get_if<client::Redirected>(&e)) {
      auto home = view_.index_of(r->node_id);
      if (home != cluster::kLocalNode) c.redirect = home;
    }
  }
}

void SimCluster::client_closed(std::size_t index, std::uint64_t conn_gen) {
  Client& c = *clients_[index];
  if (c.conn_gen != conn_gen) return;
  c.connected = false;
  c.unread.clear();
  c.core->on_disconnected();
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
    nn.shards[home]->on_closed(conn);
    end_turn(node, home);
  });
}

// ---------------------------------------------------------------------------------------------
// Faults

void SimCluster::schedule(std::uint64_t at_us, Fault fault) {
  world_.at(at_us, [this, f = std::move(fault)] { apply(f); });
}

void SimCluster::apply(const Fault& fault) {
  fault_log_.push_back(std::to_string(world_.now_us() - World::kEpochUs) +
                       " us: " + describe(fault));
  world_.trace(10, fault.index());
  auto cut = [this](std::uint32_t a, std::uint32_t b) {
    if (a != b && a < nodes_.size() && b < nodes_.size()) cut_.insert({a, b});
  };
  if (auto* k = std::get_if<KillNode>(&fault)) {
    if (k->node < nodes_.size()) kill_node(k->node);
  } else if (auto* r = std::get_if<RestartNode>(&fault)) {
    if (r->node < nodes_.size() && !nodes_[r->node]->alive) start_node(r->node);
  } else if (auto* p = std::get_if<Partition>(&fault)) {
    for (auto a : p->side_a) {
      for (auto b : p->side_b) {
        cut(a, b);
        if (!p->one_way) cut(b, a);
      }
    }
  } else if (std::holds_alternative<Heal>(fault)) {
    cut_.clear();
  } else if (auto* c = std::get_if<ClogNode>(&fault)) {
    if (c->node < nodes_.size()) nodes_[c->node]->clog_us = c->extra_us;
  } else if (auto* d = std::get_if<SlowDisk>(&fault)) {
    if (d->node < nodes_.size()) {
      nodes_[d->node]->store->faults().latency_us =
          d->latency_us ? d->latency_us : DiskFaults{}.latency_us;
    }
  } else if (auto* s = std::get_if<StallDisk>(&fault)) {
    if (s->node < nodes_.size()) {
      nodes_[s->node]->store->faults().stall_until_us = world_.now_us() + s->duration_us;
    }
  } else if (auto* f = std::get_if<DiskFull>(&fault)) {
    if (f->node < nodes_.size()) {
      auto& disk = *nodes_[f->node]->store;
      disk.faults().capacity_bytes = f->full ? std::max<std::uint64_t>(disk.used_bytes(), 1) : 0;
    }
  } else if (auto* e = std::get_if<DiskErrors>(&fault)) {
    if (e->node < nodes_.size()) nodes_[e->node]->store->faults().write_errors = e->on;
  } else if (auto* sc = std::get_if<SlowConsumer>(&fault)) {
    auto it = client_of_.find(sc->user);
    if (it != client_of_.end()) {
      Client& cl = *clients_[it->second];
      cl.stalled = sc->stalled;
      if (!cl.stalled) {
        auto unread = std::move(cl.unread);
        cl.unread.clear();
        for (auto& b : unread) client_rx(it->second, cl.conn_gen, std::move(b));
      }
    }
  } else if (auto* burn = std::get_if<CpuBurn>(&fault)) {
    if (burn->node < nodes_.size()) nodes_[burn->node]->cpu_burn_us = burn->delay_us;
  } else if (auto* mp = std::get_if<MemoryPressure>(&fault)) {
    if (mp->node < nodes_.size()) {
      Node& n = *nodes_[mp->node];
      n.memory_limit = mp->shard_bytes;
      for (auto& sh : n.shards) {
        sh->set_memory_limit(mp->shard_bytes ? mp->shard_bytes : config_.core.shard_memory_limit);
      }
    }
  } else if (auto* loss = std::get_if<LossyLinks>(&fault)) {
    link_loss_ = loss->probability;
  } else if (std::holds_alternative<RecoverAll>(fault)) {
    cut_.clear();
    link_loss_ = 0;
    for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
      nodes_[i]->clog_us = 0;
      nodes_[i]->cpu_burn_us = 0;
      if (nodes_[i]->memory_limit) apply(MemoryPressure{i, 0});
      nodes_[i]->store->faults() = DiskFaults{};
      if (!nodes_[i]->alive) start_node(i);
    }
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      if (clients_[i]->stalled) apply(SlowConsumer{clients_[i]->user, false});
      if (clients_[i]->offline) set_online(clients_[i]->user, true);
    }
  }
}

namespace {
std::string node_list(const std::vector<std::uint32_t>& v) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "}";
}
struct Describe {
  std::string operator()(const KillNode& f) { return "KillNode " + std::to_string(f.node); }
  std::string operator()(const RestartNode& f) { return "RestartNode " + std::to_string(f.node); }
  std::string operator()(const Partition& f) {
    return std::string(f.one_way ? "Partition one-way " : "Partition ") + node_list(f.side_a) +
           (f.one_way ? " -> " : " | ") + node_list(f.side_b);
  }
  std::string operator()(const Heal&) { return "Heal"; }
  std::string operator()(const ClogNode& f) {
    return "ClogNode " + std::to_string(f.node) + " +" + std::to_string(f.extra_us) + " us";
  }
  std::string operator()(const SlowDisk& f) {
    return "SlowDisk " + std::to_string(f.node) + " " + std::to_string(f.latency_us) + " us";
  }
  std::string operator()(const StallDisk& f) {
    return "StallDisk " + std::to_string(f.node) + " " + std::to_string(f.duration_us) + " us";
  }
  std::string operator()(const DiskFull& f) {
    return std::string(f.full ? "DiskFull " : "DiskSpace ") + std::to_string(f.node);
  }
  std::string operator()(const DiskErrors& f) {
    return std::string(f.on ? "DiskErrors " : "DiskHealthy ") + std::to_string(f.node);
  }
  std::string operator()(const SlowConsumer& f) {
    return std::string(f.stalled ? "SlowConsumer " : "ReadsAgain ") + f.user;
  }
  std::string operator()(const CpuBurn& f) {
    return "CpuBurn " + std::to_string(f.node) + " +" + std::to_string(f.delay_us) + " us";
  }
  std::string operator()(const MemoryPressure& f) {
    return "MemoryPressure " + std::to_string(f.node) + " " + std::to_string(f.shard_bytes) +
           " B/shard";
  }
  std::string operator()(const LossyLinks& f) {
    return "LossyLinks p=" + std::to_string(f.probability);
  }
  std::string operator()(const RecoverAll&) { return "RecoverAll"; }
};
}  // namespace

std::string describe(const Fault& fault) {
  return std::visit(Describe{}, fault);
}

// ---------------------------------------------------------------------------------------------
// Observation

bool SimCluster::settled() const {
  if (checker_.undelivered_acked() != 0) return false;
  for (const auto& c : clients_) {
    if (c->core->pending_sends() != 0) return false;
  }
  return true;
}

std::vector<std::string> SimCluster::users_online_twice() const {
  std::unordered_map<std::string, int> online;
  for (const auto& n : nodes_) {
    if (!n->alive) continue;
    for (const auto& s : n->shards) {
      s->for_each_user([&](const std::string& user, const core::Shard::UserBrief& b) {
        if (b.online) ++online[user];
      });
    }
  }
  std::vector<std::string> twice;
  for (const auto& [user, count] : online) {
    if (count > 1) twice.push_back(user);
  }
  std::sort(twice.begin(), twice.end());
  return twice;
}

std::uint64_t SimCluster::stored_rows() const {
  std::uint64_t rows = 0;
  for (const auto& n : nodes_) rows += n->store->stats().messages;
  return rows;
}

ClusterSnapshot SimCluster::snapshot() const {
  ClusterSnapshot s;
  s.now_us = world_.now_us();
  s.seed = world_.seed();
  for (const auto& n : nodes_) {
    NodeSnapshot ns;
    ns.id = view_.members[n->index].id;
    ns.alive = n->alive;
    ns.incarnation = n->incarnation;
    ns.store_rows = n->store->stats().messages;
    ns.store_bytes = n->store->used_bytes();
    if (n->alive) {
      for (const auto& sh : n->shards) {
        const auto& m = sh->metrics();
        ShardSnapshot ss;
        ss.id = sh->id();
        ss.sessions = static_cast<std::uint64_t>(m.sessions.get());
        ss.users = static_cast<std::uint64_t>(m.users.get());
        ss.inbox_messages = static_cast<std::uint64_t>(m.inbox_messages.get());
        ss.memory_bytes = static_cast<std::uint64_t>(m.memory_bytes.get());
        ss.sends_accepted = m.sends_accepted.get();
        ss.delivered = m.delivered.get();
        sh->for_each_user([&](const std::string& user, const core::Shard::UserBrief& b) {
          if (b.buckets > 1) ss.hot_users.push_back({user, b.buckets, b.inbox});
        });
        std::sort(ss.hot_users.begin(), ss.hot_users.end(),
                  [](const auto& a, const auto& b) { return a.user < b.user; });
        ns.shards.push_back(std::move(ss));
        ns.sessions += static_cast<std::uint64_t>(m.sessions.get());
        ns.users += static_cast<std::uint64_t>(m.users.get());
        ns.inbox_messages += static_cast<std::uint64_t>(m.inbox_messages.get());
        ns.memory_bytes += static_cast<std::uint64_t>(m.memory_bytes.get());
        ns.sends_accepted += m.sends_accepted.get();
        ns.delivered += m.delivered.get();
        ns.forwarded += m.forwarded.get();
        ns.handoff_queued += m.handoff_queued.get();
        ns.refused_store += m.send_rejected_store.get();
        ns.refused_retry_later += m.send_rejected_retry_later.get();
        ns.hot_promotions += m.hot_promotions.get();
        ns.bucketed_messages += m.bucketed_messages.get();
        ns.routes_fenced += m.routes_fenced.get();
      }
      ns.peers = n->membership->peers();
    }
    s.nodes.push_back(std::move(ns));
  }
  s.sent = checker_.sent();
  s.acked = checker_.acked();
  s.delivered = checker_.delivered();
  s.violations = checker_.violations().size();
  // Faults in force now (what RecoverAll would undo).
  for (const auto& n : nodes_) {
    const std::string id = view_.members[n->index].id;
    const auto& d = n->store->faults();
    if (!n->alive) s.active_faults.push_back("KillNode " + id);
    if (n->clog_us)
      s.active_faults.push_back("ClogNode " + id + " +" + std::to_string(n->clog_us) + " us");
    if (n->cpu_burn_us)
      s.active_faults.push_back("CpuBurn " + id + " +" + std::to_string(n->cpu_burn_us) + " us");
    if (n->memory_limit)
      s.active_faults.push_back("MemoryPressure " + id + " " + std::to_string(n->memory_limit) +
                                " B/shard");
    if (d.write_errors) s.active_faults.push_back("DiskErrors " + id);
    if (d.capacity_bytes) s.active_faults.push_back("DiskFull " + id);
    if (d.latency_us != DiskFaults{}.latency_us)
      s.active_faults.push_back("SlowDisk " + id + " " + std::to_string(d.latency_us) + " us");
    if (d.stall_until_us > world_.now_us()) s.active_faults.push_back("StallDisk " + id);
  }
  for (const auto& [a, b] : cut_) {
    s.active_faults.push_back("cut " + view_.members[a].id + " -> " + view_.members[b].id);
  }
  if (link_loss_ > 0) s.active_faults.push_back("LossyLinks p=" + std::to_string(link_loss_));
  for (const auto& c : clients_) {
    if (c->stalled) s.active_faults.push_back("SlowConsumer " + c->user);
  }
  return s;
}

}  // namespace iris::sim
