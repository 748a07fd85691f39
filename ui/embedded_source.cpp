#include "ui/embedded_source.h"

#include <QElapsedTimer>
#include <QTimer>

#include "simulator/sim_cluster.h"

namespace iris::ui {

namespace {
constexpr std::chrono::milliseconds kTick(10);  // the worker's slice of real time
constexpr double kMicros = 1e6;
}  // namespace

// Owns the simulated cluster; every member is used on the worker thread only.
class SimWorker final : public QObject {
  Q_OBJECT
 public:
  explicit SimWorker(const EmbeddedOptions& o)
      : options_(o),
        cluster_(config(o), o.seed),
        workload_(cluster_, o.seed, o.workload),
        meter_(cluster_.world().now_us()),
        start_us_(cluster_.world().now_us()) {}

  void start() {
    timer_ = new QTimer(this);
    connect(timer_, &QTimer::timeout, this, &SimWorker::tick);
    timer_->start(kTick);
    since_publish_.start();
    publish();
  }

  void applyFault(const sim::Fault& fault, std::chrono::milliseconds duration) {
    cluster_.apply(fault);
    ConsoleFault f;
    f.id = ++fault_seq_;
    f.label = QString::fromStdString(sim::describe(fault));
    f.target = target_of(fault);
    f.applied_s = now_s();
    auto undo = sim::undo_of(fault);
    if (undo && duration.count() > 0) {
      f.expires_s = f.applied_s + static_cast<double>(duration.count()) / 1000;
    }
    if (undo) faults_.push_back({f, *undo});
    emit eventLogged(f.applied_s, EventKind::kFault,
                     tr("%1 applied%2")
                         .arg(f.label)
                         .arg(f.expires_s ? tr(" for %1 s").arg(duration.count() / 1000.0) : ""));
    publish();
  }

  void recoverAll() {
    cluster_.apply(sim::RecoverAll{});
    faults_.clear();
    emit eventLogged(now_s(), EventKind::kRecovery, tr("Recover all: every fault undone"));
    publish();
  }

  void setSpeed(Speed s) {
    speed_ = s;
    publish();
  }

  void step() {
    cluster_.world().run_until(cluster_.world().now_us() + 1000);
    expire_faults();
    publish();
  }

  void setWorkload(const sim::WorkloadSettings& w) {
    workload_.configure(w);
    emit eventLogged(now_s(), EventKind::kInfo,
                     tr("Workload: %1 users, %2 msgs/s each, %3")
                         .arg(w.users)
                         .arg(w.msgs_per_user_per_s)
                         .arg(w.running ? tr("running") : tr("paused")));
    publish();
  }

 signals:
  void published(iris::ui::SnapshotPtr snapshot);
  void eventLogged(double time_s, iris::ui::EventKind kind, const QString& text);

 private:
  struct Applied {
    ConsoleFault fault;
    sim::Fault undo;
  };

  static sim::SimConfig config(const EmbeddedOptions& o) {
    sim::SimConfig c;
    c.nodes = o.nodes;
    return c;
  }

  double now_s() const {
    return static_cast<double>(cluster_.now_us() - start_us_) / kMicros;
  }

  QString target_of(const sim::Fault& fault) const {
    auto node = [this](std::uint32_t n) { return QString::fromStdString(cluster_.node_id(n)); };
    if (auto* p = std::get_if<sim::Partition>(&fault)) {
      QStringList a, b;
      for (auto n : p->side_a) a << node(n);
      for (auto n : p->side_b) b << node(n);
      return a.join(",") + (p->one_way ? " -> " : " | ") + b.join(",");
    }
    if (auto* s = std::get_if<sim::SlowConsumer>(&fault)) return QString::fromStdString(s->user);
    if (std::holds_alternative<sim::LossyLinks>(fault)) return tr("all links");
    if (auto* l = std::get_if<sim::DegradeLink>(&fault))
      return node(l->from) + (l->one_way ? " -> " : " <-> ") + node(l->to);
    QString t;
    std::visit(
        [&](const auto& f) {
          if constexpr (requires { f.node; }) t = node(f.node);
        },
        fault);
    return t;
  }

  void tick() {
    const auto real_us = static_cast<std::uint64_t>(kTick.count()) * 1000;
    switch (speed_) {
      case Speed::kPaused: break;
      case Speed::kRealTime: cluster_.world().run_paced(1.0, real_us); break;
      case Speed::kTimes10: cluster_.world().run_paced(10.0, real_us); break;
      case Speed::kFastest: cluster_.world().run_paced(0, real_us); break;
    }
    expire_faults();
    watch_membership();
    if (since_publish_.elapsed() >= 1000 / std::max(1, options_.publish_hz)) publish();
  }

  void expire_faults() {
    const double now = now_s();
    for (auto it = faults_.begin(); it != faults_.end();) {
      if (!it->fault.expires_s || *it->fault.expires_s > now) {
        ++it;
        continue;
      }
      cluster_.apply(it->undo);
      emit eventLogged(now, EventKind::kRecovery, tr("%1 expired").arg(it->fault.label));
      it = faults_.erase(it);
    }
  }

