// Applying faults to a SimCluster, and naming them for logs and reports.

#include "simulator/faults.h"

#include <algorithm>
#include <cstdio>

#include "simulator/sim_cluster.h"
#include "simulator/sim_cluster_state.h"

namespace iris::sim {

// ---------------------------------------------------------------------------------------------
// Faults

void SimCluster::schedule(std::uint64_t at_us, Fault fault) {
  world_.at(at_us, [this, f = std::move(fault)] { apply(f); });
}

void SimCluster::apply(const Fault& fault) {
  fault_log_.push_back({world_.now_us(), describe(fault)});
  world_.trace(10, fault.index());
  auto cut = [this](std::uint32_t a, std::uint32_t b) {
    if (a != b && a < nodes_.size() && b < nodes_.size()) cut_.insert({a, b});
  };
  if (auto* k = std::get_if<KillNode>(&fault)) {
    if (k->node < nodes_.size()) kill_node(k->node);
  } else if (auto* r = std::get_if<RestartNode>(&fault)) {
    if (r->node < nodes_.size() && !nodes_[r->node]->alive && !nodes_[r->node]->left) {
      start_node(r->node);
    }
  } else if (std::holds_alternative<JoinNode>(fault)) {
    ++pending_joins_;
    start_pending_join();
  } else if (auto* lv = std::get_if<LeaveNode>(&fault)) {
    if (lv->node < nodes_.size() && !nodes_[lv->node]->left) leave_node(lv->node);
  } else if (auto* dr = std::get_if<DrainNode>(&fault)) {
    if (dr->node < nodes_.size()) drain_node(dr->node, dr->down_us);
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
  } else if (auto* dl = std::get_if<DegradeLink>(&fault)) {
    auto set = [this, dl](std::uint32_t a, std::uint32_t b) {
      if (a == b || a >= nodes_.size() || b >= nodes_.size()) return;
      if (dl->extra_us == 0 && dl->loss <= 0) {
        degraded_.erase({a, b});
      } else {
        degraded_[{a, b}] = {dl->extra_us, std::clamp(dl->loss, 0.0, 1.0)};
      }
    };
    set(dl->from, dl->to);
    if (!dl->one_way) set(dl->to, dl->from);
  } else if (std::holds_alternative<RecoverAll>(fault)) {
    cut_.clear();
    degraded_.clear();
    link_loss_ = 0;
    for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
      nodes_[i]->clog_us = 0;
      nodes_[i]->cpu_burn_us = 0;
      if (nodes_[i]->memory_limit) apply(MemoryPressure{i, 0});
      nodes_[i]->store->faults() = DiskFaults{};
      if (!nodes_[i]->alive && !nodes_[i]->left) start_node(i);
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
// 0.05 -> "5%", 0.005 -> "0.5%"
std::string percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g%%", p * 100);
  return buf;
}
struct Describe {
  std::string operator()(const KillNode& f) { return "KillNode " + std::to_string(f.node); }
  std::string operator()(const RestartNode& f) { return "RestartNode " + std::to_string(f.node); }
  std::string operator()(const DrainNode& f) {
    return "DrainNode " + std::to_string(f.node) + " (down " + std::to_string(f.down_us) + " us)";
  }
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
  std::string operator()(const DegradeLink& f) {
    if (f.extra_us == 0 && f.loss <= 0) {
      return "RestoreLink " + std::to_string(f.from) + (f.one_way ? " -> " : " <-> ") +
             std::to_string(f.to);
    }
    std::string s = "DegradeLink " + std::to_string(f.from) + (f.one_way ? " -> " : " <-> ") +
                    std::to_string(f.to);
    if (f.extra_us) s += " +" + std::to_string(f.extra_us) + " us";
    if (f.loss > 0) s += " loss " + percent(f.loss);
    return s;
  }
  std::string operator()(const RecoverAll&) { return "RecoverAll"; }
  std::string operator()(const JoinNode&) { return "JoinNode"; }
  std::string operator()(const LeaveNode& f) { return "LeaveNode " + std::to_string(f.node); }
};
}  // namespace

std::string describe(const Fault& fault) {
  return std::visit(Describe{}, fault);
}

std::optional<Fault> undo_of(const Fault& fault) {
  if (auto* k = std::get_if<KillNode>(&fault)) return RestartNode{k->node};
  if (std::holds_alternative<Partition>(fault)) return Heal{};
  if (auto* c = std::get_if<ClogNode>(&fault)) return ClogNode{c->node, 0};
  if (auto* d = std::get_if<SlowDisk>(&fault)) return SlowDisk{d->node, 0};
  if (auto* f = std::get_if<DiskFull>(&fault)) return DiskFull{f->node, false};
  if (auto* e = std::get_if<DiskErrors>(&fault)) return DiskErrors{e->node, false};
  if (auto* s = std::get_if<SlowConsumer>(&fault)) return SlowConsumer{s->user, false};
  if (auto* b = std::get_if<CpuBurn>(&fault)) return CpuBurn{b->node, 0};
  if (auto* m = std::get_if<MemoryPressure>(&fault)) return MemoryPressure{m->node, 0};
  if (std::holds_alternative<LossyLinks>(fault)) return LossyLinks{0};
  if (auto* l = std::get_if<DegradeLink>(&fault)) return DegradeLink{l->from, l->to, 0, 0, l->one_way};
  return std::nullopt;
}

}  // namespace iris::sim
