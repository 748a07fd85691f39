#include "simulator/sim_cluster.h"

#include <algorithm>

#include "simulator/sim_cluster_state.h"

namespace iris::sim {

// ---------------------------------------------------------------------------------------------

SimCluster::SimCluster(SimConfig config, std::uint64_t seed)
    : config_(std::move(config)), world_(seed) {
  config_.core.insecure_dev_login = true;  // virtual clients log in with their user id
  config_.core.shards = config_.shards_per_node;
  config_.reconfig.shards = config_.shards_per_node;
  cluster::View initial;
  for (std::uint32_t i = 0; i < config_.nodes; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "n%02u", i);  // sortable: member index = node number
    initial.members.push_back(cluster::Member{id, "", ""});
  }
  latest_view_ = initial;
  link_stride_ = config_.nodes;
  links_.resize(link_stride_ * link_stride_);
  for (std::uint32_t i = 0; i < config_.nodes; ++i) {
    auto n = std::make_unique<Node>();
    n->index = i;
    n->id = initial.members[i].id;
    n->record.view = initial;
    n->record.view.self = static_cast<cluster::NodeIndex>(i);
    if (i < config_.epochs.size()) n->record.view.epoch = config_.epochs[i];
    n->store = std::make_unique<SimStore>(world_);
    nodes_.push_back(std::move(n));
  }
  for (std::uint32_t i = 0; i < config_.nodes; ++i) start_node(i);
}

std::uint32_t SimCluster::owner_of(const std::string& user) const {
  const cluster::NodeIndex o = latest_view_.owner_of(user);
  return o == cluster::kLocalNode ? 0 : o;
}

const cluster::Reconfig* SimCluster::reconfig(std::uint32_t node) const {
  const Node& n = *nodes_.at(node);
  return n.alive ? n.reconfig.get() : nullptr;
}

bool SimCluster::reconfig_settled() const {
  for (const auto& n : nodes_) {
    if (n->left) continue;
    if (!n->alive) return false;
    const auto& r = n->reconfig->record();
    if (r.view.epoch != latest_view_.epoch || r.prepared ||
        r.handed_over_epoch < r.view.epoch) {
      return false;
    }
    const auto state = r.view.members[r.view.self].state;
    if (state == cluster::MemberState::kJoining || state == cluster::MemberState::kLeaving) {
      return false;
    }
  }
  return true;
}

void SimCluster::note_view(const cluster::View& v) {
  if (v.epoch > latest_view_.epoch) {
    latest_view_ = v;
    for (std::size_t m = 0; m < v.size(); ++m) {
      if (m >= nodes_.size() || nodes_[m]->id != v.members[m].id) {
        checker_.report("protocol", "member " + v.members[m].id + " at place " +
                                        std::to_string(m) + " is not node " + std::to_string(m));
      }
    }
  }
  start_pending_join();
}

void SimCluster::start_pending_join() {
  if (pending_joins_ == 0) return;
  for (const auto& n : nodes_) {
    if (n->record.view.epoch == 0 && !n->left) return;  // still joining: its place comes first
  }
  if (latest_view_.size() != nodes_.size()) return;  // a joiner is in no view yet
  --pending_joins_;
  add_node();
}

SimCluster::~SimCluster() = default;

SimStore& SimCluster::disk(std::uint32_t node) {
  return *nodes_.at(node)->store;
}

bool SimCluster::node_alive(std::uint32_t node) const {
  return nodes_.at(node)->alive;
}
std::string SimCluster::node_id(std::uint32_t node) const {
  return nodes_.at(node)->id;
}

std::optional<double> SimCluster::engine_seconds() const {
  if (!config_.measure_engine_time) return std::nullopt;
  return static_cast<double>(engine_ns_) / 1e9;
}

std::uint64_t SimCluster::latency(std::uint32_t from, std::uint32_t to) {
  std::uint64_t l = config_.net_latency_us +
                    (config_.net_jitter_us ? world_.rng().below(config_.net_jitter_us + 1) : 0);
  auto region = [this](std::uint32_t node) {
    return node < config_.regions.size() ? config_.regions[node] : 0u;
  };
  if (from < nodes_.size() && to < nodes_.size() && region(from) != region(to)) {
    l += config_.wan_latency_us;
  }
  if (from < nodes_.size()) l += nodes_[from]->clog_us;
  if (to < nodes_.size()) l += nodes_[to]->clog_us;
  if (!degraded_.empty()) {
    if (auto it = degraded_.find({from, to}); it != degraded_.end()) l += it->second.extra_us;
  }
  return l;
}

