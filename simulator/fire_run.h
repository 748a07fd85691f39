#pragma once
// FireRun: one scenario's run on a FireTarget — the building blocks scenarios are written with
// (users, open-loop workloads, churn, faults, heal and convergence) and the measuring that every
// run gets (timeline, fault windows, node resources, invariants, figures). Internal to the
// simulator library: scenarios_*.cpp use it, scenario.cpp drives it.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simulator/report.h"
#include "simulator/scenario.h"
#include "simulator/sim_cluster.h"
#include "simulator/sim_world.h"
#include "simulator/target.h"

namespace iris::sim {

inline constexpr std::uint64_t kSecond = 1'000'000;

class FireRun {
 public:
  FireRun(FireTarget& target, const ScenarioInfo& info, const ScenarioOptions& options,
          std::uint64_t seed);
  ~FireRun();
  FireRun(const FireRun&) = delete;
  FireRun& operator=(const FireRun&) = delete;

  FireTarget& target() { return target_; }
  Rng& rng() { return rng_; }
  Scale scale() const { return options_.scale; }
  template <typename T>
  T by_scale(T smoke, T standard, T full) const {
    return options_.scale == Scale::kSmoke ? smoke
           : options_.scale == Scale::kStandard ? standard : full;
  }
  // A user count: the --users override if given, else the scenario's for this scale.
  std::uint32_t users(std::uint32_t smoke, std::uint32_t standard, std::uint32_t full) const;

  // Time: microseconds on the target's clock, and `s` seconds after the run started.
  std::uint64_t now() const { return target_.now_us(); }
  std::uint64_t at_s(double s) const;
  double since_start_s(std::uint64_t t_us) const;

  // Users "u0000"... (a prefix for other groups).
  static std::string user(std::uint32_t i, const char* prefix = "u");
  void add_users(std::uint32_t first, std::uint32_t count, const ClientSpec& spec = {},
                 const char* prefix = "u");

  // Open loop: the message is due at `t_us`; it is sent then, or as soon as the client takes it
  // (a client with too many sends pending refuses new ones), and its latency counts from t_us.
  void send_at(std::uint64_t t_us, const std::string& from, const std::string& to,
               std::string payload);
  void send_now(const std::string& from, const std::string& to, std::string payload,
                std::uint64_t due_us);
  std::uint64_t backlog() const;  // sends due but not yet taken by their clients
  // A payload that names the message and pads it to about `size` bytes.
  std::string payload(const std::string& from, const std::string& to, std::uint64_t n,
                      std::size_t size);

  // Pairs chatting: user i <-> i^1 among [first, first+count), every fourth message to a random
  // user of the group; each user sends at `per_user_per_s` on average (Poisson) in [from, until).
  struct Pairs {
    std::uint32_t first = 0, count = 0;
    double per_user_per_s = 2;
    std::uint64_t from_us = 0, until_us = 0;
    std::size_t payload_bytes = 100;
    const char* prefix = "u";
  };
  void pairs(const Pairs& p);
  // Fan-in: `senders` send to `recipient` at `total_per_s` together (Poisson) in [from, until).
  struct FanIn {
    std::vector<std::string> senders;
    std::string recipient;
    double total_per_s = 100;
    std::uint64_t from_us = 0, until_us = 0;
    std::size_t payload_bytes = 64;
  };
  void fan_in(const FanIn& f);
  // Churn: each of `users` goes offline for away_min..away_max seconds, comes back for
  // stay_min..stay_max, repeatedly, in [from, until).
  struct Churn {
    std::vector<std::string> users;
    double away_min_s = 0.5, away_max_s = 3, stay_min_s = 0.5, stay_max_s = 2;
    std::uint64_t from_us = 0, until_us = 0;
  };
  void churn(const Churn& c);
  // The usual background: users [0, count) in pairs (as pairs()), every fourth of them (2, 6, ...)
  // churning (away 0.5-3 s, back 0.5-2.5 s), from from_s to until_s.
  void chat(std::uint32_t count, double from_s, double until_s, double per_user_per_s,
            std::size_t payload_bytes = 100);
  // Runs `fn` every `period_us` in [from, until).
  void every(std::uint64_t period_us, std::uint64_t from_us, std::uint64_t until_us,
             std::function<void()> fn);
  void fault_at(std::uint64_t t_us, Fault fault);

