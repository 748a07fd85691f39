// cluster::Membership: the per-peer circuit breaker, heartbeats, backoff and determinism. Time is
// driven by hand; nothing here sleeps.

#include <QtTest>
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "engine/cluster/membership.h"

using namespace iris::cluster;

namespace {

constexpr std::uint64_t kMs = 1000;
constexpr std::uint64_t kEpoch = 7;

View make_view(std::size_t n, NodeIndex self) {
  View v;
  v.epoch = kEpoch;
  v.self = self;
  for (std::size_t i = 0; i < n; ++i) {
    v.members.push_back(Member{"node-" + std::to_string(10 + i), "", ""});  // sorted by id
  }
  return v;
}

MembershipConfig make_config(double jitter = 0.2) {
  MembershipConfig c;  // 100 ms heartbeats, down after 1 s, backoff 100 ms .. 5 s
  c.jitter = jitter;
  return c;
}

Heartbeat heartbeat(std::uint64_t seq, std::uint64_t sent_us) {
  Heartbeat hb;
  hb.seq = seq;
  hb.sent_us = sent_us;
  hb.epoch = kEpoch;
  return hb;
}

HeartbeatAck heartbeat_ack(std::uint64_t seq, std::uint64_t echo_sent_us) {
  HeartbeatAck ack;
  ack.seq = seq;
  ack.echo_sent_us = echo_sent_us;
  return ack;
}

QString describe(const MembershipAction& action) {
  return std::visit(
      [](const auto& a) -> QString {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, Dial>) {
          return QStringLiteral("dial %1").arg(a.peer);
        } else if constexpr (std::is_same_v<T, CloseLink>) {
          return QStringLiteral("close %1").arg(a.peer);
        } else if constexpr (std::is_same_v<T, SendHeartbeat>) {
          return QStringLiteral("hb %1 seq=%2 sent=%3 epoch=%4")
              .arg(a.peer)
              .arg(quint64(a.hb.seq))
              .arg(quint64(a.hb.sent_us))
              .arg(quint64(a.hb.epoch));
        } else if constexpr (std::is_same_v<T, SendHeartbeatAck>) {
          return QStringLiteral("ack %1 seq=%2 echo=%3")
              .arg(a.peer)
              .arg(quint64(a.ack.seq))
              .arg(quint64(a.ack.echo_sent_us));
        } else {
          return QStringLiteral("status %1 %2").arg(a.peer).arg(a.up ? "up" : "down");
        }
      },
      action);
}

QStringList trace(const std::vector<MembershipAction>& actions) {
  QStringList out;
  for (const auto& a : actions) out << describe(a);
  return out;
}

NodeIndex target_of(const MembershipAction& action) {
  return std::visit([](const auto& a) { return a.peer; }, action);
}

PeerInfo info(const Membership& m, NodeIndex node) {
  for (const PeerInfo& p : m.peers()) {
    if (p.node == node) return p;
  }
  qFatal("no such peer");
}

// Self is node 0 of a two-node view: dial node 1 at `t`, link up at t+1, its heartbeat at t+2.
// Returns the time the peer came up.
std::uint64_t bring_up(Membership& m, std::uint64_t t) {
  m.on_tick(t);
  m.on_link_up(1, t + 1);
  m.on_heartbeat(1, heartbeat(1, t + 1), t + 2);
  m.take_actions();
  return t + 2;
}

bool in_range(std::uint64_t v, double lo, double hi) {
  return static_cast<double>(v) >= lo && static_cast<double>(v) <= hi;
}

// A tiny deterministic generator for test scripts (independent of the one under test).
struct ScriptRng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
};

}  // namespace

class TstMembership : public QObject {
  Q_OBJECT

