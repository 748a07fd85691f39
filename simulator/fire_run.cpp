#include "simulator/fire_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

namespace iris::sim {

namespace {

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr const char* kCheckerKinds[] = {"lost",        "duplicated", "reordered", "phantom",
                                         "misdirected", "corrupted",  "protocol"};
constexpr std::size_t kExamples = 20;

}  // namespace

struct FireRun::Backlog {
  struct Due {
    std::uint64_t due_us;
    std::string to, payload;
  };
  std::deque<Due> queue;
  bool retry_armed = false;
};

FireRun::FireRun(FireTarget& target, const ScenarioInfo& info, const ScenarioOptions& options,
                 std::uint64_t seed)
    : target_(target),
      info_(info),
      options_(options),
      seed_(seed),
      rng_(seed ^ 0x5ca1ab1e),  // the scenario's own choices, apart from the target's
      t0_(target.now_us()),
      bucket_us_(options.scale == Scale::kSmoke ? kSecond / 2 : kSecond),
      real_start_s_(wall_seconds()) {
  last_sample_us_ = t0_;
  schedule_sample();
}

FireRun::~FireRun() {
  *alive_ = false;
}

std::uint32_t FireRun::users(std::uint32_t smoke, std::uint32_t standard,
                             std::uint32_t full) const {
  return options_.users ? options_.users : by_scale(smoke, standard, full);
}

std::uint64_t FireRun::at_s(double s) const {
  return t0_ + static_cast<std::uint64_t>(s * kSecond);
}
double FireRun::since_start_s(std::uint64_t t_us) const {
  return t_us >= t0_ ? static_cast<double>(t_us - t0_) / kSecond : 0;
}

std::string FireRun::user(std::uint32_t i, const char* prefix) {
  char b[24];
  std::snprintf(b, sizeof b, "%s%04u", prefix, i);
  return b;
}

void FireRun::add_users(std::uint32_t first, std::uint32_t count, const ClientSpec& spec,
                        const char* prefix) {
  for (std::uint32_t i = first; i < first + count; ++i) target_.add_client(user(i, prefix), spec);
}

std::string FireRun::payload(const std::string& from, const std::string& to, std::uint64_t n,
                             std::size_t size) {
  std::string p = from + ">" + to + "#" + std::to_string(n);
  if (p.size() < size) p.append(size - p.size() + rng_.below(size / 4 + 1), 'x');
  return p;
}

// ---------------------------------------------------------------------------------------------
// Open-loop sending

void FireRun::send_now(const std::string& from, const std::string& to, std::string payload,
                       std::uint64_t due_us) {
  if (first_send_us_ == 0) first_send_us_ = due_us;
  auto it = backlogs_.find(from);
  if (it != backlogs_.end() && !it->second->queue.empty()) {
    it->second->queue.push_back({due_us, to, std::move(payload)});
    return;
  }
  if (target_.send(from, to, payload, due_us) != 0) return;
  if (it == backlogs_.end()) it = backlogs_.emplace(from, std::make_unique<Backlog>()).first;
  it->second->queue.push_back({due_us, to, std::move(payload)});
  drain_backlog(from);
}

void FireRun::send_at(std::uint64_t t_us, const std::string& from, const std::string& to,
                      std::string payload) {
  target_.at(t_us, [this, alive = alive_, t_us, from, to, p = std::move(payload)]() mutable {
    if (*alive) send_now(from, to, std::move(p), t_us);
  });
}

void FireRun::drain_backlog(const std::string& user) {
  Backlog& b = *backlogs_.at(user);
  while (!b.queue.empty()) {
    auto& d = b.queue.front();
    if (target_.send(user, d.to, d.payload, d.due_us) == 0) break;
    b.queue.pop_front();
  }
  if (b.queue.empty() || b.retry_armed) return;
  b.retry_armed = true;
  target_.at(now() + 10'000, [this, alive = alive_, user] {
    if (!*alive) return;
    backlogs_.at(user)->retry_armed = false;
    drain_backlog(user);
  });
}

std::uint64_t FireRun::backlog() const {
  std::uint64_t n = 0;
  for (const auto& [user, b] : backlogs_) n += b->queue.size();
  return n;
}

// ---------------------------------------------------------------------------------------------
// Workloads

std::function<void()>& FireRun::recurring() {
  return *recurring_.emplace_back(std::make_unique<std::function<void()>>());
}