  // Runs the target until t_us (the workload's end, usually).
  void run_until(std::uint64_t t_us);
  bool cancelled() const;
  // RecoverAll, then runs until every acknowledged message is delivered and every send answered,
  // at most budget_s; then 2 s more for the last deletes. Records converge_s against its budget.
  // Returns whether it converged.
  bool heal_and_converge(double budget_s);

  // Scenario-specific results.
  void figure(Figure f);
  void invariant(InvariantResult inv);
  // Adds delivered_of_sent with a floor of 1: every message sent reached its recipient.
  void require_all_delivered();
  // Sets a budget on a figure the run computes at the end (latency_p99_ms, ...).
  void budget(const std::string& figure, double value, Figure::Bound bound = Figure::Bound::kAtMost);
  // Counts of things the scenario checked itself: adds an invariant with `violations` failures.
  void check(const std::string& name, bool ok, const std::string& example);

  // Peaks sampled every timeline bucket.
  std::uint64_t peak_store_rows() const;
  std::uint64_t peak_memory_bytes() const;
  std::uint32_t peak_hot_buckets() const { return peak_hot_buckets_; }
  // Latencies of the messages delivered between two timeline samples (for phases).
  double latency_percentile_ms(double p) const;  // whole run
  std::uint64_t converge_end_us() const { return converged_at_; }

  ScenarioResult finish();  // after the scenario's body: invariants, figures, report data

 private:
  struct Backlog;
  std::function<void()>& recurring();  // a self-rescheduling event, owned by the run
  std::string replay_command() const;
  void keep_pace() const;  // ScenarioOptions::pace
  void sample();
  void schedule_sample();
  void drain_backlog(const std::string& user);

  // Events the run left on the target's clock do nothing once the run is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  FireTarget& target_;
  const ScenarioInfo& info_;
  ScenarioOptions options_;
  std::uint64_t seed_;
  Rng rng_;
  std::uint64_t t0_;
  std::uint64_t bucket_us_;
  std::vector<std::unique_ptr<std::function<void()>>> recurring_;
  std::map<std::string, std::unique_ptr<Backlog>> backlogs_;

  // Samples.
  std::vector<TimePoint> timeline_;
  std::uint64_t last_sent_ = 0, last_delivered_ = 0;
  std::uint64_t last_sample_us_ = 0;
  std::size_t last_latency_index_ = 0;
  std::map<std::string, double> open_windows_;  // active fault label -> since (s)
  std::vector<FaultWindow> windows_;
  std::map<std::string, NodeResources> nodes_;
  std::vector<std::string> node_order_;
  std::uint32_t peak_hot_buckets_ = 0;
  InvariantResult owned_twice_{"owned_twice", 0, {}, {}};

  std::vector<Figure> figures_;
  std::vector<InvariantResult> invariants_;
  std::map<std::string, std::pair<double, Figure::Bound>> budgets_;
  std::optional<double> converge_s_;
  double converge_budget_s_ = 0;
  bool converged_ = true;
  bool healed_ = false;
  std::uint64_t planned_end_us_ = 0;
  std::uint64_t converged_at_ = 0;
  std::uint64_t first_send_us_ = 0;
  bool cancelled_ = false;
  double real_start_s_ = 0;
};

// A scenario's body: builds its workload and faults on the run, runs it, adds its own checks.
using ScenarioBody = std::function<void(FireRun&)>;
struct ScenarioDef {
  ScenarioDef(ScenarioInfo i, std::function<void(SimConfig&, Scale)> c, ScenarioBody b)
      : info(std::move(i)), configure(std::move(c)), body(std::move(b)) {}
  ScenarioInfo info;
  // The simulated cluster for this scale (nodes, config); the body does the rest.
  std::function<void(SimConfig&, Scale)> configure;
  ScenarioBody body;
  // Set for scenarios the simulator cannot run (F5 needs real WebSocket sockets): the target to
  // run on instead, or an error text when it cannot be had.
  std::function<std::unique_ptr<FireTarget>(const ScenarioOptions&, std::string& error)>
      real_target;
};
// Each group of scenarios registers itself here (scenarios_*.cpp).
std::vector<ScenarioDef> functional_scenarios();  // F1-F6
std::vector<ScenarioDef> scale_scenarios();       // P1-P3, S1-S4
std::vector<ScenarioDef> resilience_scenarios();  // R1-R6, C1-C3, HOT, MIX

}  // namespace iris::sim
