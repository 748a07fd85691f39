#pragma once
// The fire-test report as data (FireReport), then writers: JSON (the full data), Markdown (the seed
// report's layout with measured figures), HTML (one self-contained file, charts inline as SVG) and
// JUnit XML (verdicts for CI). Every figure says how it was measured; every simulated run names its
// seed and the command that replays it (../FIRE_TESTS rules, docs/fire-tests.md).
//
// Section order in the human formats: verdict table -> headline figures (budget beside measured)
// -> throughput and latency over time with fault windows shaded -> latency percentile spectrum ->
// per-node resources -> anomaly lists -> fault log -> seed, engine version, machine, replay.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iris::sim {

// A measured figure, with its budget if the scenario sets one. kAtMost: value <= budget passes;
// kAtLeast: value >= budget passes.
struct Figure {
  enum class Bound { kAtMost, kAtLeast };
  std::string name;
  double value = 0;
  std::string unit;
  std::string how;  // how it was measured, in one sentence
  std::optional<double> budget;
  Bound bound = Bound::kAtMost;
  bool headline = false;  // shown in the headline table (others: in the scenario's details)
  bool ok() const {
    if (!budget) return true;
    return bound == Bound::kAtMost ? value <= *budget : value >= *budget;
  }
};

// One invariant and what broke it. `ids` names the offending messages ("sender#client_msg_id"),
// at most a few hundred; `violations` counts them all.
struct InvariantResult {
  std::string name;
  std::uint64_t violations = 0;
  std::vector<std::string> examples;  // human lines, at most 20
  std::vector<std::string> ids;
  bool ok() const { return violations == 0; }
};

// One bucket of the run's timeline; t_s is the bucket's start, seconds from the run's start.
struct TimePoint {
  double t_s = 0;
  double sent_per_s = 0;       // SEND calls made by the clients
  double delivered_per_s = 0;  // deliveries to the application
  double p50_ms = 0, p99_ms = 0;  // latency of the messages delivered in this bucket (0: none)
};

// A fault active from from_s to to_s (seconds from the run's start).
struct FaultWindow {
  std::string label;
  double from_s = 0, to_s = 0;
};

struct Percentile {
  double p = 0;  // 0.5, 0.9, 0.99, 0.999, ... 1.0 (the maximum)
  double ms = 0;
};

// A node's resources over the run: peaks from samples taken every timeline bucket, and counters
// at the end.
struct NodeResources {
  std::string id;
  bool alive_at_end = false;
  std::uint64_t peak_memory_bytes = 0;  // the engine's own accounting of message bytes held
  std::uint64_t peak_sessions = 0;
  std::uint64_t peak_inbox_messages = 0;
  std::uint64_t peak_store_rows = 0;
  std::uint64_t store_rows_at_end = 0;
  std::uint64_t sends_accepted = 0, delivered = 0, forwarded = 0, handoff_queued = 0;
  std::uint64_t refused = 0;  // sends refused (store unavailable, retry later)
};

struct FaultEvent {
  double at_s = 0;  // seconds from the run's start
  std::string what;
  bool operator==(const FaultEvent&) const = default;
};

struct ScenarioResult {
  std::string id, name;
  std::string description;  // workload, faults and what passes, in a sentence or two
  std::string target = "simulator";  // "simulator" or "real"
  std::string scale = "smoke";       // smoke, standard, full
  std::uint64_t seed = 0;
  bool pass = false;
  std::string reason;  // why it failed; empty on PASS
  std::vector<InvariantResult> invariants;
  std::vector<Figure> figures;
  double bucket_s = 1;  // width of a timeline bucket
  std::vector<TimePoint> timeline;
  std::vector<FaultWindow> fault_windows;
  std::vector<Percentile> spectrum;
  std::vector<NodeResources> nodes;
  std::vector<FaultEvent> faults;  // the fault log
  std::uint64_t trace_hash = 0;    // simulator only: the same seed gives the same hash
  std::uint64_t events = 0;
  double virtual_seconds = 0;
  double real_seconds = 0;
  std::string replay;  // the command that replays this run
};

struct MachineInfo {
  std::string cpu;   // model name
  unsigned cores = 0;
  std::uint64_t memory_bytes = 0;
  std::string os;    // kernel and distribution
};
MachineInfo this_machine();  // read from /proc and uname

struct FireReport {
  std::string title = "Iris fire-test report";
  std::string engine_version;
  std::string started_utc;  // ISO 8601
  MachineInfo machine;
  std::string target = "simulator";
  std::string scale = "smoke";
  std::uint64_t seed = 0;
  std::string command;  // the command line that produced the report
  std::vector<ScenarioResult> scenarios;
  bool pass() const {
    for (const auto& s : scenarios) {
      if (!s.pass) return false;
    }
    return !scenarios.empty();
  }
};

// Writers. Every one is a pure function of the report.
std::string to_json(const FireReport& report);      // the full data; schema in docs/fire-tests.md
std::string to_json(const ScenarioResult& result);  // one scenario, the same object as in a report
std::string to_markdown(const FireReport& report);
std::string to_html(const FireReport& report);   // one file: inline CSS and SVG, no fetches
std::string to_junit(const FireReport& report);  // JUnit XML: a testsuite, a testcase per scenario

// Writes `report` to `path`, the format chosen by its extension (.json .md .html .xml). Returns ""
// or the reason it could not (unknown extension, cannot write).
std::string write_report(const FireReport& report, const std::string& path);

// A few lines for a terminal: verdict, invariants, figures, replay.
std::string summary(const ScenarioResult& result);

}  // namespace iris::sim
