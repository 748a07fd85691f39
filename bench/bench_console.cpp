// bench_console: is the console fluid on a big cluster? A 100-node embedded cluster (10,000 users
// chatting) with every view live at 10 Hz: the GUI thread's CPU time over a steady period, as a
// share of one core, and how many full repaints of the main window the GUI thread can do per
// second while snapshots keep arriving (frames/s). Floors from the same run: the same window on
// an idle 3-node cluster. Figures, not assertions (docs/console.md has the target: >= 30 frames/s,
// < 20% of a core).
//
//   QT_QPA_PLATFORM=offscreen build/dev/bench/bench_console [--nodes 100] [--users 10000]

#include <time.h>

#include <QApplication>
#include <QAbstractScrollArea>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <cstdio>
#include <cstring>

#include "ui/embedded_source.h"
#include "ui/main_window.h"

namespace {

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Runs the event loop for `ms` of real time (sleeping when there is nothing to do).
void run_for(int ms) {
  QEventLoop loop;
  QTimer::singleShot(ms, &loop, &QEventLoop::quit);
  loop.exec();
}

// Milliseconds per synchronous repaint of `w`, over `n` repaints.
double repaint_ms(QWidget* w, int n) {
  QElapsedTimer t;
  t.start();
  for (int i = 0; i < n; ++i) w->repaint();
  return static_cast<double>(t.nsecsElapsed()) / 1e6 / n;
}

struct Figures {
  double gui_core_share = 0;  // GUI thread CPU / wall time, steady 10 Hz updates
  double frames_per_s = 0;    // forced full repaints per second, updates still arriving
  double snapshots_per_s = 0;
};

Figures measure(std::uint32_t nodes, std::uint32_t users, double rate) {
  iris::ui::EmbeddedOptions o;
  o.nodes = nodes;
  o.seed = 1;
  o.workload = {users, rate, 0.1, users / 100.0, true};
  auto* source = new iris::ui::EmbeddedSource(o);
  iris::ui::MainWindow window{std::unique_ptr<iris::ui::ClusterSource>(source)};
  window.resize(1600, 1000);
  window.show();
  int snapshots = 0;
  QObject::connect(source, &iris::ui::ClusterSource::snapshotReady, [&] { ++snapshots; });
  run_for(5000);  // warm up: charts fill, items exist
  Figures f;
  const double cpu0 = thread_cpu_s();
  const int snaps0 = snapshots;
  QElapsedTimer wall;
  wall.start();
  run_for(10'000);
  f.gui_core_share = (thread_cpu_s() - cpu0) / (static_cast<double>(wall.elapsed()) / 1000);
  f.snapshots_per_s = (snapshots - snaps0) / (static_cast<double>(wall.elapsed()) / 1000);
  int frames = 0;
  wall.restart();
  while (wall.elapsed() < 5000) {
    window.repaint();  // the whole window, synchronously
    ++frames;
    QApplication::processEvents();
  }
  f.frames_per_s = frames / (static_cast<double>(wall.elapsed()) / 1000);
  for (const char* name : {"topology", "charts", "nodesTable"}) {
    if (auto* w = window.findChild<QWidget*>(name)) {
      if (auto* area = qobject_cast<QAbstractScrollArea*>(w)) w = area->viewport();
      std::printf("  repaint %-12s %8.2f ms\n", name, repaint_ms(w, 20));
    }
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint32_t nodes = 100, users = 10'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--nodes") == 0) nodes = static_cast<std::uint32_t>(std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--users") == 0) users = static_cast<std::uint32_t>(std::atoi(argv[i + 1]));
  }
  QApplication app(argc, argv);
  QApplication::setOrganizationName("IrisBench");  // leave the user's console settings alone
  std::printf("measuring the floor (3 idle nodes) ...\n");
  const Figures floor = measure(3, 2, 0);
  std::printf("measuring %u nodes, %u users at 0.5 msgs/s each ...\n", nodes, users);
  const Figures live = measure(nodes, users, 0.5);
  std::printf("\n%-40s %12s %12s %8s\n", "figure", "measured", "floor", "ratio");
  std::printf("%-40s %11.1f%% %11.1f%% %8.2f\n", "GUI thread CPU, share of one core",
              live.gui_core_share * 100, floor.gui_core_share * 100,
              floor.gui_core_share > 0 ? live.gui_core_share / floor.gui_core_share : 0);
  std::printf("%-40s %12.1f %12.1f %8.2f\n", "full repaints per second (frames/s)",
              live.frames_per_s, floor.frames_per_s,
              floor.frames_per_s > 0 ? live.frames_per_s / floor.frames_per_s : 0);
  std::printf("%-40s %12.1f %12.1f\n", "snapshots received per second", live.snapshots_per_s,
              floor.snapshots_per_s);
  std::printf("\ntarget: >= 30 frames/s and < 20%% of one core for the GUI thread\n");
  return 0;
}
