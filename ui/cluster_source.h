#pragma once
// ClusterSource: the only thing the console's views talk to. It publishes immutable snapshots of
// a cluster at a steady rate (about 10 Hz) and takes commands (faults, recover all, speed,
// workload). EmbeddedSource runs a simulated cluster on a worker thread; a RemoteSource (admin API
// of real nodes) is the other implementation. Views never touch the engine or the simulator.

#include <QObject>
#include <QString>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "simulator/faults.h"
#include "simulator/live.h"
#include "simulator/snapshot.h"

namespace iris::ui {

// A fault the console applied, with when it ends by itself.
struct ConsoleFault {
  std::uint64_t id = 0;
  QString label;   // "KillNode n01"
  QString target;  // "n01", "n00 | n01", "u0042"
  double applied_s = 0;
  std::optional<double> expires_s;  // cluster time; empty: until recovered
};

enum class Speed { kPaused, kRealTime, kTimes10, kFastest };

// One published state of the cluster: everything a view shows, copied, never changed after.
struct LiveSnapshot {
  sim::ClusterSnapshot cluster;
  sim::IntervalStats interval;  // rates and latency since the previous snapshot
  std::vector<ConsoleFault> faults;
  sim::WorkloadSettings workload;
  Speed speed = Speed::kRealTime;
  std::uint64_t seed = 0;
  double time_s = 0;  // cluster time since the source started
  QString name;       // "embedded (3 nodes, seed 1)"
};
using SnapshotPtr = std::shared_ptr<const LiveSnapshot>;

enum class EventKind { kInfo, kFault, kRecovery, kMembership, kVerdict, kError };

class ClusterSource : public QObject {
  Q_OBJECT
 public:
  using QObject::QObject;

  // Faults: applied now; undone after `duration` (zero: until recovered).
  virtual void applyFault(const sim::Fault& fault, std::chrono::milliseconds duration) = 0;
  virtual void recoverAll() = 0;
  virtual void setSpeed(Speed speed) = 0;
  virtual void step() = 0;  // paused: run one event batch (about 1 ms of cluster time)
  virtual void setWorkload(const sim::WorkloadSettings& settings) = 0;
  virtual SnapshotPtr latest() const = 0;

 signals:
  void snapshotReady(iris::ui::SnapshotPtr snapshot);
  void eventLogged(double time_s, iris::ui::EventKind kind, const QString& text);
};

}  // namespace iris::ui

Q_DECLARE_METATYPE(iris::ui::SnapshotPtr)
Q_DECLARE_METATYPE(iris::ui::EventKind)
