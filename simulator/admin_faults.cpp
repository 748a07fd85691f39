#include "simulator/admin_faults.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace iris::sim {

namespace json = boost::json;

std::vector<AdminAction> admin_actions(const Fault& fault, std::uint64_t ttl_s,
                                       const std::vector<std::string>& members,
                                       const std::function<bool(std::uint32_t)>& attached) {
  std::vector<AdminAction> out;
  const auto id = [&](std::uint32_t m) { return m < members.size() ? members[m] : std::string("?"); };
  const auto post = [&](std::uint32_t member, json::object body, std::string what) {
    body["ttl_s"] = ttl_s;
    AdminAction a;
    a.member = member;
    a.body = json::serialize(body);
    a.what = std::move(what);
    out.push_back(std::move(a));
  };
  const auto end = [&](std::uint32_t member, std::string kind, std::string peer = {},
                       std::string user = {}) {
    AdminAction a;
    a.type = AdminAction::Type::kEndMatching;
    a.member = member;
    a.kind = std::move(kind);
    a.peer = std::move(peer);
    a.user = std::move(user);
    a.what = "end " + a.kind + " on " + id(member);
    out.push_back(std::move(a));
  };
  const auto refuse = [&](std::string why) {
    AdminAction a;
    a.type = AdminAction::Type::kRefuse;
    a.what = std::move(why);
    out.push_back(std::move(a));
  };
  const auto ms = [](std::uint64_t us) { return std::max<std::uint64_t>(1, us / 1000); };
  const auto n = static_cast<std::uint32_t>(members.size());

  if (auto* p = std::get_if<Partition>(&fault)) {
    for (auto a : p->side_a) {
      for (auto b : p->side_b) {
        if (a == b || a >= n || b >= n) continue;
        const std::string what = "partition " + id(a) + (p->one_way ? " -> " : " | ") + id(b);
        if (attached(a) || !attached(b)) {
          post(a, {{"kind", "peer_drop"}, {"peer", id(b)}, {"direction", p->one_way ? "out" : "both"}},
               what);
        } else {  // only b's side is reachable: the same cut, made there
          post(b, {{"kind", "peer_drop"}, {"peer", id(a)}, {"direction", p->one_way ? "in" : "both"}},
               what);
        }
      }
    }
  } else if (std::holds_alternative<Heal>(fault)) {
    for (std::uint32_t m = 0; m < n; ++m) end(m, "peer_drop");
  } else if (std::holds_alternative<RecoverAll>(fault)) {
    AdminAction a;
    a.type = AdminAction::Type::kRecoverAll;
    a.what = "recover all";
    out.push_back(std::move(a));
  } else if (std::holds_alternative<JoinNode>(fault)) {
    refuse("a real node joins when it is started with --join (docs/cluster.md)");
  } else if (auto* lv = std::get_if<LeaveNode>(&fault)) {
    // Any member can coordinate it: the node itself if attached, else the first attached one.
    std::uint32_t via = lv->node;
    for (std::uint32_t m = 0; m < n && !attached(via); ++m) via = m;
    if (lv->node >= n || !attached(via)) {
      refuse("no member's admin API is attached to ask for the leave");
    } else {
      AdminAction a;
      a.type = AdminAction::Type::kPost;
      a.member = via;
      a.path = "/v1/cluster/leave";
      a.ok_status = 202;
      a.body = json::serialize(json::object{{"node", id(lv->node)}});
      a.what = "leave " + id(lv->node);
      out.push_back(std::move(a));
    }
  } else if (std::holds_alternative<KillNode>(fault) || std::holds_alternative<RestartNode>(fault) ||
             std::holds_alternative<DrainNode>(fault)) {
    refuse("a real node is not killed or restarted through its admin API: use its service "
           "manager (systemctl, kill -9), or isolate it with a partition");
  } else if (auto* c = std::get_if<ClogNode>(&fault)) {
    if (c->extra_us == 0) {
      end(c->node, "peer_delay");
    } else {
      for (std::uint32_t m = 0; m < n; ++m) {
        if (m != c->node) {
          post(c->node, {{"kind", "peer_delay"}, {"peer", id(m)}, {"direction", "both"}, {"delay_ms", ms(c->extra_us)}},
               "clog " + id(c->node) + " -> " + id(m));
        }
      }
    }
  } else if (auto* l = std::get_if<DegradeLink>(&fault)) {
    if (l->loss > 0) refuse("packet loss is not available on real nodes (their faults are drops and delays)");
    if (l->extra_us == 0 && l->loss <= 0) {
      end(l->from, "peer_delay", id(l->to));
    } else if (l->extra_us > 0) {
      post(l->from,
           {{"kind", "peer_delay"}, {"peer", id(l->to)}, {"direction", l->one_way ? "out" : "both"},
            {"delay_ms", ms(l->extra_us)}},
           "delay " + id(l->from) + (l->one_way ? " -> " : " <-> ") + id(l->to));
    }
  } else if (auto* d = std::get_if<SlowDisk>(&fault)) {
    if (d->latency_us == 0) {
      end(d->node, "slow_disk");
    } else {
      post(d->node, {{"kind", "slow_disk"}, {"latency_ms", ms(d->latency_us)}}, "slow disk on " + id(d->node));
    }
  } else if (auto* s = std::get_if<StallDisk>(&fault)) {
    // A stall: every completion waits; it ends with the fault's own TTL.
    const std::uint64_t secs = std::max<std::uint64_t>(1, (s->duration_us + 999'999) / 1'000'000);
    AdminAction a;
    a.member = s->node;
    a.body = json::serialize(json::object{{"kind", "slow_disk"}, {"latency_ms", 2000}, {"ttl_s", secs}});
    a.what = "stalled disk on " + id(s->node);
    out.push_back(std::move(a));
  } else if (auto* f = std::get_if<DiskFull>(&fault)) {
    if (f->full) {
      post(f->node, {{"kind", "disk_full"}}, "disk full on " + id(f->node));
    } else {
      end(f->node, "disk_full");
    }
  } else if (std::holds_alternative<DiskErrors>(fault)) {
    refuse("disk write errors are not available on real nodes; use disk full");
  } else if (auto* b = std::get_if<CpuBurn>(&fault)) {
    if (b->delay_us == 0) {
      end(b->node, "cpu_burn");
    } else {
      // The simulator's "every frame waits delay_us" as a share of a worker's time.
      const auto percent = std::clamp<std::uint64_t>(b->delay_us / 200, 10, 95);
      post(b->node, {{"kind", "cpu_burn"}, {"percent", percent}}, "CPU burn on " + id(b->node));
    }
  } else if (auto* m = std::get_if<MemoryPressure>(&fault)) {
    if (m->shard_bytes == 0) {
      end(m->node, "memory_pressure");
    } else {
      post(m->node, {{"kind", "memory_pressure"}, {"shard_bytes", std::max<std::uint64_t>(1024, m->shard_bytes)}},
           "memory pressure on " + id(m->node));
    }
  } else if (auto* sc = std::get_if<SlowConsumer>(&fault)) {
    for (std::uint32_t node = 0; node < n; ++node) {
      if (!attached(node)) continue;
      if (sc->stalled) {
        post(node, {{"kind", "slow_consumer"}, {"user", sc->user}}, "slow consumer " + sc->user);
        out.back().any_node = true;
      } else {
        end(node, "slow_consumer", {}, sc->user);
      }
    }
  } else if (std::holds_alternative<LossyLinks>(fault)) {
    refuse("packet loss is not available on real nodes (their faults are drops and delays)");
  }
  return out;
}

bool ends(const AdminAction& action, const std::string& kind, const std::string& peer,
          const std::string& user) {
  return action.type == AdminAction::Type::kEndMatching && kind == action.kind &&
         (action.peer.empty() || peer == action.peer) && (action.user.empty() || user == action.user);
}

}  // namespace iris::sim
