#pragma once
// What a live, open-ended run needs (the console's embedded cluster): a workload that can be
// changed while it runs, and an interval meter that turns the checker's running totals into
// rates and latency percentiles per interval. No Qt: the console wraps these.

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "simulator/sim_cluster.h"

namespace iris::sim {

struct WorkloadSettings {
  std::uint32_t users = 300;         // virtual users u0000...; more can be added, never removed
  double msgs_per_user_per_s = 0.5;  // Poisson, over all users
  double hot_share = 0.1;            // of messages, sent to the hot user u0000 instead
  double churn_per_s = 2;            // users going offline (for 1-4 s) per second
  bool running = true;               // false: no new messages, no churn (the cluster still runs)
};

// A chatting workload over every user at once: one event stream for sends (a user and a peer —
// its pair, the hot user, or one at random) and one for churn, so its cost does not grow with
// the number of idle users. configure() takes effect at once; a paused workload schedules nothing.
class LiveWorkload {
 public:
  LiveWorkload(SimCluster& cluster, std::uint64_t seed, WorkloadSettings settings = {});
  ~LiveWorkload();
  LiveWorkload(const LiveWorkload&) = delete;
  LiveWorkload& operator=(const LiveWorkload&) = delete;

  void configure(const WorkloadSettings& settings);
  const WorkloadSettings& settings() const { return settings_; }
  static std::string user(std::uint32_t i);

 private:
  void send_next(std::uint64_t generation);
  void churn_next(std::uint64_t generation);

  SimCluster& cluster_;
  Rng rng_;
  WorkloadSettings settings_;
  std::uint32_t created_ = 0;
  std::uint64_t generation_ = 0;  // bumped by configure(): older event streams stop
  std::uint64_t sequence_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Rates and latency over the last `window` of target time (at least one interval), from the
// checker's totals: a 10 Hz reader still sees rates and percentiles over a second, not over the
// handful of messages of 100 ms.
struct IntervalStats {
  double t_s = 0;  // target time at the end of the interval, seconds since the meter started
  double interval_s = 0;
  double sent_per_s = 0, acked_per_s = 0, delivered_per_s = 0;
  double p50_ms = 0, p99_ms = 0, p999_ms = 0;  // of deliveries in the interval (0: none)
};

class IntervalMeter {
 public:
  explicit IntervalMeter(std::uint64_t start_us, std::uint64_t window_us = 1'000'000)
      : start_us_(start_us), window_us_(window_us) {
    marks_.push_back({start_us, 0, 0, 0, 0});
  }
  // Rates and percentiles over the window ending now.
  IntervalStats next(const Checker& checker, std::uint64_t now_us);

 private:
  struct Mark {  // the checker's totals at a time
    std::uint64_t t_us, sent, acked, deliveries;
    std::size_t latency_index;
  };
  std::uint64_t start_us_, window_us_;
  std::deque<Mark> marks_;
};

}  // namespace iris::sim