void FireRun::pairs(const Pairs& p) {
  for (std::uint32_t i = 0; i < p.count; ++i) {
    auto& next = recurring();
    next = [this, alive = alive_, p, i, self = &next, n = std::uint64_t{0}]() mutable {
      if (!*alive || now() >= p.until_us) return;
      std::uint32_t peer = (i ^ 1u) < p.count ? (i ^ 1u) : 0;
      if (n % 4 == 3) peer = static_cast<std::uint32_t>(rng_.below(p.count));
      const std::string from = user(p.first + i, p.prefix), to = user(p.first + peer, p.prefix);
      send_now(from, to, payload(from, to, n++, p.payload_bytes), now());
      auto gap = static_cast<std::uint64_t>(rng_.exponential_s(p.per_user_per_s) * kSecond);
      target_.at(now() + gap + 1, [self] { (*self)(); });
    };
    auto start = static_cast<std::uint64_t>(rng_.exponential_s(p.per_user_per_s) * kSecond);
    target_.at(p.from_us + start, [self = &next] { (*self)(); });
  }
}

void FireRun::fan_in(const FanIn& f) {
  if (f.senders.empty()) return;
  auto& next = recurring();
  next = [this, alive = alive_, f, self = &next, n = std::uint64_t{0}]() mutable {
    if (!*alive || now() >= f.until_us) return;
    const std::string& from = f.senders[rng_.below(f.senders.size())];
    send_now(from, f.recipient, payload(from, f.recipient, n++, f.payload_bytes), now());
    auto gap = static_cast<std::uint64_t>(rng_.exponential_s(f.total_per_s) * kSecond);
    target_.at(now() + gap + 1, [self] { (*self)(); });
  };
  target_.at(f.from_us, [self = &next] { (*self)(); });
}

void FireRun::churn(const Churn& c) {
  // The timing, shared by every user's events (the user list is not copied into them).
  struct Timing {
    double away_min_s, away_max_s, stay_min_s, stay_max_s;
    std::uint64_t until_us;
  };
  auto timing = std::make_shared<const Timing>(
      Timing{c.away_min_s, c.away_max_s, c.stay_min_s, c.stay_max_s, c.until_us});
  auto between = [this](double lo, double hi) {
    return static_cast<std::uint64_t>((lo + (hi - lo) * rng_.unit()) * kSecond);
  };
  for (const auto& u : c.users) {
    auto& away = recurring();
    away = [this, alive = alive_, timing, u, between, self = &away] {
      if (!*alive || now() >= timing->until_us) return;
      target_.set_online(u, false);
      const std::uint64_t back = now() + between(timing->away_min_s, timing->away_max_s);
      target_.at(back, [this, alive, timing, u, between, self] {
        if (!*alive) return;
        target_.set_online(u, true);
        target_.at(now() + between(timing->stay_min_s, timing->stay_max_s),
                   [self] { (*self)(); });
      });
    };
    target_.at(c.from_us + between(0, c.stay_max_s), [self = &away] { (*self)(); });
  }
}

void FireRun::chat(std::uint32_t count, double from_s, double until_s, double per_user_per_s,
                   std::size_t payload_bytes) {
  pairs({0, count, per_user_per_s, at_s(from_s), at_s(until_s), payload_bytes, "u"});
  Churn c;
  for (std::uint32_t i = 2; i < count; i += 4) c.users.push_back(user(i));
  c.away_min_s = 0.5;
  c.away_max_s = 3;
  c.stay_min_s = 0.5;
  c.stay_max_s = 2.5;
  c.from_us = at_s(from_s);
  c.until_us = at_s(until_s);
  churn(c);
}

void FireRun::every(std::uint64_t period_us, std::uint64_t from_us, std::uint64_t until_us,
                    std::function<void()> fn) {
  auto& tick = recurring();
  tick = [this, alive = alive_, period_us, until_us, fn = std::move(fn), self = &tick] {
    if (!*alive || now() >= until_us) return;
    fn();
    target_.at(now() + period_us, [self] { (*self)(); });
  };
  target_.at(from_us, [self = &tick] { (*self)(); });
}

void FireRun::fault_at(std::uint64_t t_us, Fault fault) {
  target_.at(t_us, [this, alive = alive_, f = std::move(fault)] {
    if (*alive) target_.apply(f);
  });
}

// ---------------------------------------------------------------------------------------------
// Phases

bool FireRun::cancelled() const {
  return cancelled_ || (options_.cancel != nullptr && options_.cancel->load());
}

void FireRun::run_until(std::uint64_t t_us) {
  planned_end_us_ = std::max(planned_end_us_, t_us + 5 * kSecond);
  while (now() < t_us && !cancelled()) {
    target_.run_until(std::min(t_us, now() + kSecond / 10));
    keep_pace();
  }
  if (cancelled()) cancelled_ = true;
}

