#pragma once
// Scenarios on the simulator: a workload, a fault schedule, the invariants and the budget, run
// from a seed to a verdict. PASS only if every invariant held and every budgeted figure is inside
// its budget; otherwise FAIL with the reason (docs/simulator.md, ../FIRE_TESTS rules).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iris::sim {

struct Figure {
  std::string name;
  double value = 0;
  std::string unit;
  std::string how;               // how it was measured
  std::optional<double> budget;  // an upper bound, if the scenario sets one
  bool ok() const { return !budget || value <= *budget; }
};

struct InvariantResult {
  std::string name;
  std::uint64_t violations = 0;
  std::vector<std::string> examples;
  bool ok() const { return violations == 0; }
};

struct ScenarioResult {
  std::string id, name;
  std::uint64_t seed = 0;
  bool pass = false;
  std::string reason;  // why it failed; empty on PASS
  std::vector<InvariantResult> invariants;
  std::vector<Figure> figures;
  std::vector<std::string> faults;  // the fault log, with virtual times
  std::uint64_t trace_hash = 0;
  std::uint64_t events = 0;
  double virtual_seconds = 0;
  double real_seconds = 0;
  std::string replay;  // the command that replays this run
};

struct ScenarioOptions {
  std::uint32_t users = 0;  // 0: the scenario's default
};

// "R1" split brain, "R5" crash and restart, "MIX" random faults of every kind (the seed sweep).
std::vector<std::string> scenario_ids();
bool known_scenario(const std::string& id);
ScenarioResult run_scenario(const std::string& id, std::uint64_t seed,
                            const ScenarioOptions& options = {});

std::string to_json(const ScenarioResult& result);  // one object; schema in docs/simulator.md
std::string summary(const ScenarioResult& result);  // a few human lines: verdict, figures, replay

}  // namespace iris::sim