 private slots:
  void dialsOnlyTowardHigherIds();
  void linkUpThenFirstHeartbeatBringsPeerUp();
  void heartbeatsEveryPeriodAcksEchoAndRtt();
  void silenceTakesPeerDownAndRetriesAfterBackoff();
  void silenceInHalfOpenIsAFailureWithoutStatusChange();
  void backoffIsJitteredWithinBounds();
  void backoffDoublesUpToTheCapAndSuccessResetsIt();
  void linkDownWhileConnectingIsAFailure();
  void connectingTimesOut();
  void higherIdSideNeverDialsButComesUpWhenDialed();
  void newLinkReplacesAnUpLink();
  void twoNodesKeepEachOtherUpAndRecoverFromAPartition();
  void sameSeedSameActionsDifferentSeedDifferentRetries();
  void nextDeadlineIsExact();
  void singleMemberViewEmitsNothing();
  void linkStateNames();
};

void TstMembership::dialsOnlyTowardHigherIds() {
  Membership m(make_view(4, 1), make_config(), 1, 1000);
  QVERIFY(m.take_actions().empty());  // nothing before the first tick
  QCOMPARE(m.next_deadline_us(), std::uint64_t{1000});
  m.on_tick(999);
  QVERIFY(m.take_actions().empty());
  m.on_tick(1000);
  QCOMPARE(trace(m.take_actions()), QStringList({"dial 2", "dial 3"}));

  const auto peers = m.peers();
  QCOMPARE(peers.size(), std::size_t{3});
  QCOMPARE(peers[0].node, NodeIndex{0});
  QCOMPARE(peers[0].state, LinkState::kOpen);
  QCOMPARE(peers[0].retry_at_us, std::uint64_t{0});
  QCOMPARE(peers[1].node, NodeIndex{2});
  QCOMPARE(peers[1].state, LinkState::kConnecting);
  QCOMPARE(peers[2].node, NodeIndex{3});
  QCOMPARE(peers[2].state, LinkState::kConnecting);

  // Nobody answers for a minute: redials go to 2 and 3 only, never to 0 (or to self).
  int dials = 0;
  for (std::uint64_t t = 1000, ticks = 0; t < 60'000 * kMs; ++ticks) {
    QVERIFY(ticks < 1000);  // deadlines must move on
    t = m.next_deadline_us();
    m.on_tick(t);
    for (const auto& a : m.take_actions()) {
      QVERIFY(target_of(a) == 2 || target_of(a) == 3);
      if (std::holds_alternative<Dial>(a)) ++dials;
    }
  }
  QVERIFY(dials > 10);
}

void TstMembership::linkUpThenFirstHeartbeatBringsPeerUp() {
  Membership m(make_view(2, 0), make_config(), 1, 0);
  m.on_tick(0);
  QCOMPARE(trace(m.take_actions()), QStringList({"dial 1"}));
  QCOMPARE(info(m, 1).state, LinkState::kConnecting);

  m.on_link_up(1, 500);  // half-open: our heartbeat goes out at once
  QCOMPARE(trace(m.take_actions()), QStringList({"hb 1 seq=1 sent=500 epoch=7"}));
  QCOMPARE(info(m, 1).state, LinkState::kHalfOpen);
  QVERIFY(!m.is_up(1));

  // Other frames, even an ack of our heartbeat, do not prove the peer hears us: still half-open.
  m.on_frame(1, 600);
  m.on_heartbeat_ack(1, heartbeat_ack(1, 500), 700);
  QVERIFY(m.take_actions().empty());
  QCOMPARE(info(m, 1).state, LinkState::kHalfOpen);
  QVERIFY(!m.is_up(1));

  m.on_heartbeat(1, heartbeat(1, 650), 800);
  QCOMPARE(trace(m.take_actions()), QStringList({"status 1 up", "ack 1 seq=1 echo=650"}));
  QVERIFY(m.is_up(1));
  QVERIFY(m.is_up(0));  // self
  PeerInfo p = info(m, 1);
  QCOMPARE(p.state, LinkState::kClosed);
  QVERIFY(p.up);
  QCOMPARE(p.ups, std::uint64_t{1});
  QCOMPARE(p.downs, std::uint64_t{0});
  QCOMPARE(p.last_heard_us, std::uint64_t{800});

  // Later heartbeats are only answered: "up" is reported exactly once.
  for (std::uint64_t seq = 2; seq < 10; ++seq) {
    m.on_heartbeat(1, heartbeat(seq, 800 + seq), 900 + seq);
    QCOMPARE(trace(m.take_actions()),
             QStringList({QStringLiteral("ack 1 seq=%1 echo=%2").arg(seq).arg(800 + seq)}));
  }
  QCOMPARE(info(m, 1).ups, std::uint64_t{1});
}