void FireRun::keep_pace() const {
  if (options_.pace <= 0) return;
  const double ahead_s = since_start_s(now()) / options_.pace - (wall_seconds() - real_start_s_);
  if (ahead_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(ahead_s));
}

bool FireRun::heal_and_converge(double budget_s) {
  target_.apply(RecoverAll{});
  const std::uint64_t recovered = now();
  const std::uint64_t deadline = recovered + static_cast<std::uint64_t>(budget_s * kSecond);
  planned_end_us_ = deadline;
  auto done = [this] { return backlog() == 0 && target_.settled(); };
  while (now() < deadline && !done() && !cancelled()) {
    target_.run_until(now() + 10'000);
    keep_pace();
  }
  converged_ = done();
  converged_at_ = now();
  converge_s_ = static_cast<double>(now() - recovered) / kSecond;
  converge_budget_s_ = budget_s;
  healed_ = true;
  run_until(now() + 2 * kSecond);  // the last ACKs' deletes land
  return converged_;
}

// ---------------------------------------------------------------------------------------------
// Results

void FireRun::figure(Figure f) {
  figures_.push_back(std::move(f));
}
void FireRun::invariant(InvariantResult inv) {
  invariants_.push_back(std::move(inv));
}
void FireRun::require_all_delivered() {
  const Checker& ch = target_.checker();
  const double sent = static_cast<double>(ch.sent());
  figure({"delivered_of_sent", sent > 0 ? static_cast<double>(ch.delivered()) / sent : 0, "",
          "deliveries to the application / SEND calls (each message counted once)", 1,
          Figure::Bound::kAtLeast, true});
}

void FireRun::budget(const std::string& figure, double value, Figure::Bound bound) {
  budgets_[figure] = {value, bound};
}
void FireRun::check(const std::string& name, bool ok, const std::string& example) {
  auto it = std::find_if(invariants_.begin(), invariants_.end(),
                         [&](const InvariantResult& i) { return i.name == name; });
  if (it == invariants_.end()) {
    invariants_.push_back({name, 0, {}, {}});
    it = invariants_.end() - 1;
  }
  if (ok) return;
  ++it->violations;
  if (it->examples.size() < kExamples) it->examples.push_back(example);
}

std::uint64_t FireRun::peak_store_rows() const {
  std::uint64_t p = 0;
  for (const auto& [id, n] : nodes_) p += n.peak_store_rows;
  return p;
}
std::uint64_t FireRun::peak_memory_bytes() const {
  std::uint64_t p = 0;
  for (const auto& [id, n] : nodes_) p = std::max(p, n.peak_memory_bytes);
  return p;
}
double FireRun::latency_percentile_ms(double p) const {
  return percentile(target_.checker().latencies_us(), p) / 1000;
}

void FireRun::schedule_sample() {
  target_.at(now() + bucket_us_, [this, alive = alive_] {
    if (!*alive) return;
    sample();
    schedule_sample();
  });
}

void FireRun::sample() {
  const std::uint64_t t = now();
  if (t <= last_sample_us_) return;
  // Usually one bucket; the last sample (at finish) may cover less.
  const double bucket_s = static_cast<double>(t - last_sample_us_) / kSecond;
  Checker& ch = target_.checker();
  TimePoint p;
  p.t_s = since_start_s(last_sample_us_);
  p.sent_per_s = static_cast<double>(ch.sent() - last_sent_) / bucket_s;
  p.delivered_per_s = static_cast<double>(ch.deliveries() - last_delivered_) / bucket_s;
  const auto& lat = ch.latencies_us();
  std::vector<std::uint64_t> slice(lat.begin() + static_cast<std::ptrdiff_t>(last_latency_index_),
                                   lat.end());
  p.p50_ms = percentile(slice, 0.5) / 1000;
  p.p99_ms = percentile(std::move(slice), 0.99) / 1000;
  last_sent_ = ch.sent();
  last_delivered_ = ch.deliveries();
  last_sample_us_ = t;
  last_latency_index_ = lat.size();
  timeline_.push_back(p);

  ClusterSnapshot snap = target_.snapshot();
  std::map<std::string, double> still_open;
  for (const auto& f : snap.active_faults) {
    auto it = open_windows_.find(f);
    // First seen at this sample: it began within the bucket before (windows are accurate to a
    // bucket; the fault log has exact times).
    still_open[f] = it == open_windows_.end() ? since_start_s(t) : it->second;
  }
  for (const auto& [label, from] : open_windows_) {
    if (!still_open.count(label)) windows_.push_back({label, from, since_start_s(t)});
  }
  open_windows_ = std::move(still_open);
  for (const auto& n : snap.nodes) {
    auto [it, fresh] = nodes_.try_emplace(n.id);
    if (fresh) node_order_.push_back(n.id);
    NodeResources& r = it->second;
    r.id = n.id;
    r.peak_memory_bytes = std::max(r.peak_memory_bytes, n.memory_bytes);
    r.peak_sessions = std::max(r.peak_sessions, n.sessions);
    r.peak_inbox_messages = std::max(r.peak_inbox_messages, n.inbox_messages);
    r.peak_store_rows = std::max(r.peak_store_rows, n.store_rows);
    for (const auto& s : n.shards) {
      for (const auto& h : s.hot_users) peak_hot_buckets_ = std::max(peak_hot_buckets_, h.buckets);
    }
  }
  for (const auto& u : target_.misplaced_sessions()) {
    if (owned_twice_.violations++ < kExamples) {
      owned_twice_.examples.push_back(u + " online on two nodes, or away from its home, at " +
                                      std::to_string(since_start_s(t)) + " s");
      owned_twice_.ids.push_back(u);
    }
  }
  if (options_.observe) options_.observe(target_);
  if (options_.progress && planned_end_us_ > t0_) {
    options_.progress(std::min(0.99, static_cast<double>(t - t0_) /
                                         static_cast<double>(planned_end_us_ - t0_)));
  }
}

ScenarioResult FireRun::finish() {
  sample();
  Checker& ch = target_.checker();
  ch.finish();
  ScenarioResult r;
  r.id = info_.id;
  r.name = info_.name;
  r.description = info_.description;
  r.target = target_.kind();
  r.scale = to_string(options_.scale);
  r.seed = seed_;

  for (const char* kind : kCheckerKinds) {
    InvariantResult inv{kind, ch.count(kind), {}, {}};
    for (const auto& v : ch.violations()) {
      if (v.kind != kind) continue;
      if (inv.examples.size() < kExamples) inv.examples.push_back(v.detail);
      if (!v.id.empty()) inv.ids.push_back(v.id);
    }
    r.invariants.push_back(std::move(inv));
  }
  r.invariants.push_back(owned_twice_);
  if (healed_) {
    InvariantResult live{"liveness_after_heal", converged_ ? 0 : ch.undelivered_acked() + 1, {},
                         {}};
    if (!converged_) {
      char line[160];
      std::snprintf(line, sizeof line,
                    "%llu acknowledged messages undelivered, or sends unanswered (%llu not yet "
                    "taken by clients), %.1f s after recovery",
                    static_cast<unsigned long long>(ch.undelivered_acked()),
                    static_cast<unsigned long long>(backlog()), converge_budget_s_);
      live.examples.push_back(line);
      for (auto& u : ch.unacknowledged(10)) live.examples.push_back("unanswered: " + u);
    }
    r.invariants.push_back(std::move(live));
    // Only meaningful once everything was read: rows left are read messages not deleted.
    const std::uint64_t rows = converged_ ? target_.stored_rows() : 0;
    InvariantResult store{"store_empty_of_read_messages", rows, {}, {}};
    if (rows) {
      store.examples.push_back(std::to_string(rows) +
                               " rows left in the stores after every message was read");
    }
    r.invariants.push_back(std::move(store));
  }
  for (auto& inv : invariants_) r.invariants.push_back(std::move(inv));

  const auto& lat = ch.latencies_us();
  const double drained_s =
      ch.last_delivery_us() > first_send_us_
          ? static_cast<double>(ch.last_delivery_us() - first_send_us_) / kSecond
          : 0;
  auto add = [&](std::string name, double value, std::string unit, std::string how) {
    r.figures.push_back({std::move(name), value, std::move(unit), std::move(how), {}, {}, false});
  };
  add("messages_sent", static_cast<double>(ch.sent()), "msgs", "SEND calls the clients made");
  add("messages_acked", static_cast<double>(ch.acked()), "msgs",
      "SEND_ACK(OK) seen by the clients");
  add("messages_delivered", static_cast<double>(ch.delivered()), "msgs",
      "deliveries to the application, counted by the checker");
  add("throughput_msgs_per_s", drained_s > 0 ? static_cast<double>(ch.delivered()) / drained_s : 0,
      "msgs/s",
      "messages delivered / time from the first scheduled send to the last delivery (drained), "
      "target time");
  const std::string lat_how =
      "target time from the scheduled send to delivery, every message (open loop)";
  add("latency_p50_ms", percentile(lat, 0.5) / 1000, "ms", lat_how);
  add("latency_p99_ms", percentile(lat, 0.99) / 1000, "ms", lat_how);
  add("latency_p999_ms", percentile(lat, 0.999) / 1000, "ms", lat_how);
  add("ack_p99_ms", percentile(ch.ack_latencies_us(), 0.99) / 1000, "ms",
      "target time from the scheduled send to its SEND_ACK(OK)");
  if (converge_s_) {
    add("converge_s", *converge_s_, "s",
        "target time from RecoverAll until every acknowledged message is delivered and every "
        "send answered");
    budgets_.try_emplace("converge_s", converge_budget_s_, Figure::Bound::kAtMost);
  }
  for (auto& f : figures_) r.figures.push_back(std::move(f));
  for (auto& f : r.figures) {
    if (auto b = budgets_.find(f.name); b != budgets_.end()) {
      f.budget = b->second.first;
      f.bound = b->second.second;
    }
    f.headline = f.headline || f.budget.has_value() || f.name == "throughput_msgs_per_s" ||
                 f.name == "latency_p99_ms";
  }

  r.bucket_s = static_cast<double>(bucket_us_) / kSecond;
  r.timeline = timeline_;
  r.fault_windows = windows_;
  for (const auto& [label, from] : open_windows_) {
    r.fault_windows.push_back({label, from, since_start_s(now())});
  }
  for (double q : {0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0}) {
    r.spectrum.push_back({q, percentile(lat, q) / 1000});
  }
  ClusterSnapshot snap = target_.snapshot();
  double forwarded = 0, queued = 0;
  for (const auto& n : snap.nodes) {
    forwarded += static_cast<double>(n.forwarded);
    queued += static_cast<double>(n.handoff_queued);
  }
  add("forwarded", forwarded, "msgs",
      "sent straight to the owner node (live nodes' counters at the end)");
  add("handoff_queued", queued, "msgs",
      "queued for hinted hand-off while the owner was unreachable (live nodes' counters)");
  for (const auto& n : snap.nodes) {
    NodeResources& res = nodes_[n.id];
    res.id = n.id;
    res.alive_at_end = n.alive;
    res.store_rows_at_end = n.store_rows;
    res.sends_accepted = n.sends_accepted;
    res.delivered = n.delivered;
    res.forwarded = n.forwarded;
    res.handoff_queued = n.handoff_queued;
    res.refused = n.refused_store + n.refused_retry_later + n.refused_rate + n.refused_order;
    r.nodes.push_back(res);
  }
  std::string unapplied;
  for (const auto& f : target_.fault_log()) {
    r.faults.push_back({since_start_s(f.at_us), f.what});
    if (!f.applied && unapplied.empty()) unapplied = f.what;
  }
  r.trace_hash = target_.trace_hash();
  r.events = target_.events_run();
  r.virtual_seconds = since_start_s(now());
  r.real_seconds = wall_seconds() - real_start_s_;
  r.replay = replay_command();

  r.pass = !cancelled_ && unapplied.empty();
  if (cancelled_) r.reason = "cancelled";
  if (!unapplied.empty()) r.reason = "a fault was not applied, so the scenario did not run: " + unapplied;
  for (const auto& inv : r.invariants) {
    if (inv.ok() || !r.pass) continue;
    r.pass = false;
    r.reason = "invariant " + inv.name + " violated (" + std::to_string(inv.violations) + ")";
    if (!inv.examples.empty()) r.reason += ": " + inv.examples.front();
  }
  for (const auto& f : r.figures) {
    if (f.ok() || !r.pass) continue;
    r.pass = false;
    char line[200];
    std::snprintf(line, sizeof line, "%s = %.3f %s, budget %s %.3f", f.name.c_str(), f.value,
                  f.unit.c_str(), f.bound == Figure::Bound::kAtMost ? "at most" : "at least",
                  *f.budget);
    r.reason = line;
  }
  if (options_.progress) options_.progress(1.0);
  return r;
}

std::string FireRun::replay_command() const {
  std::string cmd = "iris-fire --scenario " + info_.id + " --seed " + std::to_string(seed_);
  if (options_.scale != Scale::kSmoke) cmd += " --scale " + to_string(options_.scale);
  if (options_.users) cmd += " --users " + std::to_string(options_.users);
  if (options_.sabotage != core::Sabotage::kNone) {
    for (const auto& name : sabotage_names()) {
      if (parse_sabotage(name) == options_.sabotage) cmd += " --sabotage " + name;
    }
  }
  if (!target_.replayable()) {
    if (!options_.real_nodes_args.empty()) cmd += " " + options_.real_nodes_args;
    cmd += "  (real time: runs it again, not an exact replay)";
  }
  return cmd;
}

}  // namespace iris::sim
