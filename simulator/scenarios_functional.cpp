// F1-F6: does messaging work — online, offline, delete-after-read, presence, hot recipients.
// F5, the same over WebSocket, needs real sockets: it runs on a real node started in-process
// (LocalCluster), on real time.

#include <algorithm>
#include <cstdlib>

#include "simulator/fire_run.h"
#include "simulator/local_cluster.h"

namespace iris::sim {

namespace {

using Bound = Figure::Bound;

void three_nodes(SimConfig& c, Scale) {
  c.nodes = 3;
}


ScenarioDef f1() {
  return {{"F1", "Online messaging",
           "Pairs of online users on 3 nodes exchange messages (a quarter to random users) for "
           "5 s. Passes when every message is delivered once, intact, with its sender, and the "
           "send and ack round trips stay within budget (p99 20 ms).",
           true},
          three_nodes,
          [](FireRun& run) {
            const std::uint32_t users = run.users(40, 2000, 20000);
            run.add_users(0, users);
            run.pairs({0, users, 4, run.at_s(1), run.at_s(6), 100, "u"});
            run.run_until(run.at_s(6));
            run.heal_and_converge(5);
            run.require_all_delivered();
            run.budget("latency_p99_ms", 20);
            run.budget("ack_p99_ms", 20);
          }};
}

// Offline senders' workload shared by F2 and F3: `senders` send `each` messages to `recipient`
// between 1 s and 3 s, every third one with the same payload as the one before (identical
// payloads must stay separate messages).
void offline_flood(FireRun& run, const std::string& recipient, std::uint32_t senders,
                   std::uint32_t each) {
  for (std::uint32_t s = 0; s < senders; ++s) {
    const std::string from = FireRun::user(s, "s");
    std::string last;
    for (std::uint32_t k = 0; k < each; ++k) {
      std::string p = (k % 3 == 2) ? last : run.payload(from, recipient, k, 80);
      last = p;
      run.send_at(run.at_s(1) + (2 * kSecond * k) / each + s, from, recipient, std::move(p));
    }
  }
}

ScenarioDef f2() {
  return {{"F2", "Offline storage & retrieval",
           "Senders send to a recipient who is offline (every third payload repeats the one "
           "before); the recipient logs in at 5 s. Passes when every message is delivered once, "
           "in order, none merged, within 2 s of the login.",
           true},
          three_nodes,
          [](FireRun& run) {
            const std::uint32_t senders = run.users(5, 50, 500);
            const std::uint32_t each = run.by_scale(40u, 100u, 100u);
            ClientSpec offline;
            offline.online = false;
            run.target().add_client("r0000", offline);
            run.add_users(0, senders, {}, "s");
            offline_flood(run, "r0000", senders, each);
            run.run_until(run.at_s(5));
            const std::uint64_t login = run.now();
            run.target().set_online("r0000", true);
            run.run_until(run.at_s(10));
            run.heal_and_converge(5);
            run.require_all_delivered();
            const std::uint64_t last = run.target().checker().last_delivery_us();
            run.figure({"retrieval_s", last > login ? static_cast<double>(last - login) / kSecond : 0,
                        "s", "from the recipient's login to its last delivery", 2, Bound::kAtMost,
                        true});
          }};
}

ScenarioDef f3() {
  return {{"F3", "Delete-after-read",
           "As F2, then the recipient acknowledges only 25 deliveries per session, disconnects "
           "and reconnects, until all are read. Passes when acknowledged messages never come "
           "back and are gone from the store after each session, unacknowledged ones are "
           "redelivered, and the store ends empty.",
           true},
          three_nodes,
          [](FireRun& run) {
            const std::uint32_t senders = run.users(5, 50, 500);
            const std::uint32_t each = 20;
            ClientSpec reader;
            reader.online = false;
            reader.acks_per_session = 25;
            FireTarget& t = run.target();
            t.add_client("r0000", reader);
            run.add_users(0, senders, {}, "s");
            offline_flood(run, "r0000", senders, each);
            run.run_until(run.at_s(4));
            const Checker& ch = t.checker();
            const std::uint64_t total = std::uint64_t{senders} * each;
            for (int session = 0; session < 400 && ch.delivered() < total; ++session) {
              t.set_online("r0000", true);
              run.run_until(run.now() + kSecond);
              t.set_online("r0000", false);
              run.run_until(run.now() + kSecond / 2);
              // Read = delivered and not released; the store must hold exactly the rest.
              const std::uint64_t rows = t.stored_rows("r0000");
              run.check("store_holds_exactly_the_unread", rows == total - ch.delivered(),
                        "after session " + std::to_string(session + 1) + ": " +
                            std::to_string(rows) + " rows stored, " +
                            std::to_string(total - ch.delivered()) + " messages unread");
            }
            run.heal_and_converge(5);
            run.require_all_delivered();
            run.check("acked_never_redelivered", t.wire_redeliveries("r0000") == 0,
                      std::to_string(t.wire_redeliveries("r0000")) +
                          " acknowledged messages delivered again on the wire");
            run.figure({"redelivered_unacked", static_cast<double>(ch.released()), "msgs",
                        "deliveries left unacknowledged when a session ended (each must come "
                        "again)", 1, Bound::kAtLeast, true});
          }};
}

ScenarioDef f4() {
  return {{"F4", "Presence",
           "Watchers subscribe to users who go offline and online every 1-2 s on 3 nodes. Passes "
           "when every watcher hears of every transition within 500 ms (p99 under 200 ms), and "
           "after the home node of a user restarts, its last-seen time is still right.",
           true},
          three_nodes,
          [](FireRun& run) {
            const std::uint32_t targets = run.users(10, 200, 1000);
            FireTarget& t = run.target();
            run.add_users(0, targets, {}, "t");
            run.add_users(0, targets, {}, "w");
            // Watcher i follows targets i, i+1, i+2.
            t.at(run.at_s(1), [&t, targets] {
              for (std::uint32_t i = 0; i < targets; ++i) {
                for (std::uint32_t k = 0; k < 3; ++k) {
                  t.subscribe(FireRun::user(i, "w"), FireRun::user((i + k) % targets, "t"));
                }
              }
            });
            struct Transition {
              std::uint32_t target;
              bool online;
              std::uint64_t at_us;
            };
            auto transitions = std::make_shared<std::vector<Transition>>();
            for (std::uint32_t i = 0; i < targets; ++i) {
              std::uint64_t at = run.at_s(2) + run.rng().below(kSecond);
              bool online = false;
              while (at < run.at_s(12)) {
                t.at(at, [&t, transitions, i, online, at] {
                  t.set_online(FireRun::user(i, "t"), online);
                  transitions->push_back({i, online, at});
                });
                online = !online;
                at += kSecond + run.rng().below(kSecond);
              }
            }
            run.run_until(run.at_s(13));
            // Every transition, to every watcher of it: the matching notice within 500 ms.
            std::vector<std::uint64_t> delays;
            for (const auto& tr : *transitions) {
              for (std::uint32_t k = 0; k < 3; ++k) {
                const std::string watcher = FireRun::user((tr.target + targets - k) % targets, "w");
                const std::string name = FireRun::user(tr.target, "t");
                const auto& seen = t.presence_seen(watcher);
                auto it = std::find_if(seen.begin(), seen.end(), [&](const PresenceSeen& p) {
                  return p.target == name && p.online == tr.online && p.at_us >= tr.at_us;
                });
                const bool ok = it != seen.end() && it->at_us - tr.at_us <= 500'000;
                if (it != seen.end()) delays.push_back(it->at_us - tr.at_us);
                run.check("presence_notified", ok,
                          watcher + " not told within 500 ms that " + name + " went " +
                              (tr.online ? "online" : "offline") + " at " +
                              std::to_string(run.since_start_s(tr.at_us)) + " s");
              }
            }
            const double p99 = percentile(std::move(delays), 0.99) / 1000;
            run.figure({"presence_p99_ms", p99, "ms",
                        "from a user's login or logout to a watcher's notice, every transition "
                        "and watcher",
                        200, Bound::kAtMost, true});
            // Last seen after a restart: t0000 goes offline, its home node restarts, a watcher asks.
            const std::string subject = FireRun::user(0, "t");
            t.set_online(subject, true);
            run.run_until(run.now() + kSecond);
            t.set_online(subject, false);
            const std::uint64_t went = run.now();
            run.run_until(run.now() + kSecond);
            const std::uint32_t home = t.owner_of(subject);
            t.apply(KillNode{home});
            run.run_until(run.now() + kSecond / 2);
            t.apply(RestartNode{home});
            run.run_until(run.now() + 2 * kSecond);
            const std::string asker = FireRun::user(0, "w");
            t.query_presence(asker, subject);
            run.run_until(run.now() + kSecond);
            const auto& seen = t.presence_seen(asker);
            auto it = std::find_if(seen.rbegin(), seen.rend(),
                                   [&](const PresenceSeen& p) { return p.target == subject; });
            const std::int64_t error_ms =
                it == seen.rend() ? -1
                                  : std::llabs(static_cast<long long>(it->last_seen_ms) -
                                               static_cast<long long>(went / 1000));
            run.check("last_seen_after_restart", error_ms >= 0 && error_ms <= 1000,
                      error_ms < 0 ? "no answer about " + subject
                                   : subject + "'s last seen is off by " +
                                         std::to_string(error_ms) + " ms after its node restarted");
            run.heal_and_converge(5);
          }};
}

ScenarioDef f6() {
  return {{"F6", "Hot-key bucketing",
           "Thirty fans send 300 messages/s together to one recipient, over a hot threshold of "
           "100/s. Passes when the recipient is promoted to at least 2 inbox buckets, at least "
           "half its messages go through buckets, every fan's order holds, and 99% of what was "
           "offered is taken.",
           true},
          [](SimConfig& c, Scale s) {
            c.nodes = 3;
            c.core.hot_threshold_msgs_per_s = s == Scale::kSmoke ? 100 : 1000;
          },
          [](FireRun& run) {
            const std::uint32_t fans = run.users(30, 500, 5000);
            run.target().add_client("h0000", {});
            run.add_users(0, fans, {}, "f");
            FireRun::FanIn f;
            for (std::uint32_t i = 0; i < fans; ++i) f.senders.push_back(FireRun::user(i, "f"));
            f.recipient = "h0000";
            f.total_per_s = run.by_scale(300.0, 3000.0, 6000.0);
            f.from_us = run.at_s(1);
            f.until_us = run.at_s(7);
            run.fan_in(f);
            run.run_until(run.at_s(7));
            const Checker& ch = run.target().checker();
            const double offered = static_cast<double>(ch.sent());
            const double acked_in_time = static_cast<double>(ch.acked());
            run.heal_and_converge(5);
            run.require_all_delivered();
            double bucketed = 0, accepted = 0;
            for (const auto& n : run.target().snapshot().nodes) {
              bucketed += static_cast<double>(n.bucketed_messages);
              accepted += static_cast<double>(n.sends_accepted);
            }
            run.figure({"peak_hot_buckets", static_cast<double>(run.peak_hot_buckets()), "",
                        "most inbox buckets the recipient had at a sample", 2, Bound::kAtLeast,
                        true});
            run.figure({"bucketed_share", accepted > 0 ? bucketed / accepted : 0, "",
                        "messages accepted into buckets / messages accepted", 0.5,
                        Bound::kAtLeast, true});
            run.figure({"taken_of_offered", offered > 0 ? acked_in_time / offered : 0, "",
                        "messages acknowledged by the end of the fan-in / messages offered", 0.99,
                        Bound::kAtLeast, true});
          }};
}

ScenarioDef f5() {
  ScenarioDef d{{"F5", "WebSocket",
                 "F1-F3 over WebSocket on a real node started in-process (real sockets on "
                 "127.0.0.1, real time): pairs chat online; a recipient offline during a flood "
                 "logs in; a reader acknowledges 40 deliveries per session and reconnects until "
                 "all are read. Passes with the same invariants and budgets as F1-F3.",
                 true},
                nullptr,
                [](FireRun& run) {
                  FireTarget& t = run.target();
                  // Real clients driven from one thread, next to the node's threads on this
                  // machine's cores: the same modest count at every scale.
                  const std::uint32_t users = run.users(20, 40, 40);
                  const std::uint32_t senders = 5, each = 20;
                  run.add_users(0, users);
                  run.add_users(0, senders, {}, "s");
                  ClientSpec offline;
                  offline.online = false;
                  t.add_client("r0000", offline);
                  ClientSpec reader = offline;
                  reader.acks_per_session = 40;
                  t.add_client("r0001", reader);
                  run.pairs({0, users, 4, run.at_s(0.5), run.at_s(3), 100, "u"});  // F1
                  offline_flood(run, "r0000", senders, each);                       // F2
                  offline_flood(run, "r0001", senders, each);                       // F3
                  run.run_until(run.at_s(3.5));
                  // Only the pairs' messages are delivered so far: the recipients are offline.
                  const double online_p50 = run.latency_percentile_ms(0.5);
                  const double online_p99 = run.latency_percentile_ms(0.99);
                  const std::uint64_t login = run.now();
                  t.set_online("r0000", true);
                  run.run_until(run.at_s(5));
                  const std::uint64_t retrieved = t.checker().last_delivery_us();
                  const Checker& ch = t.checker();
                  for (int session = 0; session < 20 && ch.delivered() < ch.sent(); ++session) {
                    t.set_online("r0001", true);
                    run.run_until(run.now() + kSecond / 2);
                    t.set_online("r0001", false);
                    run.run_until(run.now() + kSecond / 4);
                    const std::uint64_t rows = t.stored_rows();
                    const std::uint64_t unread = ch.sent() - ch.delivered();
                    run.check("store_holds_exactly_the_unread", rows == unread,
                              "after session " + std::to_string(session + 1) + ": " +
                                  std::to_string(rows) + " rows stored, " +
                                  std::to_string(unread) + " messages unread");
                  }
                  run.heal_and_converge(10);
                  run.require_all_delivered();
                  run.figure({"retrieval_s",
                              retrieved > login ? static_cast<double>(retrieved - login) / kSecond
                                                : 0,
                              "s", "from the offline recipient's login to its last delivery", 2,
                              Bound::kAtMost, true});
                  run.check("acked_never_redelivered", t.wire_redeliveries("r0001") == 0,
                            std::to_string(t.wire_redeliveries("r0001")) +
                                " acknowledged messages delivered again on the wire");
                  run.figure({"redelivered_unacked", static_cast<double>(ch.released()), "msgs",
                              "deliveries left unacknowledged when a session ended", 1,
                              Bound::kAtLeast, true});
                  run.figure({"online_latency_p50_ms", online_p50, "ms",
                              "send to delivery between online users (the F1 part), real time",
                              {}, Bound::kAtMost, true});
                  run.figure({"online_latency_p99_ms", online_p99, "ms",
                              "send to delivery between online users (the F1 part), real time",
                              20, Bound::kAtMost, true});
                  run.budget("ack_p99_ms", 20);
                }};
  d.real_target = [](const ScenarioOptions& o, std::string& error) -> std::unique_ptr<FireTarget> {
    LocalClusterOptions lo;
    lo.sabotage = o.sabotage;
    auto c = std::make_unique<LocalCluster>(lo);
    if (!c->start_error().empty()) {
      error = c->start_error();
      return nullptr;
    }
    return c;
  };
  return d;
}

}  // namespace

std::vector<ScenarioDef> functional_scenarios() {
  return {f1(), f2(), f3(), f4(), f5(), f6()};
}

}  // namespace iris::sim