void TstMembership::heartbeatsEveryPeriodAcksEchoAndRtt() {
  const MembershipConfig cfg = make_config();
  Membership m(make_view(2, 0), cfg, 1, 0);
  m.on_tick(0);
  m.on_link_up(1, 10);
  m.on_heartbeat(1, heartbeat(1, 5), 20);
  QCOMPARE(trace(m.take_actions()), QStringList({"dial 1", "hb 1 seq=1 sent=10 epoch=7",
                                                 "status 1 up", "ack 1 seq=1 echo=5"}));
  QCOMPARE(info(m, 1).rtt_us, std::uint64_t{0});  // no sample yet

  for (std::uint64_t k = 1; k <= 30; ++k) {
    const std::uint64_t t = 10 + k * cfg.heartbeat_us;
    QCOMPARE(m.next_deadline_us(), t);
    m.on_tick(t - 1);
    QVERIFY(m.take_actions().empty());
    m.on_tick(t);
    QCOMPARE(trace(m.take_actions()),
             QStringList({QStringLiteral("hb 1 seq=%1 sent=%2 epoch=7").arg(k + 1).arg(t)}));
    // The peer acks it (which also keeps the link alive): RTT = now - echoed send time.
    m.on_heartbeat_ack(1, heartbeat_ack(k + 1, t), t + 1000 + k);
    QCOMPARE(info(m, 1).rtt_us, 1000 + k);
  }
  const std::uint64_t now = 10 + 30 * cfg.heartbeat_us + 5000;
  // Acks that do not match a heartbeat we sent give no sample.
  m.on_heartbeat_ack(1, heartbeat_ack(99, now - 10), now);     // never sent
  m.on_heartbeat_ack(1, heartbeat_ack(0, now - 10), now);      // never sent
  m.on_heartbeat_ack(1, heartbeat_ack(5, now + 10'000), now);  // echo from the future
  QCOMPARE(info(m, 1).rtt_us, std::uint64_t{1030});
  QVERIFY(m.is_up(1));
  QVERIFY(m.take_actions().empty());
}

void TstMembership::silenceTakesPeerDownAndRetriesAfterBackoff() {
  const MembershipConfig cfg = make_config(0.2);
  Membership m(make_view(2, 0), cfg, 3, 0);
  const std::uint64_t up = bring_up(m, 0);  // last heard at `up`
  const std::uint64_t down_at = up + cfg.down_after_us;

  // Our heartbeats keep going out, but nothing comes back.
  std::uint64_t t = up;
  for (int ticks = 0; (t = m.next_deadline_us()) < down_at; ++ticks) {
    QVERIFY(ticks < 100);
    m.on_tick(t);
    const auto actions = m.take_actions();
    QCOMPARE(actions.size(), std::size_t{1});
    QVERIFY(std::holds_alternative<SendHeartbeat>(actions[0]));
  }
  QCOMPARE(t, down_at);
  m.on_tick(down_at - 1);
  QVERIFY(m.take_actions().empty());
  QVERIFY(m.is_up(1));

  m.on_tick(down_at);
  QCOMPARE(trace(m.take_actions()), QStringList({"close 1", "status 1 down"}));
  QVERIFY(!m.is_up(1));
  const PeerInfo p = info(m, 1);
  QCOMPARE(p.state, LinkState::kOpen);
  QVERIFY(!p.up);
  QCOMPARE(p.consecutive_failures, std::uint32_t{1});
  QCOMPARE(p.ups, std::uint64_t{1});
  QCOMPARE(p.downs, std::uint64_t{1});
  QVERIFY(in_range(p.retry_at_us - down_at, 0.8 * cfg.backoff_min_us, 1.2 * cfg.backoff_min_us));

  QCOMPARE(m.next_deadline_us(), p.retry_at_us);
  m.on_tick(p.retry_at_us - 1);
  QVERIFY(m.take_actions().empty());
  m.on_tick(p.retry_at_us);
  QCOMPARE(trace(m.take_actions()), QStringList({"dial 1"}));
}

void TstMembership::silenceInHalfOpenIsAFailureWithoutStatusChange() {
  const MembershipConfig cfg = make_config();
  Membership m(make_view(2, 0), cfg, 3, 0);
  m.on_tick(0);
  m.on_link_up(1, 100);
  m.take_actions();
  m.on_frame(1, 300);  // refreshes last_heard: the timeout runs from here
  int heartbeats = 0;  // half-open links heartbeat too: at 100100, 200100, ... 900100
  for (std::uint64_t t = 300; t < 300 + cfg.down_after_us; t += 1000) {
    m.on_tick(t);
    for (const auto& a : m.take_actions()) {
      QVERIFY(std::holds_alternative<SendHeartbeat>(a));
      ++heartbeats;
    }
  }
  QCOMPARE(heartbeats, 9);
  QCOMPARE(info(m, 1).state, LinkState::kHalfOpen);
  m.on_tick(300 + cfg.down_after_us);
  QCOMPARE(trace(m.take_actions()), QStringList({"close 1"}));  // it was never up
  const PeerInfo p = info(m, 1);
  QCOMPARE(p.state, LinkState::kOpen);
  QCOMPARE(p.consecutive_failures, std::uint32_t{1});
  QCOMPARE(p.downs, std::uint64_t{0});
}

void TstMembership::backoffIsJitteredWithinBounds() {
  // Over many seeds the first delay covers [0.8, 1.2] x backoff_min and never leaves it.
  const MembershipConfig cfg = make_config(0.2);
  const double base = static_cast<double>(cfg.backoff_min_us);
  double lo = 1e18, hi = 0;
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    Membership m(make_view(2, 0), cfg, seed, 0);
    m.on_tick(0);
    m.on_link_down(1, 50);
    const double delay = static_cast<double>(info(m, 1).retry_at_us - 50);
    QVERIFY2(delay >= 0.8 * base && delay <= 1.2 * base, qPrintable(QString::number(delay)));
    lo = std::min(lo, delay);
    hi = std::max(hi, delay);
  }
  QVERIFY(lo < 0.85 * base);
  QVERIFY(hi > 1.15 * base);
}

void TstMembership::backoffDoublesUpToTheCapAndSuccessResetsIt() {
  for (const double jitter : {0.0, 0.2}) {
    MembershipConfig cfg = make_config(jitter);
    cfg.backoff_min_us = 100 * kMs;
    cfg.backoff_max_us = 1000 * kMs;
    const std::uint64_t expected[] = {100, 200, 400, 800, 1000, 1000, 1000, 1000};
    Membership m(make_view(2, 0), cfg, 9, 0);
    std::uint64_t t = 0;
    for (std::uint32_t i = 0; i < std::size(expected); ++i) {
      t = m.next_deadline_us();
      m.on_tick(t);
      QCOMPARE(trace(m.take_actions()), QStringList({"dial 1"}));
      m.on_link_down(1, t + 7);  // the dial fails
      const PeerInfo p = info(m, 1);
      QCOMPARE(p.consecutive_failures, i + 1);
      const double base = static_cast<double>(expected[i] * kMs);
      const std::uint64_t delay = p.retry_at_us - (t + 7);
      QVERIFY2(in_range(delay, base * (1 - jitter), base * (1 + jitter)),
               qPrintable(QStringLiteral("failure %1: delay %2").arg(i + 1).arg(delay)));
    }
    // A success resets the count: the next failure backs off by backoff_min again.
    t = bring_up(m, m.next_deadline_us());
    QCOMPARE(info(m, 1).consecutive_failures, std::uint32_t{0});
    m.on_link_down(1, t + 10);
    QCOMPARE(trace(m.take_actions()), QStringList({"status 1 down"}));
    const PeerInfo p = info(m, 1);
    QCOMPARE(p.consecutive_failures, std::uint32_t{1});
    QVERIFY(in_range(p.retry_at_us - (t + 10), 100 * kMs * (1 - jitter), 100 * kMs * (1 + jitter)));
  }
}

void TstMembership::linkDownWhileConnectingIsAFailure() {
  const MembershipConfig cfg = make_config();
  Membership m(make_view(2, 0), cfg, 5, 0);
  m.on_tick(0);
  QCOMPARE(trace(m.take_actions()), QStringList({"dial 1"}));
  m.on_link_down(1, 40);
  QVERIFY(m.take_actions().empty());  // the driver dropped it already; never up, no status
  PeerInfo p = info(m, 1);
  QCOMPARE(p.state, LinkState::kOpen);
  QCOMPARE(p.consecutive_failures, std::uint32_t{1});
  QVERIFY(in_range(p.retry_at_us - 40, 0.8 * cfg.backoff_min_us, 1.2 * cfg.backoff_min_us));

  // A late report about a link we no longer have changes nothing.
  m.on_link_down(1, 50);
  QVERIFY(m.take_actions().empty());
  QCOMPARE(info(m, 1).consecutive_failures, std::uint32_t{1});
  QCOMPARE(info(m, 1).retry_at_us, p.retry_at_us);
}

void TstMembership::connectingTimesOut() {
  const MembershipConfig cfg = make_config();
  Membership m(make_view(2, 0), cfg, 5, 0);
  m.on_tick(100);
  QCOMPARE(trace(m.take_actions()), QStringList({"dial 1"}));
  QCOMPARE(m.next_deadline_us(), 100 + cfg.down_after_us);
  m.on_tick(100 + cfg.down_after_us - 1);
  QVERIFY(m.take_actions().empty());
  QCOMPARE(info(m, 1).state, LinkState::kConnecting);
  m.on_tick(100 + cfg.down_after_us);
  QCOMPARE(trace(m.take_actions()), QStringList({"close 1"}));  // abandon the dial
  const PeerInfo p = info(m, 1);
  QCOMPARE(p.state, LinkState::kOpen);
  QCOMPARE(p.consecutive_failures, std::uint32_t{1});
  QCOMPARE(p.downs, std::uint64_t{0});
  QVERIFY(p.retry_at_us > 100 + cfg.down_after_us);
}

void TstMembership::higherIdSideNeverDialsButComesUpWhenDialed() {
  Membership m(make_view(3, 2), make_config(), 1, 0);
  QCOMPARE(m.next_deadline_us(), kNoDeadline);
  for (std::uint64_t t = 0; t < 20'000 * kMs; t += 50 * kMs) m.on_tick(t);
  QVERIFY(m.take_actions().empty());

  std::uint64_t t = 20'000 * kMs;
  m.on_link_up(0, t);  // node 0 dialed us
  QCOMPARE(trace(m.take_actions()),
           QStringList({QStringLiteral("hb 0 seq=1 sent=%1 epoch=7").arg(t)}));
  m.on_heartbeat(0, heartbeat(4, t - 3), t + 1);
  QCOMPARE(trace(m.take_actions()),
           QStringList({"status 0 up", QStringLiteral("ack 0 seq=4 echo=%1").arg(t - 3)}));
  QVERIFY(m.is_up(0));
  QVERIFY(!m.is_up(1));

  m.on_link_down(0, t + 5);
  QCOMPARE(trace(m.take_actions()), QStringList({"status 0 down"}));
  PeerInfo p = info(m, 0);
  QCOMPARE(p.consecutive_failures, std::uint32_t{1});
  QCOMPARE(p.retry_at_us, std::uint64_t{0});  // we wait to be dialed again
  QCOMPARE(m.next_deadline_us(), kNoDeadline);
  for (t += 10; t < 40'000 * kMs; t += 50 * kMs) m.on_tick(t);
  QVERIFY(m.take_actions().empty());

  m.on_link_up(0, t);
  m.on_heartbeat(0, heartbeat(1, t), t);
  QVERIFY(m.is_up(0));
  p = info(m, 0);
  QCOMPARE(p.ups, std::uint64_t{2});
  QCOMPARE(p.consecutive_failures, std::uint32_t{0});
}

void TstMembership::newLinkReplacesAnUpLink() {
  Membership m(make_view(2, 0), make_config(), 1, 0);
  const std::uint64_t t = bring_up(m, 0);
  // The peer restarted and dialed... a new identified link: it must prove itself again.
  m.on_link_up(1, t + 100);
  QCOMPARE(
      trace(m.take_actions()),
      QStringList({"status 1 down", QStringLiteral("hb 1 seq=2 sent=%1 epoch=7").arg(t + 100)}));
  QCOMPARE(info(m, 1).state, LinkState::kHalfOpen);
  m.on_heartbeat(1, heartbeat(1, t + 150), t + 200);
  QCOMPARE(trace(m.take_actions()),
           QStringList({"status 1 up", QStringLiteral("ack 1 seq=1 echo=%1").arg(t + 150)}));
  const PeerInfo p = info(m, 1);
  QCOMPARE(p.ups, std::uint64_t{2});
  QCOMPARE(p.downs, std::uint64_t{1});
  QCOMPARE(p.consecutive_failures, std::uint32_t{0});
}

// Two real Memberships wired back to back through a toy network with instant delivery.
void TstMembership::twoNodesKeepEachOtherUpAndRecoverFromAPartition() {
  const MembershipConfig cfg = make_config();
  Membership nodes[2] = {Membership(make_view(2, 0), cfg, 1, 0),
                         Membership(make_view(2, 1), cfg, 2, 0)};
  bool network = true;  // false: every packet and every new connection is lost
  bool link = false;    // a TCP connection exists between them
  std::uint64_t now = 0;

  auto pump = [&] {
    for (bool busy = true; busy;) {
      busy = false;
      for (int i = 0; i < 2; ++i) {
        Membership& self = nodes[i];
        Membership& other = nodes[1 - i];
        const auto me = static_cast<NodeIndex>(i);
        const auto peer = static_cast<NodeIndex>(1 - i);
        for (const auto& a : self.take_actions()) {
          busy = true;
          QCOMPARE(target_of(a), peer);
          if (std::holds_alternative<Dial>(a)) {
            QVERIFY(!link);
            if (network) {
              link = true;
              self.on_link_up(peer, now);
              other.on_link_up(me, now);
            } else {
              self.on_link_down(peer, now);
            }
          } else if (std::holds_alternative<CloseLink>(a)) {
            if (link) other.on_link_down(me, now);  // the other end sees the close
            link = false;
          } else if (const auto* hb = std::get_if<SendHeartbeat>(&a)) {
            if (network && link) other.on_heartbeat(me, hb->hb, now);
          } else if (const auto* ack = std::get_if<SendHeartbeatAck>(&a)) {
            if (network && link) other.on_heartbeat_ack(me, ack->ack, now);
          }
        }
      }
    }
  };
  auto run_until = [&](std::uint64_t until) {  // false: stuck (a deadline that does not move)
    for (int ticks = 0;; ++ticks) {
      const std::uint64_t d = std::min(nodes[0].next_deadline_us(), nodes[1].next_deadline_us());
      if (d > until) break;
      if (ticks > 100'000) return false;
      now = std::max(now, d);
      nodes[0].on_tick(now);
      nodes[1].on_tick(now);
      pump();
    }
    now = until;
    return true;
  };

  QVERIFY(run_until(10'000 * kMs));
  QVERIFY(nodes[0].is_up(1));
  QVERIFY(nodes[1].is_up(0));
  QCOMPARE(info(nodes[0], 1).downs, std::uint64_t{0});  // heartbeats kept it alive for 10 s
  QCOMPARE(info(nodes[1], 0).downs, std::uint64_t{0});

  network = false;
  QVERIFY(run_until(10'000 * kMs + cfg.down_after_us + cfg.heartbeat_us));
  QVERIFY(!nodes[0].is_up(1));
  QVERIFY(!nodes[1].is_up(0));
  QCOMPARE(info(nodes[0], 1).downs, std::uint64_t{1});
  QCOMPARE(info(nodes[1], 0).downs, std::uint64_t{1});

  QVERIFY(run_until(20'000 * kMs));  // still partitioned: dials fail and back off
  QVERIFY(info(nodes[0], 1).consecutive_failures > 3);
  network = true;
  QVERIFY(run_until(20'000 * kMs + cfg.backoff_max_us * 2));
  QVERIFY(nodes[0].is_up(1));
  QVERIFY(nodes[1].is_up(0));
  QCOMPARE(info(nodes[0], 1).ups, std::uint64_t{2});
  QCOMPARE(info(nodes[1], 0).ups, std::uint64_t{2});
}

namespace {

// Feeds a long pseudo-random script of events (the same script for every seed) into a
// Membership of 6 nodes (self 2), ticking at every deadline, and records every action and
// every new retry time. Checks the invariants on the way ("BROKEN: ..." lines).
QStringList run_script(std::uint64_t seed) {
  const MembershipConfig cfg = make_config();
  const NodeIndex self = 2;
  Membership m(make_view(6, self), cfg, seed, 0);
  ScriptRng script{12345};
  QStringList out;
  std::map<NodeIndex, std::uint64_t> retry_at;
  std::map<NodeIndex, bool> up;  // last status reported per peer
  std::uint64_t now = 0;

  auto record = [&](std::uint64_t t) {
    for (const auto& a : m.take_actions()) {
      if (target_of(a) == self) out << "BROKEN: action for self";
      out << QStringLiteral("%1 %2").arg(t).arg(describe(a));
      if (const auto* s = std::get_if<StatusChanged>(&a)) {
        // Up and down alternate per peer.
        if (up.count(s->peer) && up[s->peer] == s->up) out << "BROKEN: status repeated";
        up[s->peer] = s->up;
      }
    }
    for (const PeerInfo& p : m.peers()) {
      if (p.up != (p.state == LinkState::kClosed) || p.up != m.is_up(p.node) ||
          (up.count(p.node) && up[p.node] != p.up)) {
        out << "BROKEN: inconsistent status";
      }
      if (retry_at[p.node] != p.retry_at_us) {
        retry_at[p.node] = p.retry_at_us;
        out << QStringLiteral("%1 retry %2 at %3").arg(t).arg(p.node).arg(p.retry_at_us);
      }
    }
  };

  for (int step = 0; step < 5000; ++step) {
    const std::uint64_t target = now + script.below(300 * kMs);
    for (int ticks = 0; m.next_deadline_us() <= target; ++ticks) {
      if (ticks > 1000) return out << "STUCK";  // a deadline that does not move
      now = std::max(now, m.next_deadline_us());
      m.on_tick(now);
      record(now);
    }
    now = target;
    const auto peer = static_cast<NodeIndex>(script.below(6));  // self included: ignored
    switch (script.below(10)) {
      case 0:
        m.on_link_up(peer, now);
        break;
      case 1:
        m.on_link_down(peer, now);
        break;
      case 2:
      case 3:
        m.on_frame(peer, now);
        break;
      case 4:
      case 5:
      case 6:
        m.on_heartbeat(peer, heartbeat(script.below(100), now - script.below(now + 1)), now);
        break;
      case 7:
      case 8:
        m.on_heartbeat_ack(peer, heartbeat_ack(script.below(100), now - script.below(50 * kMs)),
                           now);
        break;
      default:
        m.on_tick(now);
        break;
    }
    record(now);
  }
  return out;
}

}  // namespace

void TstMembership::sameSeedSameActionsDifferentSeedDifferentRetries() {
  const QStringList a = run_script(42);
  const QStringList b = run_script(42);
  QVERIFY(a.size() > 5000);
  QVERIFY(!a.contains("STUCK"));
  QCOMPARE(a.filter("BROKEN").join(", "), QString());
  QCOMPARE(a, b);

  const QStringList c = run_script(43);
  QVERIFY(a != c);
  const QStringList retries_a = a.filter(" retry ");
  const QStringList retries_c = c.filter(" retry ");
  QVERIFY(retries_a.size() > 50);
  // The first retry is scheduled at the same moment under both seeds, at a different time.
  QCOMPARE(retries_a[0].section(' ', 0, 2), retries_c[0].section(' ', 0, 2));
  QVERIFY(retries_a[0] != retries_c[0]);
}

void TstMembership::nextDeadlineIsExact() {
  // Self 0 of 4: node 1 answers everything, node 2 never accepts a dial (connect timeouts),
  // node 3 connects but never heartbeats (half-open timeouts).
  Membership m(make_view(4, 0), make_config(), 11, 1000);
  std::uint64_t now = 1000;
  std::map<NodeIndex, int> kinds;
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t d = m.next_deadline_us();
    QVERIFY(d != kNoDeadline);
    QVERIFY(d >= now);
    if (d > now) {
      m.on_tick(d - 1);
      QVERIFY2(m.take_actions().empty(), qPrintable(QStringLiteral("early tick at %1").arg(d - 1)));
    }
    now = d;
    m.on_tick(now);
    const auto actions = m.take_actions();
    QVERIFY2(!actions.empty(), qPrintable(QStringLiteral("nothing due at %1").arg(now)));
    for (const auto& a : actions) {
      const NodeIndex p = target_of(a);
      if (std::holds_alternative<Dial>(a)) {
        ++kinds[0];
        if (p == 1 || p == 3) m.on_link_up(p, now);
        if (p == 1) m.on_heartbeat(1, heartbeat(1, now), now);
      } else if (std::holds_alternative<CloseLink>(a)) {
        ++kinds[1];
      } else if (const auto* hb = std::get_if<SendHeartbeat>(&a)) {
        ++kinds[2];
        if (p == 1) m.on_heartbeat_ack(1, heartbeat_ack(hb->hb.seq, hb->hb.sent_us), now);
      }
    }
    m.take_actions();
  }
  QVERIFY(m.is_up(1));
  QCOMPARE(info(m, 1).ups, std::uint64_t{1});
  QVERIFY(kinds[0] > 10 && kinds[1] > 10 && kinds[2] > 100);  // every kind of deadline was hit
}

void TstMembership::singleMemberViewEmitsNothing() {
  Membership m(make_view(1, 0), make_config(), 1, 0);
  QVERIFY(m.peers().empty());
  QCOMPARE(m.next_deadline_us(), kNoDeadline);
  for (std::uint64_t t = 0; t < 10'000 * kMs; t += 10 * kMs) m.on_tick(t);
  // Events about self or about nodes outside the view are ignored.
  for (NodeIndex n : {NodeIndex{0}, NodeIndex{1}, NodeIndex{500}, kLocalNode}) {
    m.on_link_up(n, 1);
    m.on_heartbeat(n, heartbeat(1, 1), 2);
    m.on_heartbeat_ack(n, heartbeat_ack(1, 1), 3);
    m.on_frame(n, 4);
    m.on_link_down(n, 5);
  }
  QVERIFY(m.take_actions().empty());
  QVERIFY(m.is_up(0));
  QVERIFY(!m.is_up(1));
  QCOMPARE(m.view().size(), std::size_t{1});
  QCOMPARE(m.next_deadline_us(), kNoDeadline);
}

void TstMembership::linkStateNames() {
  QCOMPARE(to_string(LinkState::kOpen), "open");
  QCOMPARE(to_string(LinkState::kConnecting), "connecting");
  QCOMPARE(to_string(LinkState::kHalfOpen), "half-open");
  QCOMPARE(to_string(LinkState::kClosed), "closed");
}

QTEST_GUILESS_MAIN(TstMembership)
#include "tst_membership.moc"
