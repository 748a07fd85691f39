#include "simulator/live.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace iris::sim {

namespace {

double percentile_ms(std::vector<std::uint64_t> v, double p) {
  return percentile(std::move(v), p) / 1000;
}

}  // namespace

LiveWorkload::LiveWorkload(SimCluster& cluster, std::uint64_t seed, WorkloadSettings settings)
    : cluster_(cluster), rng_(seed ^ 0x11feull) {
  configure(settings);
}

LiveWorkload::~LiveWorkload() {
  *alive_ = false;
}

std::string LiveWorkload::user(std::uint32_t i) {
  char b[16];
  std::snprintf(b, sizeof b, "u%04u", i);
  return b;
}

void LiveWorkload::configure(const WorkloadSettings& settings) {
  settings_ = settings;
  for (; created_ < settings_.users; ++created_) cluster_.add_client(user(created_));
  const std::uint64_t g = ++generation_;
  if (!settings_.running || settings_.users < 2) return;
  if (settings_.msgs_per_user_per_s > 0) send_next(g);
  if (settings_.churn_per_s > 0) churn_next(g);
}

void LiveWorkload::send_next(std::uint64_t g) {
  const double rate = settings_.msgs_per_user_per_s * settings_.users;
  const auto gap = static_cast<std::uint64_t>(rng_.exponential_s(rate) * 1e6) + 1;
  World& w = cluster_.world();
  w.after(gap, [this, alive = alive_, g] {
    if (!*alive || g != generation_) return;
    const auto from = static_cast<std::uint32_t>(rng_.below(settings_.users));
    std::uint32_t to = (from ^ 1u) < settings_.users ? (from ^ 1u) : 0;
    if (rng_.chance(settings_.hot_share)) {
      to = 0;
    } else if (rng_.chance(0.25)) {
      to = static_cast<std::uint32_t>(rng_.below(settings_.users));
    }
    const std::string f = user(from), t = user(to);
    cluster_.send(f, t, f + ">" + t + "#" + std::to_string(++sequence_) + " hello");
    send_next(g);
  });
}

void LiveWorkload::churn_next(std::uint64_t g) {
  const auto gap = static_cast<std::uint64_t>(rng_.exponential_s(settings_.churn_per_s) * 1e6) + 1;
  World& w = cluster_.world();
  w.after(gap, [this, alive = alive_, g] {
    if (!*alive || g != generation_) return;
    // u0000 is the hot user: it stays.
    const std::string u = user(1 + static_cast<std::uint32_t>(rng_.below(settings_.users - 1)));
    cluster_.set_online(u, false);
    const auto away = 1'000'000 + rng_.below(3'000'000);
    cluster_.world().after(away, [this, alive = alive_, u] {
      if (*alive) cluster_.set_online(u, true);
    });
    churn_next(g);
  });
}

IntervalStats IntervalMeter::next(const Checker& checker, std::uint64_t now_us) {
  const auto& lat = checker.latencies_us();
  // The oldest mark still inside the window (or the newest before it): the window's start.
  while (marks_.size() > 1 && marks_[1].t_us + window_us_ <= now_us) marks_.pop_front();
  const Mark& from = marks_.front();
  IntervalStats s;
  s.t_s = static_cast<double>(now_us - start_us_) / 1e6;
  s.interval_s = static_cast<double>(now_us - from.t_us) / 1e6;
  if (s.interval_s > 0) {
    s.sent_per_s = static_cast<double>(checker.sent() - from.sent) / s.interval_s;
    s.acked_per_s = static_cast<double>(checker.acked() - from.acked) / s.interval_s;
    s.delivered_per_s = static_cast<double>(checker.deliveries() - from.deliveries) / s.interval_s;
    std::vector<std::uint64_t> slice(lat.begin() + static_cast<std::ptrdiff_t>(from.latency_index),
                                     lat.end());
    s.p50_ms = percentile_ms(slice, 0.5);
    s.p99_ms = percentile_ms(slice, 0.99);
    s.p999_ms = percentile_ms(std::move(slice), 0.999);
  }
  marks_.push_back({now_us, checker.sent(), checker.acked(), checker.deliveries(), lat.size()});
  return s;
}

}  // namespace iris::sim