SimCluster::Link& SimCluster::link(std::uint32_t a, std::uint32_t b) {
  if (a > b) std::swap(a, b);
  return links_[std::size_t{a} * link_stride_ + b];
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
  n.view = n.record.view;
  core::CoreConfig cfg = config_.core;
  cfg.node_id = n.id;
  for (ShardId s = 0; s < config_.shards_per_node; ++s) {
    n.stores.push_back(std::make_unique<ShardStore>(*this, i, s));
    n.envs.push_back(std::make_unique<Env>(*this, i, s));
    n.shards.push_back(std::make_unique<core::Shard>(s, cfg, n.incarnation, *n.envs.back()));
    if (n.memory_limit) n.shards.back()->set_memory_limit(n.memory_limit);
  }
  n.membership = std::make_unique<cluster::Membership>(n.view, config_.membership,
                                                       world_.rng().next(), world_.now_us());
  n.reconfig = std::make_unique<cluster::Reconfig>(
      n.record, config_.reconfig,
      [this, i](cluster::NodeIndex peer) {
        return nodes_[i]->membership && nodes_[i]->membership->is_up(peer);
      },
      world_.rng().next(), world_.now_us());
  n.reconfig->start(world_.now_us());
  // What start() asks of the shards (the view before the current one, a proposal still prepared)
  // reaches them before anything else does.
  {
    EngineScope engine(*this);
    for (auto& a : n.reconfig->take_actions()) {
      if (auto e = core::shard_event_of(a)) {
        for (auto& sh : n.shards) sh->on_message(*e);
      } else if (auto* p = std::get_if<cluster::PersistView>(&a)) {
        n.record = p->record;
      }
    }
    for (ShardId s = 0; s < n.shards.size(); ++s) end_turn(i, s);
  }
  n.membership->set_handover_epoch(n.reconfig->handed_over_epoch());
  world_.trace(1, i, n.incarnation);
  world_.after(0, [this, i, gen = n.gen] { tick_node(i, gen); });
}

// A new node: its own id, an empty disk and no view; it asks a member to add it (try_join), then
// activates itself once every member sees it (Reconfig).
std::uint32_t SimCluster::add_node() {
  const auto i = static_cast<std::uint32_t>(nodes_.size());
  if (i + 1 > link_stride_) {  // grow the link matrix, keeping every link's state
    const std::size_t stride = std::max<std::size_t>(link_stride_ * 2, i + 1);
    std::vector<Link> grown(stride * stride);
    for (std::size_t a = 0; a < link_stride_; ++a) {
      for (std::size_t b = 0; b < link_stride_; ++b) {
        grown[a * stride + b] = links_[a * link_stride_ + b];
      }
    }
    links_ = std::move(grown);
    link_stride_ = stride;
  }
  auto n = std::make_unique<Node>();
  n->index = i;
  char id[16];
  std::snprintf(id, sizeof id, "n%02u", i);
  n->id = id;
  n->record.view.epoch = 0;
  n->record.view.members.push_back(cluster::Member{id, "", "", cluster::MemberState::kJoining});
  n->record.view.self = 0;
  n->store = std::make_unique<SimStore>(world_);
  nodes_.push_back(std::move(n));
  world_.trace(12, i);
  start_node(i);
  return i;
}

// A joining node with no view yet dials a live member and sends JOIN_REQUEST (again each second
// until a view arrives: the member may be busy with another change).
void SimCluster::try_join(std::uint32_t i) {
  Node& n = *nodes_[i];
  if (n.reconfig->joined() || world_.now_us() < n.next_join_try_us) return;
  n.next_join_try_us = world_.now_us() + 1'000'000;
  std::vector<std::uint32_t> members;
  for (const auto& m : nodes_) {
    if (m->alive && m->index != i && m->reconfig->joined() &&
        m->record.view.members[m->record.view.self].state == cluster::MemberState::kActive) {
      members.push_back(m->index);
    }
  }
  if (members.empty()) return;
  dial(i, members[world_.rng().below(members.size())]);
}

