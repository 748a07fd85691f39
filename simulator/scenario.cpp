// The catalog and the driver: a scenario runs on a fresh SimCluster built for its scale.

#include "simulator/scenario.h"

#include <algorithm>

#include "simulator/fire_run.h"
#include "simulator/sim_cluster.h"

namespace iris::sim {

namespace {

const std::vector<ScenarioDef>& definitions() {
  static const std::vector<ScenarioDef> defs = [] {
    std::vector<ScenarioDef> all;
    for (auto group : {functional_scenarios, scale_scenarios, resilience_scenarios}) {
      for (auto& d : group()) all.push_back(std::move(d));
    }
    // What iris-fire --target runs. The others need faults real nodes do not have (kill and
    // restart: F4, R3-R6, C1-C3), node settings the run cannot make (hot threshold, memory caps,
    // regions: F6, R2, S4), the engine's own cost (P1, P3) or simulated-time budgets (P2, S1, S3).
    for (auto& d : all) {
      d.info.on_real_nodes = d.info.id == "F1" || d.info.id == "F2" || d.info.id == "F3" ||
                             d.info.id == "R1" || d.info.id == "S2";
    }
    return all;
  }();
  return defs;
}

const ScenarioDef* find_definition(std::string_view id) {
  for (const auto& d : definitions()) {
    if (d.info.id == id) return &d;
  }
  return nullptr;
}

struct SabotageName {
  const char* name;
  core::Sabotage kind;
};
constexpr SabotageName kSabotages[] = {
    {"ack-then-drop", core::Sabotage::kAckThenDrop},
    {"deliver-twice", core::Sabotage::kDeliverTwice},
    {"out-of-order", core::Sabotage::kDeliverOutOfOrder},
    {"corrupt-payload", core::Sabotage::kCorruptPayload},
    {"misdirect", core::Sabotage::kMisdirect},
    {"phantom", core::Sabotage::kPhantom},
    {"keep-read-rows", core::Sabotage::kKeepReadRows},
    {"stop-handoff-replay", core::Sabotage::kStopHandoffReplay},
    {"login-anywhere", core::Sabotage::kLoginAnywhere},
    {"garble-frame", core::Sabotage::kGarbleFrame},
};

}  // namespace

std::optional<Scale> parse_scale(std::string_view name) {
  if (name == "smoke") return Scale::kSmoke;
  if (name == "standard") return Scale::kStandard;
  if (name == "full") return Scale::kFull;
  return std::nullopt;
}

std::string to_string(Scale scale) {
  switch (scale) {
    case Scale::kSmoke: return "smoke";
    case Scale::kStandard: return "standard";
    case Scale::kFull: return "full";
  }
  return "smoke";
}

std::optional<core::Sabotage> parse_sabotage(std::string_view name) {
  for (const auto& s : kSabotages) {
    if (name == s.name) return s.kind;
  }
  return std::nullopt;
}

std::vector<std::string> sabotage_names() {
  std::vector<std::string> names;
  for (const auto& s : kSabotages) names.emplace_back(s.name);
  return names;
}

const std::vector<ScenarioInfo>& catalog() {
  static const std::vector<ScenarioInfo> infos = [] {
    std::vector<ScenarioInfo> v;
    for (const auto& d : definitions()) v.push_back(d.info);
    return v;
  }();
  return infos;
}

const ScenarioInfo* find_scenario(std::string_view id) {
  const ScenarioDef* d = find_definition(id);
  return d ? &d->info : nullptr;
}

ScenarioResult run_scenario(const std::string& id, std::uint64_t seed,
                            const ScenarioOptions& options) {
  const ScenarioDef* def = find_definition(id);
  if (def == nullptr) {
    ScenarioResult r;
    r.id = id;
    r.seed = seed;
    r.reason = "unknown scenario '" + id + "'";
    return r;
  }
  // Real nodes: --target's (the scenarios marked for them), or the scenario's own (F5).
  if (options.real_nodes || def->real_target) {
    std::string error;
    std::unique_ptr<FireTarget> target;
    if (!options.real_nodes) {
      target = def->real_target(options, error);
    } else if (def->info.on_real_nodes) {
      target = options.real_nodes(error);
    } else {
      error = "not a scenario for real nodes";
    }
    if (!target) {
      ScenarioResult r;
      r.id = id;
      r.name = def->info.name;
      r.seed = seed;
      r.target = "real";
      r.reason = error;
      return r;
    }
    FireRun run(*target, def->info, options, seed);
    def->body(run);
    return run.finish();
  }
  SimConfig cfg;
  if (def->configure) def->configure(cfg, options.scale);
  cfg.core.sabotage = options.sabotage;
  cfg.client_dedup = options.sabotage != core::Sabotage::kDeliverTwice;
  SimCluster cluster(cfg, seed);
  FireRun run(cluster, def->info, options, seed);
  def->body(run);
  return run.finish();
}

}  // namespace iris::sim
