#pragma once
// EmbeddedSource: a simulated cluster (sim::SimCluster with a sim::LiveWorkload) run on its own
// worker thread, paced against real time (or x10, or as fast as it goes, or stepped), publishing
// a LiveSnapshot about 10 times a second. Commands from the GUI thread are queued to the worker;
// snapshots come back queued. The GUI thread never waits on the simulation.

#include <QThread>
#include <atomic>
#include <memory>

#include "ui/cluster_source.h"

namespace iris::ui {

class SimWorker;

struct EmbeddedOptions {
  std::uint32_t nodes = 3;
  std::uint64_t seed = 1;
  sim::WorkloadSettings workload = {60, 1.0, 0.1, 1.0, true};  // a light chat
  int publish_hz = 10;
};

class EmbeddedSource final : public ClusterSource {
  Q_OBJECT
 public:
  explicit EmbeddedSource(EmbeddedOptions options, QObject* parent = nullptr);
  ~EmbeddedSource() override;

  void applyFault(const sim::Fault& fault, std::chrono::milliseconds duration) override;
  void recoverAll() override;
  void setSpeed(Speed speed) override;
  void step() override;
  void setWorkload(const sim::WorkloadSettings& settings) override;
  SnapshotPtr latest() const override { return latest_; }

  const EmbeddedOptions& options() const { return options_; }
  // Throws the cluster away and starts a new one (another size, another seed: a replay).
  void restart(const EmbeddedOptions& options);

 private:
  void start();
  void stop();
  void onPublished(SnapshotPtr snapshot);

  EmbeddedOptions options_;
  QThread* thread_ = nullptr;
  SimWorker* worker_ = nullptr;  // lives on thread_, deleted when it finishes
  SnapshotPtr latest_;
  std::uint64_t generation_ = 0;  // bumped per worker: stale queued results are dropped
};

}  // namespace iris::ui