// An operator asks node i to leave (through i itself, or any live member if i is down).
void SimCluster::leave_node(std::uint32_t i) {
  std::uint32_t via = i;
  if (!nodes_[i]->alive) {
    for (const auto& m : nodes_) {
      if (m->alive && m->reconfig->joined()) {
        via = m->index;
        break;
      }
    }
  }
  Node& n = *nodes_[via];
  const std::string what = "leave " + nodes_[i]->id;
  if (!n.alive) {
    view_changes_.push_back({world_.now_us(), 0, false, what, "no live member to ask"});
    return;
  }
  auto r = n.reconfig->request_leave(nodes_[i]->id, world_.now_us());
  if (!r) view_changes_.push_back({world_.now_us(), 0, false, what, r.status().message()});
  run_actions(via);
}

void SimCluster::view_event(std::uint32_t i, core::ViewEvent event) {
  Node& n = *nodes_[i];
  for (ShardId s = 0; s < n.shards.size(); ++s) n.envs[s]->post(s, event);
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

// A graceful restart, as SIGTERM does on a real node: refuse new messages and persist everything,
// let the disk finish, BYE every session, stop; start again after down_us.
void SimCluster::drain_node(std::uint32_t i, std::uint64_t down_us) {
  Node& n = *nodes_[i];
  if (!n.alive) return;
  world_.trace(3, i);
  {
    EngineScope engine(*this);
    for (ShardId s = 0; s < n.shards.size(); ++s) {
      n.shards[s]->begin_drain();
      n.shards[s]->end_turn();
    }
  }
  constexpr std::uint64_t kDrainUs = 500'000;  // the disk's pending writes complete meanwhile
  world_.after(kDrainUs, [this, i, down_us, gen = n.gen] {
    Node& node = *nodes_[i];
    if (!node.alive || node.gen != gen) return;
    {
      EngineScope engine(*this);
      for (ShardId s = 0; s < node.shards.size(); ++s) {
        node.shards[s]->finish_drain();
        node.shards[s]->end_turn();
      }
    }
    world_.after(50'000, [this, i, down_us, gen] {
      if (!nodes_[i]->alive || nodes_[i]->gen != gen) return;
      kill_node(i);  // the process exits; nothing it acknowledged is unwritten
      world_.after(down_us, [this, i] {
        if (!nodes_[i]->alive) start_node(i);
      });
    });
  });
}

void SimCluster::tick_node(std::uint32_t i, std::uint64_t gen) {
  Node& n = *nodes_[i];
  if (!n.alive || n.gen != gen) return;
  EngineScope engine(*this);
  for (ShardId s = 0; s < n.shards.size(); ++s) {
    n.shards[s]->on_tick();
    n.shards[s]->end_turn();
  }
  n.membership->on_tick(world_.now_us());
  n.reconfig->on_tick(world_.now_us());
  try_join(i);
  run_actions(i);
  world_.after(config_.tick_us + n.cpu_burn_us, [this, i, gen] { tick_node(i, gen); });
}

