#pragma once
// The fire-test catalog (../FIRE_TESTS, docs/fire-tests.md): every scenario is a workload, a fault
// schedule, the invariants and a numeric budget, written once against FireTarget and run here on
// the simulator from a seed. PASS only if every invariant held and every budgeted figure is inside
// its budget; otherwise FAIL with the reason and the command that replays the run.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/config.h"
#include "simulator/report.h"
#include "simulator/target.h"

namespace iris::sim {

// smoke: seconds per scenario (CI); standard: the catalog's sizes (50k users for C1/C2, 100k for
// C3); full: as large as this machine's memory allows.
enum class Scale { kSmoke, kStandard, kFull };
std::optional<Scale> parse_scale(std::string_view name);
std::string to_string(Scale scale);

struct ScenarioInfo {
  std::string id, name;
  std::string description;  // workload, faults, what passes
  bool in_suite = true;     // false: extra scenarios run only by name (HOT, MIX)
  // Runs on real nodes too (iris-fire --target): its faults exist on real nodes and its checks
  // need nothing only the simulator sees.
  bool on_real_nodes = false;
};

// The catalog in report order: F1-F6, P1-P3, S1-S4, R1-R6, C1-C3, then the extras.
const std::vector<ScenarioInfo>& catalog();
const ScenarioInfo* find_scenario(std::string_view id);

struct ScenarioOptions {
  Scale scale = Scale::kSmoke;
  std::uint32_t users = 0;  // 0: the scenario's own count at this scale
  // Deliberate defects, to prove the checkers can fail (tests; `iris-fire --sabotage`).
  // kDeliverTwice also switches off the clients' duplicate suppression: an application sees a
  // duplicate only when both layers fail, and that is what the invariant guards.
  core::Sabotage sabotage = core::Sabotage::kNone;
  std::function<void(double fraction)> progress;  // 0..1 of the run's virtual time
  const std::atomic<bool>* cancel = nullptr;       // set: the run stops early and FAILs
  // Watching a run (the console): called at every timeline sample with the target, on the
  // thread that runs the scenario.
  std::function<void(FireTarget& target)> observe;
  // > 0: target time runs at most `pace` times as fast as real time (the console shows a run
  // unfold); 0: as fast as it goes. Pacing never changes what happens, only when.
  double pace = 0;
  // Set: run on real nodes instead of the simulator (iris-fire --target): makes the target, or
  // says why it could not (the run then FAILs with that reason).
  std::function<std::unique_ptr<FireTarget>(std::string& error)> real_nodes;
  std::string real_nodes_args;  // "--target a:p,b:p" for the rerun command (never the token)
};

// Runs scenario `id` on a fresh simulated cluster seeded with `seed`. Unknown id: a FAIL result.
ScenarioResult run_scenario(const std::string& id, std::uint64_t seed,
                            const ScenarioOptions& options = {});

// Sabotage names for `iris-fire --sabotage` ("ack-then-drop", ...).
std::optional<core::Sabotage> parse_sabotage(std::string_view name);
std::vector<std::string> sabotage_names();

}  // namespace iris::sim
