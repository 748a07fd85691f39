// cluster::Reconfig: online joins and leaves, the two-phase view change. A few Reconfig instances
// ("nodes") run in one Cluster harness: a shared fake clock, an `up` matrix for their failure
// detectors, a pump that carries their view frames (dropping or holding chosen ones), keeps what
// they persist (a "disk"), plays their shards (drained and handed over at once, or when the test
// says so) and exchanges heartbeats between the nodes that are up. Nothing here sleeps.

#include <QtTest>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/cluster/reconfig.h"
#include "engine/cluster/view_file.h"
#include "engine/peer/peer_codec.h"

using namespace iris;
using namespace iris::cluster;

namespace {

constexpr std::uint64_t kMs = 1000;
constexpr std::uint64_t kSecond = 1000 * kMs;
constexpr std::uint64_t kTick = 100 * kMs;  // the drivers tick (and heartbeat) this often

// Member i is n<i+1>: ids sort as indices do.
std::string node_id(std::size_t i) {
  return "n" + std::to_string(i + 1);
}

View make_view(std::size_t n, NodeIndex self, std::uint64_t epoch = 1) {
  View v;
  v.epoch = epoch;
  v.self = self;
  for (std::size_t i = 0; i < n; ++i) v.members.push_back(Member{node_id(i), "", ""});
  return v;
}

ViewRecord make_record(std::size_t n, NodeIndex self) {
  ViewRecord r;
  r.view = make_view(n, self);
  return r;
}

// A node started with --join: epoch 0, alone in its view, kJoining.
ViewRecord joiner_record(const std::string& id) {
  ViewRecord r;
  r.view.epoch = 0;
  r.view.members.push_back(Member{id, "", "", MemberState::kJoining});
  r.view.self = 0;
  return r;
}

ReconfigConfig make_config(std::uint32_t shards = 2) {
  ReconfigConfig c;  // prepare 10 s, decision 3 s, queries every 1 s, retries every 0.5 s
  c.shards = shards;
  return c;
}

QString qs(const std::string& s) {
  return QString::fromStdString(s);
}

// "2: n1 active, n2 active, n3 leaving"
QString states(const View& v) {
  QStringList members;
  for (const Member& m : v.members) members << qs(m.id) + " " + to_string(m.state);
  return QStringLiteral("%1: %2").arg(quint64(v.epoch)).arg(members.join(", "));
}

// "2 committed: leave n3", "2 aborted: join n4 (n3 went down)"
QString describe(const ChangeDecided& d) {
  QString s = QStringLiteral("%1 %2: %3")
                  .arg(quint64(d.epoch))
                  .arg(d.committed ? "committed" : "aborted")
                  .arg(qs(d.what));
  if (!d.reason.empty()) s += " (" + qs(d.reason) + ")";
  return s;
}

// The length field of a VIEW_PREPARE frame (type + body), as docs/cluster.md lays it out:
// type, epoch, round, coordinator (u8 length + bytes), then the members list (u16 count, each
// member 4 + its id and addresses). Checked against encode_peer on a frame that fits.
std::size_t prepare_frame_length(const ViewPrepare& f) {
  std::size_t n = 1 + 8 + 8 + 1 + f.coordinator.size() + 2;
  for (const Member& m : f.members) {
    n += 4 + m.id.size() + m.peer_address.size() + m.client_address.size();
  }
  return n;
}

// The harness. Node k of the harness is member k of the cluster (indices are stable; a joiner is
// added at the next index, as the cluster will place it).
class Cluster {
 public:
  enum class Fate { kDelivered, kDropped, kHeld };
  struct Sent {
    std::uint64_t at_us;
    NodeIndex from;
    NodeIndex to;
    ViewFrame frame;
    Fate fate;
  };
  struct Node {
    std::string id;
    ReconfigConfig cfg;
    std::uint64_t seed = 0;
    ViewRecord disk;  // the last PersistView: what a restart starts from
    std::unique_ptr<Reconfig> rc;
    std::vector<ReconfigAction> actions;  // everything this process asked of its driver
    bool alive = true;
    bool ticking = true;          // false: its driver does not call on_tick (frames still arrive)
    bool hold_drains = false;     // FreezeShards: the shards report drained only when released
    bool hold_handovers = false;  // CommitShards: the shards report handed over only when released
    struct HeldDrain {
      std::uint32_t shard;
      std::uint64_t epoch, round;
    };
    std::vector<HeldDrain> held_drains;
    std::vector<std::pair<std::uint32_t, std::uint64_t>> held_handovers;  // shard, epoch
  };

  explicit Cluster(std::size_t n, std::uint32_t shards = 2) {
    for (std::size_t i = 0; i < n; ++i) {
      add(make_record(n, static_cast<NodeIndex>(i)), make_config(shards));
    }
  }
  Cluster(const Cluster&) = delete;  // the nodes' is_up functions point here
  Cluster& operator=(const Cluster&) = delete;

  NodeIndex add(ViewRecord record, ReconfigConfig cfg = make_config()) {
    const auto i = static_cast<NodeIndex>(nodes.size());
    Node n;
    n.id = record.view.members[record.view.self].id;
    n.cfg = cfg;
    n.seed = 100 + i;
    n.disk = std::move(record);
    nodes.push_back(std::move(n));
    for (auto& row : up) row.push_back(true);
    up.emplace_back(nodes.size(), true);
    nodes[i].rc = make_reconfig(i);
    return i;
  }

  Reconfig& rc(std::size_t i) { return *nodes[i].rc; }

  void start() {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      nodes[i].rc->start(now);
      run(i);
    }
    pump();
  }

  // A process restart: a new Reconfig from what is on disk (the old one's pending events are
  // delivered first). Its action list starts afresh. The caller pumps.
  void restart(std::size_t i) {
    pump();
    Node& n = nodes[i];
    n.alive = true;
    n.actions.clear();
    n.held_drains.clear();
    n.held_handovers.clear();
    n.rc = make_reconfig(i);
    n.rc->start(now);
    run(i);
  }

  // A crash: no more events; every other node's failure detector says it is down.
  void kill(std::size_t i) {
    nodes[i].alive = false;
    for (std::size_t j = 0; j < nodes.size(); ++j) up[j][i] = up[i][j] = false;
  }

  void set_up(std::size_t from, std::size_t peer, bool is_up) { up[from][peer] = is_up; }

  // Carries out what node i asked for.
  void run(std::size_t i) {
    Node& n = nodes[i];
    bool left = false;
    for (auto actions = n.rc->take_actions(); !actions.empty(); actions = n.rc->take_actions()) {
      for (auto& a : actions) {
        n.actions.push_back(a);
        if (const auto* s = std::get_if<SendViewFrame>(&a)) {
          send(static_cast<NodeIndex>(i), s->peer, s->frame);
        } else if (const auto* p = std::get_if<PersistView>(&a)) {
          n.disk = p->record;
        } else if (const auto* f = std::get_if<FreezeShards>(&a)) {
          for (std::uint32_t s = 0; s < n.cfg.shards; ++s) {
            if (n.hold_drains) {
              n.held_drains.push_back({s, f->proposal->epoch, f->round});
            } else {
              later([this, i, s, e = f->proposal->epoch, r = f->round] { drained(i, s, e, r); });
            }
          }
        } else if (const auto* c = std::get_if<CommitShards>(&a); c && !c->handed_over) {
          for (std::uint32_t s = 0; s < n.cfg.shards; ++s) {
            if (n.hold_handovers) {
              n.held_handovers.emplace_back(s, c->view->epoch);
            } else {
              later([this, i, s, e = c->view->epoch] { handed_over(i, s, e); });
            }
          }
        } else if (std::holds_alternative<LeftCluster>(a)) {
          left = true;
        }
      }
    }
    if (left) kill(i);  // its driver stops it
  }