void SimCluster::run_actions(std::uint32_t i) {
  Node& n = *nodes_[i];
  for (bool more = true; more && n.alive;) {
    more = false;
  for (auto& action : n.reconfig->take_actions()) {
    more = true;
    if (auto* f = std::get_if<cluster::SendViewFrame>(&action)) {
      std::visit([&](auto& frame) { send_peer(i, f->peer, peer::PeerFrame(std::move(frame))); },
                 f->frame);
    } else if (auto* p = std::get_if<cluster::PersistView>(&action)) {
      n.record = std::move(p->record);
    } else if (auto* fz = std::get_if<cluster::FreezeShards>(&action)) {
      world_.trace(13, i, fz->proposal->epoch);
      view_event(i, *core::shard_event_of(action));
    } else if (auto* t = std::get_if<cluster::ThawShards>(&action)) {
      world_.trace(14, i, t->epoch);
      view_event(i, *core::shard_event_of(action));
    } else if (auto* c = std::get_if<cluster::CommitShards>(&action)) {
      world_.trace(15, i, c->view->epoch);
      n.view = *c->view;
      note_view(*c->view);
      n.membership->set_view(*c->view, world_.now_us());
      view_event(i, *core::shard_event_of(action));
    } else if (std::holds_alternative<cluster::HandoverDone>(action)) {
      view_event(i, *core::shard_event_of(action));
    } else if (auto* d = std::get_if<cluster::ChangeDecided>(&action)) {
      world_.trace(16, i, d->epoch, d->committed);
      view_changes_.push_back({world_.now_us(), d->epoch, d->committed, d->what, d->reason});
    } else if (std::holds_alternative<cluster::LeftCluster>(action)) {
      world_.after(0, [this, i, gen = n.gen] {
        Node& node = *nodes_[i];
        if (!node.alive || node.gen != gen) return;
        node.left = true;  // it handed everything over; the process exits
        kill_node(i);
      });
    }
  }
  for (auto& action : n.membership->take_actions()) {
    more = true;
    if (auto* d = std::get_if<cluster::Dial>(&action)) {
      dial(i, d->peer);
    } else if (auto* c = std::get_if<cluster::CloseLink>(&action)) {
      if (!n.view.linked(c->peer) && c->peer < nodes_.size()) {
        // A member that left: not a failure. What was written before the close still arrives
        // (TCP sends its FIN after the data), then the link closes.
        Link& l = link(i, c->peer);
        const std::uint64_t last = std::max(l.last_arrival[0], l.last_arrival[1]);
        const std::uint64_t wait = last > world_.now_us() ? last - world_.now_us() + 1 : 1;
        world_.after(wait, [this, i, peer = c->peer, gen = l.gen, g = n.gen] {
          if (!nodes_[i]->alive || nodes_[i]->gen != g || link(i, peer).gen != gen) return;
          close_link(i, peer, false);
        });
      } else {
        close_link(i, c->peer, false);
      }
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
  if (n.alive) n.membership->set_handover_epoch(n.reconfig->handed_over_epoch());
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
    if (!a.reconfig->joined()) {  // a node started to join: its first words on the link
      send_peer(from, to, cluster::JoinRequest{a.id, "", ""});
    }
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
  protocol::Bytes bytes;
  peer::encode_peer(bytes, frame);
  const int dir = from < to ? 0 : 1;
  std::uint64_t& last = l.last_arrival[dir];
  std::uint64_t t = world_.now_us() + latency(from, to) + nodes_[to]->cpu_burn_us;
  if (!degraded_.empty()) {
    // A lost segment arrives after TCP's retransmission timeout, which doubles while losses go on;
    // everything behind it on the link waits (last_arrival keeps the order).
    auto it = degraded_.find({from, to});
    if (it != degraded_.end() && it->second.loss > 0 && world_.rng().chance(it->second.loss)) {
      t += kRetransmitTimeoutUs << std::min<std::uint32_t>(l.losses[dir]++, 6);
    } else {
      l.losses[dir] = 0;
    }
  }
  t = std::max(last, t);
  last = t;
  world_.at(t, [this, from, to, gen = l.gen, bytes = std::move(bytes)] {
    deliver_peer(to, from, gen, bytes);
  });
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
    checker_.report("protocol", "undecodable peer frame: " + decoded.status().message());
    return;
  }
  const std::uint64_t now = world_.now_us();
  const auto peer = static_cast<cluster::NodeIndex>(from);
  world_.trace(6, from, to, decoded->index());
  EngineScope engine(*this);
  if (auto* hb = std::get_if<cluster::Heartbeat>(&*decoded)) {
    n.membership->on_heartbeat(peer, *hb, now);
    n.reconfig->on_heartbeat(peer, hb->epoch, hb->handover_epoch, now);
  } else if (auto* ack = std::get_if<cluster::HeartbeatAck>(&*decoded)) {
    n.membership->on_heartbeat_ack(peer, *ack, now);
  } else if (auto* join = std::get_if<cluster::JoinRequest>(&*decoded)) {
    auto r = n.reconfig->request_join(*join, now);
    if (!r) world_.trace(17, to, from);  // refused for now: the joiner asks again
  } else if (decoded->index() >= 7) {  // VIEW_PREPARE ... VIEW_QUERY
    n.membership->on_frame(peer, now);
    std::visit(
        [&](auto& f) {
          using T = std::decay_t<decltype(f)>;
          if constexpr (std::is_constructible_v<cluster::ViewFrame, T>) {
            n.reconfig->on_frame(peer, cluster::ViewFrame(std::move(f)), now);
          }
        },
        *decoded);
  } else {  // PEER_HELLO (nothing to hand on) or a shard's message
    n.membership->on_frame(peer, now);
    if (auto m = peer::to_shard_message(std::move(*decoded), peer)) {
      if (const auto* r = std::get_if<core::RouteMessage>(&*m); r && r->handover) {
        ++handover_frames_;
      }
      ShardId s = core::shard_for_peer_message(*m, n.view, config_.shards_per_node);
      n.shards[s]->on_message(std::move(*m));
      end_turn(to, s);
    }
  }
  run_actions(to);
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

std::vector<std::string> SimCluster::misplaced_sessions() const {
  std::unordered_map<std::string, int> online;
  std::set<std::string> misplaced;
  for (const auto& n : nodes_) {
    if (!n->alive) continue;
    for (const auto& s : n->shards) {
      s->for_each_user([&](const std::string& user, const core::Shard::UserBrief& b) {
        if (!b.online) return;
        if (++online[user] > 1 || !b.owned) misplaced.insert(user);
      });
    }
  }
  return {misplaced.begin(), misplaced.end()};
}

std::uint64_t SimCluster::stored_rows(const std::string& recipient) const {
  std::uint64_t rows = 0;
  for (const auto& n : nodes_) {
    rows += recipient.empty() ? n->store->stats().messages : n->store->rows_for(recipient);
  }
  return rows;
}

ClusterSnapshot SimCluster::snapshot() const {
  ClusterSnapshot s;
  s.now_us = world_.now_us();
  s.seed = world_.seed();
  for (const auto& n : nodes_) {
    NodeSnapshot ns;
    ns.id = n->id;
    ns.alive = n->alive;
    ns.incarnation = n->incarnation;
    ns.store_rows = n->store->stats().messages;
    ns.store_bytes = n->store->used_bytes();
    const auto& disk = n->store->faults();
    ns.clog_us = n->clog_us;
    ns.cpu_burn_us = n->cpu_burn_us;
    ns.memory_limit = n->memory_limit;
    ns.disk_slow = disk.latency_us != DiskFaults{}.latency_us;
    ns.disk_stalled = disk.stall_until_us > world_.now_us();
    ns.disk_full = disk.capacity_bytes != 0;
    ns.disk_errors = disk.write_errors;
    {
      const auto& v = n->record.view;
      ns.member_state = n->left ? "left" : cluster::to_string(v.members[v.self].state);
      ns.epoch = v.epoch;
      ns.reconfig = n->left ? "left" : n->alive ? n->reconfig->phase() : "down";
    }
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
        ns.refused_rate += m.send_rejected_rate.get();
        ns.refused_order += m.send_rejected_order.get();
        ns.hot_promotions += m.hot_promotions.get();
        ns.bucketed_messages += m.bucketed_messages.get();
        ns.routes_fenced += m.routes_fenced.get();
        ns.handover_sent += m.handover_sent.get();
        ns.handover_received += m.handover_received.get();
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
    const std::string id = n->id;
    const auto& d = n->store->faults();
    if (!n->alive && !n->left) s.active_faults.push_back("KillNode " + id);
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
    s.active_faults.push_back("cut " + nodes_[a]->id + " -> " + nodes_[b]->id);
    s.cuts.push_back({a, b});
  }
  for (const auto& [dir, d] : degraded_) {
    std::string f = "DegradeLink " + nodes_[dir.first]->id + " -> " + nodes_[dir.second]->id;
    if (d.extra_us) f += " +" + std::to_string(d.extra_us) + " us";
    if (d.loss > 0) f += " loss " + std::to_string(d.loss);
    s.active_faults.push_back(std::move(f));
    s.degraded.push_back({dir.first, dir.second, d.extra_us, d.loss});
  }
  if (link_loss_ > 0) s.active_faults.push_back("LossyLinks p=" + std::to_string(link_loss_));
  s.link_loss = link_loss_;
  for (const auto& c : clients_) {
    if (!c->stalled) continue;
    s.active_faults.push_back("SlowConsumer " + c->user);
    s.slow_consumers.push_back(c->user);
  }
  s.events = world_.events_run();
  return s;
}

}  // namespace iris::sim
