#include "simulator/scenario.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <deque>
#include <functional>

#include "simulator/sim_cluster.h"

namespace iris::sim {

namespace {

constexpr std::uint64_t kSecond = 1'000'000;

struct Spec {
  std::string id, name;
  std::uint32_t nodes = 3;
  std::uint32_t users = 30;
  std::uint64_t traffic_from_s = 1, traffic_until_s = 11;
  std::uint64_t send_interval_us = 200'000;  // per user, jittered
  double to_hot = 0;  // share of messages sent to u0000 instead (fan-in, hot recipient)
  std::uint32_t hot_threshold = 0;  // if set: CoreConfig::hot_threshold_msgs_per_s
  double converge_budget_s = 10;    // traffic end (and RecoverAll) -> every acked message delivered
  std::function<void(SimCluster&, Rng&, std::uint64_t t0)> faults;
};

std::string user_name(std::uint32_t i) {
  char b[16];
  std::snprintf(b, sizeof b, "u%04u", i);
  return b;
}

Spec spec_for(const std::string& id) {
  Spec s;
  s.id = id;
  if (id == "R1") {
    s.name = "Split brain";
    s.users = 60;
    s.faults = [](SimCluster& c, Rng&, std::uint64_t t0) {
      c.schedule(t0 + 3 * kSecond, Partition{{0}, {1, 2}});
      c.schedule(t0 + 8 * kSecond, Heal{});
    };
  } else if (id == "R5") {
    s.name = "Crash and restart";
    s.faults = [](SimCluster& c, Rng&, std::uint64_t t0) {
      c.schedule(t0 + 3 * kSecond, KillNode{1});
      c.schedule(t0 + 6 * kSecond, RestartNode{1});
    };
  } else if (id == "HOT") {
    s.name = "Hot recipient under fan-in, with a crash";
    s.users = 60;
    s.to_hot = 0.5;        // half of everything goes to u0000: ~150 msgs/s into one inbox
    s.hot_threshold = 50;  // promoted to inbox buckets well before that
    s.faults = [](SimCluster& c, Rng&, std::uint64_t t0) {
      std::uint32_t home = c.owner_of("u0000");
      std::uint32_t other = (home + 1) % c.size();
      c.schedule(t0 + 4 * kSecond, KillNode{other});  // senders' node dies mid-fan-in
      c.schedule(t0 + 6 * kSecond, RestartNode{other});
      c.schedule(t0 + 7 * kSecond, SlowConsumer{"u0000", true});  // the hot user stops reading
      c.schedule(t0 + 9 * kSecond, SlowConsumer{"u0000", false});
    };
  } else if (id == "MIX") {
    s.name = "Random faults of every kind";
    s.users = 16;
    s.traffic_until_s = 9;
    s.send_interval_us = 250'000;
    s.faults = [](SimCluster& c, Rng& rng, std::uint64_t t0) {
      const std::uint32_t n = c.size();
      for (int k = 0; k < 4; ++k) {
        std::uint64_t at = t0 + 1'500'000 + rng.below(5 * kSecond);
        std::uint64_t len = 300'000 + rng.below(3 * kSecond);
        auto node = static_cast<std::uint32_t>(rng.below(n));
        switch (rng.below(11)) {
          case 0:
            c.schedule(at, KillNode{node});
            c.schedule(at + len, RestartNode{node});
            break;
          case 1: {
            auto other = static_cast<std::uint32_t>((node + 1 + rng.below(n - 1)) % n);
            c.schedule(at, Partition{{node}, {other}, rng.chance(0.3)});
            c.schedule(at + len, Heal{});
            break;
          }
          case 2:
            c.schedule(at, DiskErrors{node, true});
            c.schedule(at + len, DiskErrors{node, false});
            break;
          case 3:
            c.schedule(at, SlowDisk{node, 20'000});
            c.schedule(at + len, SlowDisk{node, 0});
            break;
          case 4:
            c.schedule(at, StallDisk{node, len});
            break;
          case 5: {
            std::string u = user_name(static_cast<std::uint32_t>(rng.below(16)));
            c.schedule(at, SlowConsumer{u, true});
            c.schedule(at + len, SlowConsumer{u, false});
            break;
          }
          case 7:
            c.schedule(at, DiskFull{node, true});
            c.schedule(at + len, DiskFull{node, false});
            break;
          case 8:
            c.schedule(at, LossyLinks{0.002 + rng.unit() * 0.02});
            c.schedule(at + len, LossyLinks{0});
            break;
          case 9:
            c.schedule(at, CpuBurn{node, 2'000 + rng.below(20'000)});
            c.schedule(at + len, CpuBurn{node, 0});
            break;
          case 10:
            c.schedule(at, MemoryPressure{node, 2'000 + rng.below(8'000)});
            c.schedule(at + len, MemoryPressure{node, 0});
            break;
          default:
            c.schedule(at, ClogNode{node, 50'000});
            c.schedule(at + len, ClogNode{node, 0});
            break;
        }
      }
    };
  }
  return s;
}

double percentile(std::vector<std::uint64_t> v, double p) {
  if (v.empty()) return 0;
  std::size_t k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]);
}

}  // namespace

std::vector<std::string> scenario_ids() {
  return {"R1", "R5", "HOT", "MIX"};
}
bool known_scenario(const std::string& id) {
  auto ids = scenario_ids();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

ScenarioResult run_scenario(const std::string& id, std::uint64_t seed,
                            const ScenarioOptions& options) {
  const auto real_start = std::chrono::steady_clock::now();
  Spec spec = spec_for(id);
  if (options.users) spec.users = options.users;
  SimConfig cfg;
  cfg.nodes = spec.nodes;
  if (spec.hot_threshold) cfg.core.hot_threshold_msgs_per_s = spec.hot_threshold;
  SimCluster cluster(cfg, seed);
  World& world = cluster.world();
  Rng rng(seed ^ 0x5ca1ab1e);  // the scenario's own choices, apart from the world's
  const std::uint64_t t0 = world.now_us();

  for (std::uint32_t i = 0; i < spec.users; ++i) cluster.add_client(user_name(i));
  // Workload: pairs chatting (u0 <-> u1, ...), every fourth message to a random user instead.
  const std::uint64_t from = t0 + spec.traffic_from_s * kSecond;
  const std::uint64_t until = t0 + spec.traffic_until_s * kSecond;
  // Recurring events reschedule themselves through these, owned here for the run (a closure that
  // owned itself through a shared_ptr would never be freed).
  std::deque<std::function<void(std::uint64_t)>> senders;
  std::deque<std::function<void()>> churners;
  for (std::uint32_t i = 0; i < spec.users; ++i) {
    auto* next = &senders.emplace_back();
    *next = [&, i, next](std::uint64_t n) {
      std::uint32_t to = (i ^ 1u) < spec.users ? (i ^ 1u) : 0;
      if (n % 4 == 3) to = static_cast<std::uint32_t>(rng.below(spec.users));
      if (spec.to_hot > 0 && i != 0 && rng.chance(spec.to_hot)) to = 0;
      std::string payload = user_name(i) + ">" + user_name(to) + "#" + std::to_string(n) +
                            std::string(rng.below(200), 'x');
      cluster.send(user_name(i), user_name(to), payload);
      std::uint64_t gap = spec.send_interval_us / 2 + rng.below(spec.send_interval_us);
      if (world.now_us() + gap < until) world.after(gap, [next, n] { (*next)(n + 1); });
    };
    world.at(from + rng.below(spec.send_interval_us), [next] { (*next)(0); });
  }
  // Churn: every fourth user goes away for 0.5-3 s at a time and comes back, so inboxes are
  // stored, loaded on login and deleted after their ACKs (the disk matters).
  for (std::uint32_t i = 2; i < spec.users; i += 4) {
    auto* away = &churners.emplace_back();
    *away = [&, i, away] {
      if (world.now_us() >= until) return;
      cluster.set_online(user_name(i), false);
      std::uint64_t gone = 500'000 + rng.below(2'500'000);
      world.after(gone, [&, i, away] {
        cluster.set_online(user_name(i), true);
        world.after(500'000 + rng.below(2 * kSecond), [away] { (*away)(); });
      });
    };
    world.at(from + rng.below(2 * kSecond), [away] { (*away)(); });
  }
  if (spec.faults) spec.faults(cluster, rng, t0);

  // "No user owned twice": sampled every 100 ms of the whole run.
  InvariantResult twice{"owned_twice", 0, {}};
  std::function<void()> sample = [&] {
    for (auto& u : cluster.users_online_twice()) {
      if (twice.violations++ < 20) twice.examples.push_back(u + " online on two nodes");
    }
    world.after(100'000, [&sample] { sample(); });
  };
  world.after(100'000, [&sample] { sample(); });

  world.run_until(until);
  cluster.apply(RecoverAll{});
  const std::uint64_t recovered = world.now_us();
  const std::uint64_t deadline =
      recovered + static_cast<std::uint64_t>(spec.converge_budget_s * kSecond);
  while (world.now_us() < deadline && !cluster.settled()) {
    world.run_until(world.now_us() + 10'000);
  }
  const bool settled = cluster.settled();
  const double converge_s = settled ? static_cast<double>(world.now_us() - recovered) / kSecond
                                    : spec.converge_budget_s * 2;
  world.run_until(world.now_us() + 2 * kSecond);  // let deletes of the last ACKs land
  Checker& checker = cluster.checker();
  checker.finish();

  ScenarioResult r;
  r.id = spec.id;
  r.name = spec.name;
  r.seed = seed;
  for (const char* kind :
       {"lost", "duplicated", "reordered", "phantom", "misdirected", "corrupted", "protocol"}) {
    InvariantResult inv{kind, checker.count(kind), {}};
    for (const auto& v : checker.violations()) {
      if (v.kind == kind) inv.examples.push_back(v.detail);
    }
    r.invariants.push_back(std::move(inv));
  }
  r.invariants.push_back(twice);
  InvariantResult store{"store_empty_of_read_messages", cluster.stored_rows(), {}};
  if (store.violations) {
    store.examples.push_back(std::to_string(store.violations) +
                             " rows left in the stores after every message was read");
  }
  r.invariants.push_back(store);
  InvariantResult live{"liveness_after_heal", settled ? 0u : checker.undelivered_acked() + 1, {}};
  if (!settled) {
    live.examples.push_back(std::to_string(checker.undelivered_acked()) +
                            " acknowledged messages undelivered, or sends unanswered, " +
                            std::to_string(spec.converge_budget_s) + " s after recovery");
    for (auto& u : checker.unacknowledged(10)) live.examples.push_back("unanswered: " + u);
  }
  r.invariants.push_back(live);

  auto lat = checker.latencies_us();
  r.figures.push_back({"messages_sent",
                       static_cast<double>(checker.sent()),
                       "msgs",
                       "SEND calls the clients made",
                       {}});
  r.figures.push_back({"messages_acked",
                       static_cast<double>(checker.acked()),
                       "msgs",
                       "SEND_ACK(OK) seen by the clients",
                       {}});
  r.figures.push_back({"messages_delivered",
                       static_cast<double>(checker.delivered()),
                       "msgs",
                       "deliveries to the application, counted by the checker",
                       {}});
  r.figures.push_back({"converge_s", converge_s, "s",
                       "virtual time from RecoverAll at traffic end until every acknowledged "
                       "message is delivered and every send answered",
                       spec.converge_budget_s});
  r.figures.push_back({"latency_p50_ms",
                       percentile(lat, 0.5) / 1000,
                       "ms",
                       "virtual time from the send call to delivery, every message",
                       {}});
  r.figures.push_back({"latency_p99_ms",
                       percentile(lat, 0.99) / 1000,
                       "ms",
                       "virtual time from the send call to delivery, every message",
                       {}});
  std::uint64_t forwarded = 0, queued = 0, promotions = 0, bucketed = 0;
  for (const auto& n : cluster.snapshot().nodes) {
    forwarded += n.forwarded;
    queued += n.handoff_queued;
    promotions += n.hot_promotions;
    bucketed += n.bucketed_messages;
  }
  r.figures.push_back({"hot_promotions",
                       static_cast<double>(promotions),
                       "",
                       "recipients promoted to inbox buckets (live nodes' counters at the end)",
                       {}});
  r.figures.push_back({"bucketed_messages",
                       static_cast<double>(bucketed),
                       "msgs",
                       "messages accepted into a hot recipient's buckets",
                       {}});
  r.figures.push_back({"forwarded",
                       static_cast<double>(forwarded),
                       "msgs",
                       "sent straight to the owner node (live nodes' counters at the end)",
                       {}});
  r.figures.push_back({"handoff_queued",
                       static_cast<double>(queued),
                       "msgs",
                       "queued for hinted hand-off (live nodes' counters at the end)",
                       {}});
  r.faults = cluster.fault_log();
  r.trace_hash = world.trace_hash();
  r.events = world.events_run();
  r.virtual_seconds = static_cast<double>(world.now_us() - t0) / kSecond;
  r.real_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
  r.replay = "iris-fire --scenario " + id + " --seed " + std::to_string(seed) +
             (options.users ? " --users " + std::to_string(options.users) : "");
  r.pass = true;
  for (const auto& inv : r.invariants) {
    if (!inv.ok()) {
      r.pass = false;
      if (r.reason.empty()) r.reason = "invariant " + inv.name + " violated";
    }
  }
  for (const auto& f : r.figures) {
    if (!f.ok()) {
      r.pass = false;
      if (r.reason.empty()) r.reason = f.name + " over budget";
    }
  }
  return r;
}

std::string to_json(const ScenarioResult& r) {
  namespace json = boost::json;
  json::object o;
  o["scenario"] = r.id;
  o["name"] = r.name;
  o["seed"] = r.seed;
  o["verdict"] = r.pass ? "PASS" : "FAIL";
  o["reason"] = r.reason;
  json::array inv;
  for (const auto& i : r.invariants) {
    json::array ex;
    for (const auto& e : i.examples) ex.push_back(json::value(e));
    inv.push_back(json::object{
        {"name", i.name}, {"ok", i.ok()}, {"violations", i.violations}, {"examples", ex}});
  }
  o["invariants"] = inv;
  json::array figs;
  for (const auto& f : r.figures) {
    json::object fo{
        {"name", f.name}, {"value", f.value}, {"unit", f.unit}, {"how", f.how}, {"ok", f.ok()}};
    fo["budget"] = f.budget ? json::value(*f.budget) : json::value(nullptr);
    figs.push_back(fo);
  }
  o["figures"] = figs;
  json::array faults;
  for (const auto& f : r.faults) faults.push_back(json::value(f));
  o["faults"] = faults;
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(r.trace_hash));
  o["trace_hash"] = hash;
  o["events"] = r.events;
  o["virtual_seconds"] = r.virtual_seconds;
  o["real_seconds"] = r.real_seconds;
  o["replay"] = r.replay;
  return json::serialize(o);
}

std::string summary(const ScenarioResult& r) {
  std::string s = r.id + " " + r.name + " (seed " + std::to_string(r.seed) +
                  "): " + (r.pass ? "PASS" : "FAIL — " + r.reason) + "\n";
  for (const auto& i : r.invariants) {
    s += "  " + std::string(i.ok() ? "ok   " : "FAIL ") + i.name;
    if (!i.ok()) s += " (" + std::to_string(i.violations) + ")";
    s += "\n";
    for (const auto& e : i.examples) s += "         " + e + "\n";
  }
  for (const auto& f : r.figures) {
    char line[200];
    std::snprintf(line, sizeof line, "  %-20s %12.3f %s", f.name.c_str(), f.value, f.unit.c_str());
    s += line;
    if (f.budget) {
      std::snprintf(line, sizeof line, "   (budget %.3f: %s)", *f.budget, f.ok() ? "ok" : "OVER");
      s += line;
    }
    s += "\n";
  }
  char tail[200];
  std::snprintf(tail, sizeof tail, "  trace %016llx, %llu events, %.1f s virtual in %.2f s\n",
                static_cast<unsigned long long>(r.trace_hash),
                static_cast<unsigned long long>(r.events), r.virtual_seconds, r.real_seconds);
  s += tail;
  s += "  replay: " + r.replay + "\n";
  return s;
}

}  // namespace iris::sim