  // Nodes dying and coming back, links going down and up: into the event log.
  void watch_membership() {
    if (cluster_.size() != alive_.size()) alive_.resize(cluster_.size(), true);  // a node joined
    for (std::uint32_t n = 0; n < cluster_.size(); ++n) {
      const bool alive = cluster_.node_alive(n);
      if (alive == alive_[n]) continue;
      alive_[n] = alive;
      emit eventLogged(now_s(), EventKind::kMembership,
                       alive ? tr("%1 is up").arg(QString::fromStdString(cluster_.node_id(n)))
                             : tr("%1 is down").arg(QString::fromStdString(cluster_.node_id(n))));
    }
    // Joins and leaves: every decision (and every request refused) once.
    const auto& changes = cluster_.view_changes();
    for (; changes_seen_ < changes.size(); ++changes_seen_) {
      const auto& c = changes[changes_seen_];
      const QString what = QString::fromStdString(c.what);
      emit eventLogged(now_s(), EventKind::kMembership,
                       c.committed  ? tr("View %1: %2").arg(c.epoch).arg(what)
                       : c.epoch    ? tr("View %1 not made (%2): %3")
                                       .arg(c.epoch)
                                       .arg(what, QString::fromStdString(c.reason))
                                    : tr("%1 refused for now: %2")
                                       .arg(what, QString::fromStdString(c.reason)));
    }
  }

  void publish() {
    since_publish_.restart();
    auto s = std::make_shared<LiveSnapshot>();
    s->cluster = cluster_.snapshot();
    s->interval = meter_.next(cluster_.checker(), cluster_.world().now_us());
    for (const auto& f : faults_) s->faults.push_back(f.fault);
    s->workload = workload_.settings();
    s->speed = speed_;
    s->seed = options_.seed;
    s->time_s = now_s();
    s->name = tr("embedded: %1 nodes, seed %2").arg(cluster_.size()).arg(options_.seed);
    emit published(std::move(s));
  }

  EmbeddedOptions options_;
  std::size_t changes_seen_ = 0;
  sim::SimCluster cluster_;
  sim::LiveWorkload workload_;
  sim::IntervalMeter meter_;
  std::uint64_t start_us_;
  QTimer* timer_ = nullptr;
  QElapsedTimer since_publish_;
  Speed speed_ = Speed::kRealTime;
  std::vector<Applied> faults_;
  std::uint64_t fault_seq_ = 0;
  std::vector<bool> alive_;
};

EmbeddedSource::EmbeddedSource(EmbeddedOptions options, QObject* parent)
    : ClusterSource(parent), options_(options) {
  qRegisterMetaType<SnapshotPtr>();
  qRegisterMetaType<EventKind>();
  start();
}

EmbeddedSource::~EmbeddedSource() {
  stop();
}

void EmbeddedSource::start() {
  thread_ = new QThread(this);
  thread_->setObjectName("iris-sim");
  worker_ = new SimWorker(options_);
  worker_->moveToThread(thread_);
  connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
  // Queued results of a cluster thrown away by restart() are dropped by their generation.
  const std::uint64_t g = ++generation_;
  connect(worker_, &SimWorker::published, this, [this, g](SnapshotPtr s) {
    if (g == generation_) onPublished(std::move(s));
  });
  connect(worker_, &SimWorker::eventLogged, this,
          [this, g](double t, EventKind k, const QString& text) {
            if (g == generation_) emit eventLogged(t, k, text);
          });
  thread_->start();
  QMetaObject::invokeMethod(worker_, [w = worker_] { w->start(); }, Qt::QueuedConnection);
}

void EmbeddedSource::stop() {
  if (thread_ == nullptr) return;
  thread_->quit();
  thread_->wait();
  delete thread_;
  thread_ = nullptr;
  worker_ = nullptr;
}

void EmbeddedSource::restart(const EmbeddedOptions& options) {
  stop();
  options_ = options;
  latest_.reset();
  emit eventLogged(0, EventKind::kInfo,
                   tr("New simulated cluster: %1 nodes, seed %2, %3 users")
                       .arg(options.nodes)
                       .arg(options.seed)
                       .arg(options.workload.users));
  start();
}

void EmbeddedSource::onPublished(SnapshotPtr snapshot) {
  latest_ = snapshot;
  emit snapshotReady(std::move(snapshot));
}

void EmbeddedSource::applyFault(const sim::Fault& fault, std::chrono::milliseconds duration) {
  QMetaObject::invokeMethod(
      worker_, [w = worker_, fault, duration] { w->applyFault(fault, duration); },
      Qt::QueuedConnection);
}

void EmbeddedSource::recoverAll() {
  QMetaObject::invokeMethod(worker_, [w = worker_] { w->recoverAll(); }, Qt::QueuedConnection);
}

void EmbeddedSource::setSpeed(Speed speed) {
  QMetaObject::invokeMethod(worker_, [w = worker_, speed] { w->setSpeed(speed); },
                            Qt::QueuedConnection);
}

void EmbeddedSource::step() {
  QMetaObject::invokeMethod(worker_, [w = worker_] { w->step(); }, Qt::QueuedConnection);
}

void EmbeddedSource::setWorkload(const sim::WorkloadSettings& settings) {
  QMetaObject::invokeMethod(worker_, [w = worker_, settings] { w->setWorkload(settings); },
                            Qt::QueuedConnection);
}

}  // namespace iris::ui

#include "embedded_source.moc"