  void pump() {
    for (int steps = 0; !queue_.empty(); ++steps) {
      if (steps > 100'000) qFatal("the pump does not settle");
      auto f = std::move(queue_.front());
      queue_.pop_front();
      f();
    }
  }

  // Every pair of live nodes that are up from each other's side and linked in the hearer's view.
  void heartbeat_round() {
    for (std::size_t a = 0; a < nodes.size(); ++a) {
      for (std::size_t b = 0; b < nodes.size(); ++b) {
        if (a == b || !nodes[a].alive || !nodes[b].alive || !up[a][b] || !knows(a, b)) continue;
        nodes[a].rc->on_heartbeat(static_cast<NodeIndex>(b), nodes[b].rc->view().epoch,
                                  nodes[b].rc->handed_over_epoch(), now);
        run(a);
      }
    }
    pump();
  }

  void tick() {
    now += kTick;
    if (heartbeats) heartbeat_round();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (!nodes[i].alive || !nodes[i].ticking) continue;
      nodes[i].rc->on_tick(now);
      run(i);
    }
    pump();
  }

  void run_for(std::uint64_t us) {
    const std::uint64_t end = now + us;
    while (now < end) tick();
  }

  void release_drain(std::size_t i, std::uint32_t shard) {
    auto& held = nodes[i].held_drains;
    for (auto it = held.begin(); it != held.end();) {
      if (it->shard == shard) {
        later([this, i, d = *it] { drained(i, d.shard, d.epoch, d.round); });
        it = held.erase(it);
      } else {
        ++it;
      }
    }
    pump();
  }
  void release_drains(std::size_t i) {
    nodes[i].hold_drains = false;
    for (const auto& d : std::exchange(nodes[i].held_drains, {})) {
      later([this, i, d] { drained(i, d.shard, d.epoch, d.round); });
    }
    pump();
  }
  void release_handovers(std::size_t i) {
    nodes[i].hold_handovers = false;
    for (const auto& [s, e] : std::exchange(nodes[i].held_handovers, {})) {
      later([this, i, s = s, e = e] { handed_over(i, s, e); });
    }
    pump();
  }
  void release_held() {
    for (Sent& s : std::exchange(held_, {})) {
      later([this, s] { deliver(s.from, s.to, s.frame); });
    }
    pump();
  }
  // A shard's drained report that arrives late (after its round was aborted).
  void late_drain(std::size_t i, std::uint32_t shard, std::uint64_t epoch, std::uint64_t round) {
    later([this, i, shard, epoch, round] { drained(i, shard, epoch, round); });
    pump();
  }
  // A frame that arrives out of nowhere (a duplicate, a late one).
  void inject(NodeIndex from, NodeIndex to, const ViewFrame& frame) {
    later([this, from, to, frame] { deliver(from, to, frame); });
    pump();
  }

  // What node i asked of its driver, of one kind.
  template <typename T>
  std::vector<T> of(std::size_t i) const {
    std::vector<T> out;
    for (const auto& a : nodes[i].actions) {
      if (const auto* t = std::get_if<T>(&a)) out.push_back(*t);
    }
    return out;
  }
  QStringList decisions(std::size_t i) const {
    QStringList out;
    for (const auto& d : of<ChangeDecided>(i)) out << describe(d);
    return out;
  }
  // The frames of one kind sent, from and to whom (-1: anyone).
  template <typename T>
  std::vector<Sent> sent(int from = -1, int to = -1) const {
    std::vector<Sent> out;
    for (const Sent& s : log) {
      if ((from < 0 || s.from == from) && (to < 0 || s.to == to) &&
          std::holds_alternative<T>(s.frame)) {
        out.push_back(s);
      }
    }
    return out;
  }
  // Whom they went to, sorted (each once if `distinct`).
  static std::vector<int> targets(const std::vector<Sent>& frames, bool distinct = false) {
    std::vector<int> out;
    for (const Sent& s : frames) out.push_back(s.to);
    std::sort(out.begin(), out.end());
    if (distinct) out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  std::uint64_t now = 1 * kSecond;
  std::vector<Node> nodes;
  std::vector<std::vector<bool>> up;  // up[a][b]: b is up in a's failure detector
  bool heartbeats = true;
  // A frame for which drop() says true is lost; one for which hold() says true waits for
  // release_held().
  std::function<bool(NodeIndex from, NodeIndex to, const ViewFrame&)> drop;
  std::function<bool(NodeIndex from, NodeIndex to, const ViewFrame&)> hold;
  std::vector<Sent> log;  // every frame sent, in order

 private:
  std::unique_ptr<Reconfig> make_reconfig(std::size_t i) {
    const Node& n = nodes[i];
    return std::make_unique<Reconfig>(
        n.disk, n.cfg, [this, i](NodeIndex p) { return p < up[i].size() && up[i][p]; }, n.seed,
        now);
  }

  // b is a member of a's view, in the place the harness gave it.
  bool knows(std::size_t a, std::size_t b) const {
    const View& v = nodes[a].rc->view();
    return b < v.size() && b != v.self && v.linked(static_cast<NodeIndex>(b)) &&
           v.members[b].id == nodes[b].id;
  }

  void later(std::function<void()> f) { queue_.push_back(std::move(f)); }

  void send(NodeIndex from, NodeIndex to, const ViewFrame& frame) {
    Sent s{now, from, to, frame, Fate::kDelivered};
    if (to >= nodes.size() || !nodes[to].alive || (drop && drop(from, to, frame))) {
      s.fate = Fate::kDropped;
    } else if (hold && hold(from, to, frame)) {
      s.fate = Fate::kHeld;
      held_.push_back(s);
    } else {
      later([this, from, to, frame] { deliver(from, to, frame); });
    }
    log.push_back(std::move(s));
  }

  void deliver(NodeIndex from, NodeIndex to, const ViewFrame& frame) {
    if (!nodes[to].alive) return;
    nodes[to].rc->on_frame(from, frame, now);
    run(to);
  }
  void drained(std::size_t i, std::uint32_t shard, std::uint64_t epoch, std::uint64_t round) {
    if (!nodes[i].alive) return;
    nodes[i].rc->on_shard_drained(shard, epoch, round, now);
    run(i);
  }
  void handed_over(std::size_t i, std::uint32_t shard, std::uint64_t epoch) {
    if (!nodes[i].alive) return;
    nodes[i].rc->on_shard_handed_over(shard, epoch, now);
    run(i);
  }

  std::deque<std::function<void()>> queue_;
  std::vector<Sent> held_;
};

}  // namespace

class TstReconfig : public QObject {
  Q_OBJECT

 private slots:
  void leaveCommitsEverywhereThenTheFirstActiveMemberRemovesIt();
  void joinerIsAddedThenActivatesItselfOnceEveryMemberIsUp();
  void refusalsSayWhy();
  void noVoteBeforeEveryShardHasDrained();
  void coordinatorAbortsWhenAVoteDoesNotComeInTime();
  void voterDownBeforeVotingAbortsAtOnce();
  void preparedMemberWithoutDecisionAsksAndAdoptsTheCommit();
  void restartedCoordinatorAbortsItsUndecidedProposal();
  void staleAbortOfAnotherRoundIsIgnored();
  void nodeBehindCatchesUpFromAHeartbeat();
  void handoverDoneOnlyFromHeartbeatsAndNextChangeWaitsForIt();
  void memberListOverTheFrameLimitIsRefused();
  void abortAnswerIsAPromise();
  void lateDrainOfAnAbortedRoundDoesNotCount();
  void viewFileRoundTripsAndRefusesWhatIsNotOurs();
};

void TstReconfig::leaveCommitsEverywhereThenTheFirstActiveMemberRemovesIt() {
  Cluster c(3);
  c.nodes[2].hold_handovers = true;  // n3 hands its users over when the test says so
  c.start();
  c.run_for(kSecond);
  QVERIFY(c.log.empty());  // a stable cluster: no view frames at all

  // An operator asks n2 to make n3 leave: n2 coordinates.
  const View before = make_view(3, 0);
  auto r = c.rc(1).request_leave("n3", c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  QCOMPARE(*r, std::uint64_t{2});
  c.run(1);
  c.pump();
  QCOMPARE(Cluster::targets(c.sent<ViewPrepare>()), std::vector<int>({0, 2}));
  for (std::size_t i = 0; i < 3; ++i) {
    QCOMPARE(states(c.rc(i).view()), QStringLiteral("2: n1 active, n2 active, n3 leaving"));
    QCOMPARE(c.rc(i).view().self, NodeIndex(i));
    QCOMPARE(c.of<FreezeShards>(i).size(), std::size_t{1});
    const auto commits = c.of<CommitShards>(i);
    QCOMPARE(commits.size(), std::size_t{1});
    QCOMPARE(commits[0].view->epoch, std::uint64_t{2});
    QVERIFY(commits[0].previous != nullptr);
    QVERIFY(commits[0].previous->same_as(before));
    QCOMPARE(commits[0].previous->self, NodeIndex(i));
    QVERIFY(!commits[0].handed_over);
    // On disk: the new view, the one before it (its hand-over matters), nothing prepared.
    const ViewRecord& disk = c.nodes[i].disk;
    QCOMPARE(states(disk.view), QStringLiteral("2: n1 active, n2 active, n3 leaving"));
    QVERIFY(disk.previous && disk.previous->same_as(before));
    QVERIFY(!disk.prepared);
    QVERIFY(disk.prepared_by.empty());
  }
  QCOMPARE(c.decisions(1), QStringList({"2 committed: leave n3"}));
  QVERIFY(c.decisions(0).isEmpty());
  QVERIFY(c.decisions(2).isEmpty());

  // n1 and n2 handed over at once; n3 has not: nobody proposes its removal, however long.
  c.run_for(5 * kSecond);
  QCOMPARE(c.rc(0).handed_over_epoch(), std::uint64_t{2});
  QCOMPARE(c.rc(1).handed_over_epoch(), std::uint64_t{2});
  QCOMPARE(c.rc(2).handed_over_epoch(), std::uint64_t{1});
  QCOMPARE(c.rc(2).phase(), std::string("handing over epoch 2"));
  QCOMPARE(c.sent<ViewPrepare>().size(), std::size_t{2});  // the leave's, to n1 and n3
  for (std::size_t i = 0; i < 3; ++i) QCOMPARE(c.rc(i).view().epoch, std::uint64_t{2});

  // n3's shards report, and its heartbeats say so. Its removal is n1's to propose: the first
  // active member by id that is up (not n2, which proposed the leave, nor n3 itself). While n1
  // does not get round to it (its driver does not tick), n2 does not step in.
  const auto removal_prepares = [&c] {
    std::vector<Cluster::Sent> out;
    for (const auto& s : c.sent<ViewPrepare>()) {
      if (std::get<ViewPrepare>(s.frame).epoch == 3) out.push_back(s);
    }
    return out;
  };
  c.nodes[0].ticking = false;
  c.release_handovers(2);
  QCOMPARE(c.rc(2).handed_over_epoch(), std::uint64_t{2});
  QCOMPARE(c.nodes[2].disk.handed_over_epoch, std::uint64_t{2});
  c.run_for(3 * kSecond);
  QVERIFY(removal_prepares().empty());
  c.nodes[0].ticking = true;
  c.run_for(3 * kSecond);
  const auto removal = removal_prepares();
  QCOMPARE(Cluster::targets(removal), std::vector<int>({1, 2}));
  QCOMPARE(removal[0].from, NodeIndex{0});
  QCOMPARE(std::get<ViewPrepare>(removal[0].frame).coordinator, std::string("n1"));
  for (std::size_t i = 0; i < 3; ++i) {
    QCOMPARE(states(c.rc(i).view()), QStringLiteral("3: n1 active, n2 active, n3 left"));
    QCOMPARE(states(c.nodes[i].disk.view), QStringLiteral("3: n1 active, n2 active, n3 left"));
  }
  QCOMPARE(c.decisions(0), QStringList({"3 committed: remove n3"}));
  QCOMPARE(c.decisions(1), QStringList({"2 committed: leave n3"}));
  QCOMPARE(c.of<LeftCluster>(2).size(), std::size_t{1});
  QVERIFY(c.of<LeftCluster>(0).empty());
  QVERIFY(c.of<LeftCluster>(1).empty());
  QVERIFY(!c.nodes[2].alive);
}

void TstReconfig::joinerIsAddedThenActivatesItselfOnceEveryMemberIsUp() {
  Cluster c(3);
  const NodeIndex j = c.add(joiner_record("n4"));
  QCOMPARE(j, NodeIndex{3});
  c.set_up(j, 0, false);  // n4's failure detector does not see n1 yet
  c.start();
  c.run_for(kSecond);
  QVERIFY(!c.rc(j).joined());
  QCOMPARE(c.rc(j).phase(), std::string("joining: waiting for the cluster's view"));
  auto early = c.rc(j).request_join(JoinRequest{"n5", "", ""}, c.now);
  QVERIFY(!early.is_ok());
  QCOMPARE(qs(early.status().message()), QStringLiteral("this node is not in a cluster yet"));

  // n4's JOIN_REQUEST reached n1, which proposes it.
  auto r = c.rc(0).request_join(JoinRequest{"n4", "10.0.0.4:7001", "10.0.0.4:7000"}, c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  QCOMPARE(*r, std::uint64_t{2});
  c.run(0);
  c.pump();
  // The node being added does not vote; it hears the decision, first of all, at its new index.
  QCOMPARE(Cluster::targets(c.sent<ViewPrepare>()), std::vector<int>({1, 2}));
  QCOMPARE(c.sent<ViewCommit>(0, j).size(), std::size_t{1});
  QCOMPARE(c.log.size(), std::size_t{2 + 2 + 3});  // prepares, votes, commits (n2, n3, n4)
  for (std::size_t i = 0; i < 4; ++i) {
    QCOMPARE(states(c.rc(i).view()),
             QStringLiteral("2: n1 active, n2 active, n3 active, n4 joining"));
    QCOMPARE(c.nodes[i].disk.view.epoch, std::uint64_t{2});
  }
  QCOMPARE(c.rc(j).view().self, j);
  QCOMPARE(c.rc(j).view().members[j].peer_address, std::string("10.0.0.4:7001"));
  QCOMPARE(c.rc(j).view().members[j].client_address, std::string("10.0.0.4:7000"));
  QCOMPARE(c.of<CommitShards>(j).size(), std::size_t{1});
  QCOMPARE(c.decisions(0), QStringList({"2 committed: join n4"}));

  // n4 cannot see n1: it does not propose its activation.
  c.run_for(3 * kSecond);
  QVERIFY(c.sent<ViewPrepare>(j).empty());
  for (std::size_t i = 0; i < 4; ++i) QCOMPARE(c.rc(i).view().epoch, std::uint64_t{2});

  // Now it sees every member: it activates itself (users move to it).
  c.set_up(j, 0, true);
  c.run_for(3 * kSecond);
  QCOMPARE(Cluster::targets(c.sent<ViewPrepare>(j)), std::vector<int>({0, 1, 2}));
  for (std::size_t i = 0; i < 4; ++i) {
    QCOMPARE(states(c.rc(i).view()),
             QStringLiteral("3: n1 active, n2 active, n3 active, n4 active"));
    QCOMPARE(states(c.nodes[i].disk.view),
             QStringLiteral("3: n1 active, n2 active, n3 active, n4 active"));
  }
  QCOMPARE(c.decisions(j), QStringList({"3 committed: activate n4"}));
  QCOMPARE(c.decisions(0), QStringList({"2 committed: join n4"}));
}

void TstReconfig::refusalsSayWhy() {
  {
    Cluster c(3);
    c.start();
    c.run_for(kSecond);
    Reconfig& n1 = c.rc(0);
    auto r = n1.request_leave("n9", c.now);
    QVERIFY(!r.is_ok());
    QCOMPARE(r.status().code(), StatusCode::kNotFound);
    QCOMPARE(qs(r.status().message()), QStringLiteral("'n9' is not a member"));

    r = n1.request_join(JoinRequest{"bad id", "", ""}, c.now);
    QCOMPARE(r.status().code(), StatusCode::kInvalidArgument);
    QVERIFY2(qs(r.status().message()).startsWith("node id 'bad id'"), r.status().message().c_str());
    r = n1.request_join(JoinRequest{std::string(65, 'x'), "", ""}, c.now);
    QVERIFY2(qs(r.status().message()).startsWith("node id '"), r.status().message().c_str());
    r = n1.request_join(JoinRequest{"n4", std::string(256, 'a'), ""}, c.now);
    QCOMPARE(qs(r.status().message()), QStringLiteral("address over 255 bytes"));

    r = n1.request_join(JoinRequest{"n2", "", ""}, c.now);
    QCOMPARE(r.status().code(), StatusCode::kInvalidArgument);
    QCOMPARE(qs(r.status().message()), QStringLiteral("'n2' is already a member (active)"));

    c.set_up(0, 2, false);
    r = n1.request_join(JoinRequest{"n4", "", ""}, c.now);
    QCOMPARE(r.status().code(), StatusCode::kUnavailable);
    QCOMPARE(qs(r.status().message()), QStringLiteral("n3 is down from n1"));
    c.set_up(0, 2, true);

    // Nothing of this was proposed.
    c.run(0);
    c.pump();
    QVERIFY(c.log.empty());
    QVERIFY(c.of<PersistView>(0).empty());
    QVERIFY(c.of<FreezeShards>(0).empty());
    QCOMPARE(n1.phase(), std::string("stable"));

    // A proposal under way: the coordinator refuses another; so does a member prepared for it.
    c.hold = [](NodeIndex, NodeIndex to, const ViewFrame&) { return to == 0; };  // votes wait
    r = n1.request_leave("n3", c.now);
    QVERIFY2(r.is_ok(), r.status().message().c_str());
    c.run(0);
    c.pump();
    QCOMPARE(n1.phase(), std::string("proposing epoch 2 (leave n3)"));
    r = n1.request_join(JoinRequest{"n4", "", ""}, c.now);
    QCOMPARE(r.status().code(), StatusCode::kUnavailable);
    QCOMPARE(qs(r.status().message()), QStringLiteral("already proposing epoch 2 (leave n3)"));
    QCOMPARE(c.rc(1).phase(), std::string("prepared for epoch 2 of n1"));
    r = c.rc(1).request_leave("n1", c.now);
    QCOMPARE(r.status().code(), StatusCode::kUnavailable);
    QCOMPARE(qs(r.status().message()), QStringLiteral("prepared for epoch 2, proposed by n1"));
    c.hold = nullptr;
    c.release_held();
    for (std::size_t i = 0; i < 3; ++i) {
      QCOMPARE(states(c.rc(i).view()), QStringLiteral("2: n1 active, n2 active, n3 leaving"));
    }
    r = c.rc(2).request_leave("n3", c.now);
    QCOMPARE(qs(r.status().message()), QStringLiteral("'n3' is already leaving"));
  }
  {
    // The last active member cannot leave: nobody would own its users.
    Cluster c(1);
    c.start();
    auto r = c.rc(0).request_leave("n1", c.now);
    QCOMPARE(r.status().code(), StatusCode::kInvalidArgument);
    QCOMPARE(qs(r.status().message()), QStringLiteral("no member would own any user"));
  }
  {
    // A member's refusal, and its reason, reach the coordinator's decision.
    Cluster c(3);
    c.start();
    c.set_up(1, 2, false);  // n2 sees n3 down; n1 does not
    auto r = c.rc(0).request_join(JoinRequest{"n4", "", ""}, c.now);
    QVERIFY2(r.is_ok(), r.status().message().c_str());
    c.run(0);
    c.pump();
    const auto votes = c.sent<ViewVote>(1, 0);
    QCOMPARE(votes.size(), std::size_t{1});
    QVERIFY(!std::get<ViewVote>(votes[0].frame).yes);
    QCOMPARE(c.decisions(0), QStringList({"2 aborted: join n4 (n3 is down from n2)"}));
    for (std::size_t i = 0; i < 3; ++i) {
      QCOMPARE(c.rc(i).view().epoch, std::uint64_t{1});
      QVERIFY(!c.nodes[i].disk.prepared);
      QCOMPARE(c.rc(i).phase(), std::string("stable"));
    }
    // Those that froze thaw (n1, n3); n2 never froze.
    QCOMPARE(c.of<ThawShards>(0).size(), std::size_t{1});
    QCOMPARE(c.of<ThawShards>(2).size(), std::size_t{1});
    QVERIFY(c.of<FreezeShards>(1).empty());
    QVERIFY(c.of<ThawShards>(1).empty());
  }
}

void TstReconfig::noVoteBeforeEveryShardHasDrained() {
  Cluster c(3);
  c.nodes[2].hold_drains = true;  // n3's two shards are slow to drain
  c.start();
  c.run_for(kSecond);
  auto r = c.rc(0).request_leave("n3", c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  c.run(0);
  c.pump();
  c.run_for(2 * kSecond);
  QCOMPARE(c.nodes[2].held_drains.size(), std::size_t{2});
  QCOMPARE(c.sent<ViewVote>(1, 0).size(), std::size_t{1});  // n2 drained and voted
  QVERIFY(c.sent<ViewVote>(2).empty());
  QVERIFY(c.decisions(0).isEmpty());
  for (std::size_t i = 0; i < 3; ++i) QCOMPARE(c.rc(i).view().epoch, std::uint64_t{1});
  QCOMPARE(c.rc(0).phase(), std::string("proposing epoch 2 (leave n3)"));

  c.release_drain(2, 0);  // one shard of two: still no vote
  QVERIFY(c.sent<ViewVote>(2).empty());
  QVERIFY(c.decisions(0).isEmpty());
  QCOMPARE(c.rc(0).view().epoch, std::uint64_t{1});

  c.release_drain(2, 1);  // both: n3 votes yes, the change commits
  QCOMPARE(c.sent<ViewVote>(2, 0).size(), std::size_t{1});
  QVERIFY(std::get<ViewVote>(c.sent<ViewVote>(2, 0)[0].frame).yes);
  QCOMPARE(c.decisions(0), QStringList({"2 committed: leave n3"}));
  for (std::size_t i = 0; i < 3; ++i) QCOMPARE(c.rc(i).view().epoch, std::uint64_t{2});
}

void TstReconfig::coordinatorAbortsWhenAVoteDoesNotComeInTime() {
  Cluster c(3);
  c.nodes[2].hold_drains = true;  // n3 never drains: it never votes
  c.start();
  c.run_for(kSecond);
  const std::uint64_t t0 = c.now;
  auto r = c.rc(0).request_leave("n2", c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  c.run(0);
  c.pump();
  const std::uint64_t round = c.nodes[0].disk.prepared_round;
  QVERIFY(round != 0);
  for (std::size_t i = 0; i < 3; ++i) {
    const ViewRecord& disk = c.nodes[i].disk;
    QVERIFY(disk.prepared);
    QCOMPARE(states(*disk.prepared), QStringLiteral("2: n1 active, n2 leaving, n3 active"));
    QCOMPARE(disk.prepared_by, std::string("n1"));
    QCOMPARE(disk.prepared_round, round);
  }

  // Just before prepare_timeout: still waiting. At it: aborted, naming the missing voter.
  c.run_for(c.nodes[0].cfg.prepare_timeout_us - kTick);
  QCOMPARE(c.now, t0 + 10 * kSecond - kTick);
  QVERIFY(c.decisions(0).isEmpty());
  QVERIFY(c.sent<ViewAbort>().empty());
  c.tick();
  QCOMPARE(c.decisions(0), QStringList({"2 aborted: leave n2 (no vote from n3 in time)"}));
  // To each voter (and again as the answer to the question each asked in that same tick).
  QCOMPARE(Cluster::targets(c.sent<ViewAbort>(0), true), std::vector<int>({1, 2}));
  for (const auto& s : c.sent<ViewAbort>(0)) {
    QCOMPARE(std::get<ViewAbort>(s.frame).round, round);
    QCOMPARE(s.at_us, t0 + 10 * kSecond);
  }
  for (std::size_t i = 0; i < 3; ++i) {
    const auto thaws = c.of<ThawShards>(i);
    QCOMPARE(thaws.size(), std::size_t{1});
    QCOMPARE(thaws[0].epoch, std::uint64_t{2});
    QCOMPARE(thaws[0].round, round);
    const ViewRecord& disk = c.nodes[i].disk;
    QVERIFY(!disk.prepared);
    QVERIFY(disk.prepared_by.empty());
    QCOMPARE(disk.prepared_round, std::uint64_t{0});
    QCOMPARE(states(disk.view), QStringLiteral("1: n1 active, n2 active, n3 active"));
    QCOMPARE(c.rc(i).phase(), std::string("stable"));
  }
  // n3's shards drain at last: too late, nothing follows.
  c.release_drains(2);
  c.run_for(kSecond);
  QVERIFY(c.sent<ViewVote>(2).empty());
  for (std::size_t i = 0; i < 3; ++i) QCOMPARE(c.rc(i).view().epoch, std::uint64_t{1});
}

void TstReconfig::voterDownBeforeVotingAbortsAtOnce() {
  Cluster c(3);
  c.nodes[2].hold_drains = true;
  c.start();
  c.run_for(kSecond);
  const std::uint64_t t0 = c.now;
  auto r = c.rc(0).request_join(JoinRequest{"n4", "", ""}, c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  c.run(0);
  c.pump();
  c.tick();
  QVERIFY(c.decisions(0).isEmpty());  // everyone up: still waiting for n3

  c.kill(2);  // n3 crashes before it voted
  c.tick();
  QCOMPARE(c.decisions(0), QStringList({"2 aborted: join n4 (n3 went down)"}));
  QVERIFY(c.now - t0 <= 2 * kTick);  // not after prepare_timeout
  QCOMPARE(c.of<ThawShards>(0).size(), std::size_t{1});
  QCOMPARE(c.of<ThawShards>(1).size(), std::size_t{1});  // n2 had voted yes: it hears VIEW_ABORT
  QCOMPARE(c.sent<ViewAbort>(0, 1).size(), std::size_t{1});
  for (std::size_t i = 0; i < 2; ++i) {
    QVERIFY(!c.nodes[i].disk.prepared);
    QCOMPARE(c.rc(i).view().epoch, std::uint64_t{1});
  }
}

void TstReconfig::preparedMemberWithoutDecisionAsksAndAdoptsTheCommit() {
  // n1's VIEW_COMMIT to n3 is lost, and so are its answers to n3 later: n3 hears it from n2.
  const auto lost = [](NodeIndex from, NodeIndex to, const ViewFrame& f) {
    return from == 0 && to == 2 && std::holds_alternative<ViewCommit>(f);
  };
  {
    Cluster c(3);
    c.heartbeats = false;  // they would tell n3 of epoch 2 sooner (below)
    c.drop = lost;
    c.start();
    const std::uint64_t t0 = c.now;
    auto r = c.rc(0).request_leave("n2", c.now);
    QVERIFY2(r.is_ok(), r.status().message().c_str());
    c.run(0);
    c.pump();
    const std::uint64_t round = std::get<ViewPrepare>(c.sent<ViewPrepare>(0, 2).at(0).frame).round;
    QCOMPARE(c.sent<ViewCommit>(0, 2).size(), std::size_t{1});
    QCOMPARE(c.rc(0).view().epoch, std::uint64_t{2});
    QCOMPARE(c.rc(1).view().epoch, std::uint64_t{2});
    QCOMPARE(c.rc(2).view().epoch, std::uint64_t{1});
    QCOMPARE(c.rc(2).phase(), std::string("prepared for epoch 2 of n1"));

    c.run_for(c.nodes[2].cfg.decision_timeout_us - kTick);
    QVERIFY(c.sent<ViewQuery>().empty());
    c.tick();  // decision_timeout: n3 asks the others what became of the proposal
    const auto queries = c.sent<ViewQuery>(2);
    QCOMPARE(Cluster::targets(queries), std::vector<int>({0, 1}));
    QCOMPARE(queries[0].at_us, t0 + 3 * kSecond);
    for (const auto& s : queries) {
      const auto& q = std::get<ViewQuery>(s.frame);
      QCOMPARE(q.epoch, std::uint64_t{2});
      QCOMPARE(q.round, round);
      QCOMPARE(q.coordinator, std::string("n1"));
    }
    QCOMPARE(c.sent<ViewCommit>(0, 2).size(), std::size_t{2});  // n1's answer: lost
    const auto answer = c.sent<ViewCommit>(1, 2);               // n2's: delivered
    QCOMPARE(answer.size(), std::size_t{1});
    QVERIFY(answer[0].fate == Cluster::Fate::kDelivered);
    QCOMPARE(states(c.rc(2).view()), QStringLiteral("2: n1 active, n2 leaving, n3 active"));
    QCOMPARE(c.rc(2).view().self, NodeIndex{2});
    const auto commits = c.of<CommitShards>(2);
    QCOMPARE(commits.size(), std::size_t{1});
    QVERIFY(commits[0].previous->same_as(make_view(3, 2)));
    QVERIFY(c.of<ThawShards>(2).empty());  // it adopted what it was prepared for
    QVERIFY(!c.nodes[2].disk.prepared);
    QCOMPARE(c.nodes[2].disk.view.epoch, std::uint64_t{2});
    c.run_for(3 * kSecond);
    QCOMPARE(c.sent<ViewQuery>().size(), std::size_t{2});  // decided: no more questions
  }
  {
    // With heartbeats, the first heartbeat n3 hears that names epoch 2 makes it ask at once,
    // naming the proposal. Only the first VIEW_COMMIT from n1 is lost this time.
    Cluster c(3);
    c.drop = [lost, n = 0](NodeIndex from, NodeIndex to, const ViewFrame& f) mutable {
      return lost(from, to, f) && n++ == 0;
    };
    c.start();
    const std::uint64_t t0 = c.now;
    auto r = c.rc(0).request_leave("n2", c.now);
    QVERIFY2(r.is_ok(), r.status().message().c_str());
    c.run(0);
    c.pump();
    QCOMPARE(c.rc(2).view().epoch, std::uint64_t{1});
    c.tick();
    const auto queries = c.sent<ViewQuery>(2);
    QCOMPARE(queries.size(), std::size_t{1});  // one question, though both peers are ahead
    QCOMPARE(queries[0].at_us, t0 + kTick);
    QCOMPARE(std::get<ViewQuery>(queries[0].frame).coordinator, std::string("n1"));
    QCOMPARE(states(c.rc(2).view()), QStringLiteral("2: n1 active, n2 leaving, n3 active"));
    QCOMPARE(c.of<CommitShards>(2).size(), std::size_t{1});
  }
}

void TstReconfig::restartedCoordinatorAbortsItsUndecidedProposal() {
  Cluster c(3);
  c.nodes[2].hold_drains = true;  // n3 has not voted when n1 stops
  c.start();
  c.run_for(kSecond);
  auto r = c.rc(0).request_join(JoinRequest{"n4", "", ""}, c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  c.run(0);
  c.pump();
  const std::uint64_t round = c.nodes[0].disk.prepared_round;
  QVERIFY(round != 0);
  QVERIFY(c.nodes[0].disk.prepared);
  QCOMPARE(c.nodes[0].disk.prepared_by, std::string("n1"));
  QCOMPARE(c.sent<ViewVote>(1, 0).size(), std::size_t{1});  // n2 voted yes
  QVERIFY(c.nodes[1].disk.prepared);

  // n1 stops and starts again from its disk: it drops its own undecided proposal.
  c.restart(0);
  const auto& actions = c.nodes[0].actions;
  QCOMPARE(actions.size(), std::size_t{1});
  const auto* persist = std::get_if<PersistView>(&actions[0]);
  QVERIFY(persist != nullptr);
  QVERIFY(!persist->record.prepared);
  QVERIFY(persist->record.prepared_by.empty());
  QCOMPARE(persist->record.prepared_round, std::uint64_t{0});
  QCOMPARE(states(persist->record.view), QStringLiteral("1: n1 active, n2 active, n3 active"));
  QVERIFY(!c.nodes[0].disk.prepared);
  QCOMPARE(c.rc(0).phase(), std::string("stable"));
  c.pump();

  // n2 and n3 ask after decision_timeout; n1 answers VIEW_ABORT; they thaw.
  c.run_for(3 * kSecond);
  const auto aborts = c.sent<ViewAbort>(0);
  QCOMPARE(Cluster::targets(aborts), std::vector<int>({1, 2}));
  for (const auto& s : aborts) {
    const auto& a = std::get<ViewAbort>(s.frame);
    QCOMPARE(a.epoch, std::uint64_t{2});
    QCOMPARE(a.round, round);
    QCOMPARE(a.coordinator, std::string("n1"));
  }
  for (std::size_t i = 1; i < 3; ++i) {
    const auto thaws = c.of<ThawShards>(i);
    QCOMPARE(thaws.size(), std::size_t{1});
    QCOMPARE(thaws[0].epoch, std::uint64_t{2});
    QCOMPARE(thaws[0].round, round);
    QVERIFY(!c.nodes[i].disk.prepared);
    QCOMPARE(c.rc(i).phase(), std::string("stable"));
    QCOMPARE(c.rc(i).view().epoch, std::uint64_t{1});
  }
  QVERIFY(c.decisions(0).isEmpty());

  // n3's shards drain at last: nothing to vote for. The cluster is free for the next change.
  c.release_drains(2);
  QVERIFY(c.sent<ViewVote>(2).empty());
  r = c.rc(0).request_join(JoinRequest{"n4", "", ""}, c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  c.run(0);
  c.pump();
  QCOMPARE(c.decisions(0), QStringList({"2 committed: join n4"}));
  for (std::size_t i = 0; i < 3; ++i) QCOMPARE(c.rc(i).view().epoch, std::uint64_t{2});
}

void TstReconfig::staleAbortOfAnotherRoundIsIgnored() {
  Cluster c(3);
  c.start();
  c.run_for(kSecond);
  // Round one: n3 sees n2 down and refuses; n1 aborts it.
  c.set_up(2, 1, false);
  auto r = c.rc(0).request_join(JoinRequest{"n4", "", ""}, c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  c.run(0);
  c.pump();
  QCOMPARE(c.decisions(0), QStringList({"2 aborted: join n4 (n2 is down from n3)"}));
  QCOMPARE(c.sent<ViewAbort>(0, 1).size(), std::size_t{1});
  const ViewAbort stale = std::get<ViewAbort>(c.sent<ViewAbort>(0, 1)[0].frame);
  QCOMPARE(c.of<ThawShards>(1).size(), std::size_t{1});

  // Round two: the same epoch, the same coordinator; n3 is slow to drain, so it stays undecided.
  c.set_up(2, 1, true);
  c.nodes[2].hold_drains = true;
  r = c.rc(0).request_join(JoinRequest{"n4", "", ""}, c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  c.run(0);
  c.pump();
  const std::uint64_t round = c.nodes[1].disk.prepared_round;
  QCOMPARE(stale.epoch, std::uint64_t{2});
  QCOMPARE(stale.coordinator, std::string("n1"));
  QVERIFY(round != 0);
  QVERIFY(round != stale.round);

  // Round one's VIEW_ABORT again (a late copy): it names no current proposal.
  c.inject(0, 1, stale);
  c.inject(0, 2, stale);
  QCOMPARE(c.of<ThawShards>(1).size(), std::size_t{1});  // round one's only
  QVERIFY(c.of<ThawShards>(2).empty());
  for (std::size_t i = 1; i < 3; ++i) {
    QCOMPARE(c.rc(i).phase(), std::string("prepared for epoch 2 of n1"));
    QCOMPARE(c.nodes[i].disk.prepared_round, round);
  }

  c.release_drains(2);
  QCOMPARE(c.decisions(0),
           QStringList({"2 aborted: join n4 (n2 is down from n3)", "2 committed: join n4"}));
  for (std::size_t i = 0; i < 3; ++i) QCOMPARE(c.rc(i).view().epoch, std::uint64_t{2});
  QCOMPARE(c.of<ThawShards>(1).size(), std::size_t{1});
}

void TstReconfig::nodeBehindCatchesUpFromAHeartbeat() {
  // n1 and n2 committed epoch 2 (n4 joined; it is not in this harness); n3 missed it.
  View v2 = make_view(3, 0, 2);
  v2.members.push_back(Member{"n4", "", "", MemberState::kJoining});
  const auto ahead = [&v2](NodeIndex self) {
    ViewRecord r;
    r.view = v2;
    r.view.self = self;
    r.previous = make_view(3, self);
    r.handed_over_epoch = 2;
    return r;
  };
  for (const bool catch_up : {true, false}) {
    Cluster c(0);
    c.add(ahead(0));
    c.add(ahead(1));
    ReconfigConfig cfg = make_config();
    cfg.catch_up = catch_up;
    c.add(make_record(3, 2), cfg);
    c.start();
    c.tick();
    if (!catch_up) {
      c.run_for(5 * kSecond);
      QVERIFY(c.log.empty());  // it never asks, so nobody tells it
      QCOMPARE(c.rc(2).view().epoch, std::uint64_t{1});
      QVERIFY(c.of<CommitShards>(2).empty());
      continue;
    }
    const auto queries = c.sent<ViewQuery>(2);
    QCOMPARE(queries.size(), std::size_t{1});  // one question, though both peers are ahead
    QCOMPARE(queries[0].to, NodeIndex{0});
    const auto& q = std::get<ViewQuery>(queries[0].frame);
    QCOMPARE(q.epoch, std::uint64_t{2});
    QCOMPARE(q.round, std::uint64_t{0});
    QVERIFY(q.coordinator.empty());
    QCOMPARE(c.sent<ViewCommit>(0, 2).size(), std::size_t{1});
    QCOMPARE(states(c.rc(2).view()),
             QStringLiteral("2: n1 active, n2 active, n3 active, n4 joining"));
    QCOMPARE(c.rc(2).view().self, NodeIndex{2});
    QCOMPARE(states(c.nodes[2].disk.view), states(c.rc(2).view()));
    const auto commits = c.of<CommitShards>(2);
    QCOMPARE(commits.size(), std::size_t{1});
    QVERIFY(commits[0].previous->same_as(make_view(3, 2)));
    c.run_for(3 * kSecond);
    QCOMPARE(c.sent<ViewQuery>().size(), std::size_t{1});  // caught up: no more questions
  }
}

void TstReconfig::handoverDoneOnlyFromHeartbeatsAndNextChangeWaitsForIt() {
  Cluster c(3);
  for (auto& n : c.nodes) n.hold_handovers = true;
  c.start();
  c.run_for(kSecond);
  // (Heartbeats in epoch 1, which moved nothing, said HandoverDone for it.)
  for (std::size_t i = 0; i < 3; ++i) {
    QCOMPARE(c.of<HandoverDone>(i).size(), std::size_t{2});
    c.nodes[i].actions.clear();
  }
  // n3 leaves: its users move to n1 and n2.
  auto r = c.rc(0).request_leave("n3", c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  c.run(0);
  c.pump();
  const auto done = [&c](std::size_t i) {
    QStringList out;
    for (const auto& h : c.of<HandoverDone>(i)) {
      out << QStringLiteral("%1@%2").arg(h.node).arg(h.epoch);
    }
    return out;
  };
  c.run_for(2 * kSecond);
  for (std::size_t i = 0; i < 3; ++i) {
    QCOMPARE(c.rc(i).view().epoch, std::uint64_t{2});
    QCOMPARE(c.rc(i).handed_over_epoch(), std::uint64_t{1});
    QCOMPARE(c.rc(i).phase(), std::string("handing over epoch 2"));
    QVERIFY(done(i).isEmpty());
  }

  // n3's shards have handed over; the others learn it from its next heartbeat, and only then.
  c.release_handovers(2);
  QCOMPARE(c.rc(2).handed_over_epoch(), std::uint64_t{2});
  for (std::size_t i = 0; i < 3; ++i) QVERIFY(done(i).isEmpty());
  c.tick();
  QCOMPARE(done(0), QStringList({"2@2"}));
  QCOMPARE(done(1), QStringList({"2@2"}));
  QVERIFY(done(2).isEmpty());
  c.run_for(2 * kSecond);  // more heartbeats saying the same: not told twice
  QCOMPARE(done(0), QStringList({"2@2"}));
  QCOMPARE(done(1), QStringList({"2@2"}));

  // The next change waits for every member that owned users before: n1 itself first...
  r = c.rc(0).request_join(JoinRequest{"n4", "", ""}, c.now);
  QCOMPARE(r.status().code(), StatusCode::kUnavailable);
  QCOMPARE(qs(r.status().message()), QStringLiteral("n1 is still handing over epoch 2"));
  c.release_handovers(0);
  c.heartbeat_round();
  QCOMPARE(done(1), QStringList({"2@2", "0@2"}));
  QCOMPARE(done(2), QStringList({"0@2"}));
  // ... then n2, whose shards have not finished...
  r = c.rc(0).request_join(JoinRequest{"n4", "", ""}, c.now);
  QCOMPARE(qs(r.status().message()), QStringLiteral("waiting for n2's hand-over of epoch 2"));
  // ... and have, but n1 has not heard it yet...
  c.release_handovers(1);
  r = c.rc(0).request_join(JoinRequest{"n4", "", ""}, c.now);
  QCOMPARE(qs(r.status().message()), QStringLiteral("waiting for n2's hand-over of epoch 2"));
  c.heartbeat_round();
  QCOMPARE(done(0), QStringList({"2@2", "1@2"}));
  // ... now it goes through.
  r = c.rc(0).request_join(JoinRequest{"n4", "", ""}, c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  QCOMPARE(*r, std::uint64_t{3});
  c.run(0);
  c.pump();
  for (std::size_t i = 0; i < 3; ++i) {
    QCOMPARE(states(c.rc(i).view()),
             QStringLiteral("3: n1 active, n2 active, n3 leaving, n4 joining"));
  }
}

void TstReconfig::memberListOverTheFrameLimitIsRefused() {
  // A long-lived cluster: its list keeps every member that ever left (indices are stable), with
  // its addresses. 600 members of 4-byte ids, 200-byte peer and 10-byte client addresses, three
  // of them still active. Reconfig counts the list at 130 816 bytes: it fits.
  std::vector<Member> members;
  for (int i = 0; i < 600; ++i) {
    char id[8];
    std::snprintf(id, sizeof id, "m%03d", i);
    members.push_back(Member{id, std::string(200, 'p'), std::string(10, 'c'),
                             i < 3 ? MemberState::kActive : MemberState::kLeft});
  }
  const auto make = [&members] {
    ViewRecord record;
    record.view.epoch = 7;
    record.view.members = members;
    record.view.self = 0;
    auto rc = std::make_unique<Reconfig>(
        record, make_config(), [](NodeIndex) { return true; }, 1, 0);
    rc->start(0);
    return rc;
  };
  const auto prepares = [](Reconfig& rc) {
    std::vector<ViewPrepare> out;
    for (auto& a : rc.take_actions()) {
      if (const auto* s = std::get_if<SendViewFrame>(&a)) {
        if (const auto* p = std::get_if<ViewPrepare>(&s->frame)) out.push_back(*p);
      }
    }
    return out;
  };
  const auto joiner = [](std::size_t client_bytes) {
    return JoinRequest{"m600", std::string(200, 'p'), std::string(client_bytes, 'c')};
  };

  // The list as it is: a leave is proposed (to the two other active members), and its
  // VIEW_PREPARE, encoded for real, is as long as prepare_frame_length says.
  {
    auto rc = make();
    auto r = rc->request_leave("m002", 0);
    QVERIFY2(r.is_ok(), r.status().message().c_str());
    const auto sent = prepares(*rc);
    QCOMPARE(sent.size(), std::size_t{2});
    protocol::Bytes bytes;
    peer::encode_peer(bytes, sent[0]);
    QCOMPARE(bytes.size() - 4, prepare_frame_length(sent[0]));
    QCOMPARE(prepare_frame_length(sent[0]), std::size_t{130'824});
  }
  // One more member with two 200-byte addresses: over 128 KiB, refused, saying so.
  {
    auto rc = make();
    auto r = rc->request_join(JoinRequest{"m600", std::string(200, 'p'), std::string(200, 'c')}, 0);
    QVERIFY(!r.is_ok());
    QCOMPARE(r.status().code(), StatusCode::kInvalidArgument);
    const QString why = qs(r.status().message());
    QVERIFY2(why.startsWith("the member list would take ") &&
                 why.endsWith(" bytes on the wire, over 131072"),
             qPrintable(why));
    QVERIFY(prepares(*rc).empty());
    QCOMPARE(rc->phase(), std::string("stable"));
  }
  // A joiner whose VIEW_PREPARE is exactly kMaxPeerFrame long: proposed; it encodes and decodes.
  {
    auto rc = make();
    auto r = rc->request_join(joiner(40), 0);
    QVERIFY2(r.is_ok(), r.status().message().c_str());
    const auto sent = prepares(*rc);
    QCOMPARE(sent.size(), std::size_t{2});
    QCOMPARE(prepare_frame_length(sent[0]), std::size_t{peer::kMaxPeerFrame});
    protocol::Bytes bytes;
    peer::encode_peer(bytes, sent[0]);
    QCOMPARE(bytes.size(), std::size_t{4 + peer::kMaxPeerFrame});
    QVERIFY(peer::decode_peer(std::span<const std::uint8_t>(bytes)).is_ok());
  }
  // Eight bytes more: the VIEW_PREPARE would be over kMaxPeerFrame; it must not be proposed.
  {
    auto rc = make();
    auto r = rc->request_join(joiner(48), 0);
    bool fits = true;
    if (r.is_ok()) {
      for (const auto& p : prepares(*rc)) {
        fits = fits && prepare_frame_length(p) <= peer::kMaxPeerFrame;
      }
    }
    QVERIFY2(!r.is_ok(), "proposed, over the frame limit");
    QVERIFY(r.status().message().find("bytes on the wire") != std::string::npos);
    QVERIFY(fits);
  }
}

// n3 answers a prepared n2's question with VIEW_ABORT (it never saw the proposal). If n1's
// VIEW_PREPARE then reaches n3 late, n3 must refuse it: else n1 could commit while n2, told it
// was aborted, has thawed.
void TstReconfig::abortAnswerIsAPromise() {
  Cluster c(3);
  c.heartbeats = false;
  c.hold = [](NodeIndex from, NodeIndex to, const ViewFrame& f) {
    return from == 0 && to == 2 && std::holds_alternative<ViewPrepare>(f);
  };
  c.start();
  auto r = c.rc(0).request_leave("n2", c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  c.run(0);
  c.pump();
  QCOMPARE(c.rc(1).phase(), std::string("prepared for epoch 2 of n1"));
  c.run_for(c.nodes[1].cfg.decision_timeout_us + kTick);  // n2 asks; n3 says it cannot commit
  QVERIFY(!c.sent<ViewAbort>(2, 1).empty());
  QCOMPARE(c.rc(1).phase(), std::string("stable"));  // n2 thawed on it
  c.hold = nullptr;
  c.release_held();  // the late VIEW_PREPARE reaches n3
  const auto votes = c.sent<ViewVote>(2, 0);
  QCOMPARE(votes.size(), std::size_t{1});
  const auto& v = std::get<ViewVote>(votes[0].frame);
  QVERIFY(!v.yes);
  QVERIFY2(v.reason.find("cannot commit") != std::string::npos, v.reason.c_str());
  for (std::size_t i = 0; i < 3; ++i) QCOMPARE(c.rc(i).view().epoch, std::uint64_t{1});
}

// A shard's drained report from a round that was aborted must not count for the next round of
// the same epoch: the new round's moves were not drained by it.
void TstReconfig::lateDrainOfAnAbortedRoundDoesNotCount() {
  Cluster c(3);
  c.start();
  c.run_for(kSecond);
  c.nodes[1].hold_drains = true;
  c.set_up(2, 1, false);  // round one fails at n3
  auto r = c.rc(0).request_join(JoinRequest{"n4", "", ""}, c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  c.run(0);
  c.pump();
  QCOMPARE(c.decisions(0), QStringList({"2 aborted: join n4 (n2 is down from n3)"}));
  auto stale = c.nodes[1].held_drains;  // round one's reports, not delivered yet
  QCOMPARE(stale.size(), std::size_t{2});
  c.nodes[1].held_drains.clear();
  c.set_up(2, 1, true);
  r = c.rc(0).request_join(JoinRequest{"n4", "", ""}, c.now);
  QVERIFY2(r.is_ok(), r.status().message().c_str());
  c.run(0);
  c.pump();
  QCOMPARE(c.nodes[1].held_drains.size(), std::size_t{2});  // round two's, held
  for (const auto& d : stale) c.late_drain(1, d.shard, d.epoch, d.round);  // round one's
  QCOMPARE(c.rc(1).phase(), std::string("prepared for epoch 2 of n1"));
  const std::uint64_t round_two = c.nodes[1].disk.prepared_round;
  for (const auto& s : c.sent<ViewVote>(1, 0)) {
    const auto& v = std::get<ViewVote>(s.frame);
    QVERIFY2(!(v.yes && v.round == round_two), "n2 voted yes for round two on round one's drains");
  }
  QCOMPARE(c.rc(0).view().epoch, std::uint64_t{1});
  c.release_drains(1);
  QCOMPARE(c.decisions(0),
           QStringList({"2 aborted: join n4 (n2 is down from n3)", "2 committed: join n4"}));
}

// DATA_DIR/cluster-view.json: every field survives a write and a read (the round, a u64, as hex);
// a file that is not JSON, lacks a view, or names another node is refused with a reason; a
// missing file is "no record"; a write leaves no temporary file behind.
void TstReconfig::viewFileRoundTripsAndRefusesWhatIsNotOurs() {
  QTemporaryDir dir;
  QVERIFY(dir.isValid());
  const std::string path = (dir.path() + "/cluster-view.json").toStdString();
  auto none = load_view_record(path, "n2");
  QVERIFY2(none.is_ok(), none.status().message().c_str());
  QVERIFY(!none->has_value());

  ViewRecord r;
  r.view = make_view(3, 1, 5);
  r.view.members[2].state = MemberState::kLeaving;
  r.view.members[0].peer_address = "10.0.0.1:7101";
  r.view.members[0].client_address = "10.0.0.1:7001";
  r.previous = make_view(3, 1, 4);
  r.prepared = r.view;
  r.prepared->epoch = 6;
  r.prepared->members.push_back(Member{"n4", "10.0.0.4:7104", "10.0.0.4:7004", MemberState::kJoining});
  r.prepared_by = "n1";
  r.prepared_round = 0xfedcba9876543210ull;
  r.handed_over_epoch = 5;
  QVERIFY(save_view_record(path, r).is_ok());
  QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
           QStringList{"cluster-view.json"});  // no temporary left
  auto back = load_view_record(path, "n2");
  QVERIFY2(back.is_ok(), back.status().message().c_str());
  QVERIFY(back->has_value());
  const ViewRecord& b = **back;
  QVERIFY(b.view.same_as(r.view));
  QCOMPARE(b.view.self, NodeIndex{1});
  QVERIFY(b.previous && b.previous->same_as(*r.previous));
  QVERIFY(b.prepared && b.prepared->same_as(*r.prepared));
  QCOMPARE(b.prepared_by, std::string("n1"));
  QCOMPARE(b.prepared_round, r.prepared_round);
  QCOMPARE(b.handed_over_epoch, std::uint64_t{5});

  auto other = load_view_record(path, "n9");  // another node's data directory
  QVERIFY(!other.is_ok());
  QVERIFY2(other.status().message().find("does not name this node") != std::string::npos,
           other.status().message().c_str());
  for (const char* bad : {"not json", "{}", "{\"view\": {\"epoch\": 1}}",
                          "{\"view\": {\"epoch\": 1, \"members\": []}}",
                          "{\"view\": {\"epoch\": 1, \"members\": [{\"id\": \"n2\", "
                          "\"peer_address\": \"\", \"client_address\": \"\", \"state\": \"odd\"}]}}"}) {
    auto p = parse_view_record(bad, "n2");
    QVERIFY2(!p.is_ok(), bad);
    QVERIFY(!p.status().message().empty());
  }
}

QTEST_APPLESS_MAIN(TstReconfig)
#include "tst_reconfig.moc"
