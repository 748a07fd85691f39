// iris-console: the operator console. Opens on an embedded simulated cluster (3 nodes, a light
// chatting workload) so there is life on screen at once.
//
//   iris-console [--nodes N] [--seed S] [--users U] [--screenshot FILE --after SECONDS]
//   iris-console --attach HOST:PORT[,HOST:PORT...] [--tls] [--ca FILE]   (token: IRIS_ADMIN_TOKEN)
//
// --attach opens the console on real nodes' admin API instead (docs/operations.md); the token
// comes from the environment, never from the command line (other users could read it there).
// --screenshot runs the console for SECONDS of real time, saves the window to FILE and exits
// (for documentation and for checking the layout under QT_QPA_PLATFORM=offscreen).

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QTimer>

#include "ui/embedded_source.h"
#include "ui/i18n.h"
#include "ui/main_window.h"
#include "ui/remote_source.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("Iris");
  QApplication::setApplicationName("iris-console");
  QApplication::setApplicationVersion(IRIS_VERSION);
  iris::ui::install_translation(app, QSettings().value("ui/language").toString());

  QCommandLineParser cli;
  cli.setApplicationDescription(
      QApplication::translate("main", "Iris operator console: watch a cluster, break it, run "
                                      "the fire tests."));
  cli.addHelpOption();
  cli.addVersionOption();
  QCommandLineOption nodes("nodes", QApplication::translate("main", "Nodes of the embedded cluster."),
                           "N", "3");
  QCommandLineOption seed("seed", QApplication::translate("main", "Seed of the embedded cluster."),
                          "S", "1");
  QCommandLineOption users("users", QApplication::translate("main", "Virtual users chatting."),
                           "U", "60");
  QCommandLineOption shot("screenshot",
                          QApplication::translate("main", "Save the window to FILE and exit."),
                          "FILE");
  QCommandLineOption after("after",
                           QApplication::translate("main", "Seconds to run before --screenshot."),
                           "SECONDS", "5");
  QCommandLineOption attach(
      "attach",
      QApplication::translate("main", "Attach to real nodes' admin API (token: IRIS_ADMIN_TOKEN)."),
      "HOST:PORT,...");
  QCommandLineOption tls("tls", QApplication::translate("main", "The admin API speaks TLS."));
  QCommandLineOption ca("ca", QApplication::translate("main", "CA certificate (PEM) to trust."),
                        "FILE");
  cli.addOptions({nodes, seed, users, shot, after, attach, tls, ca});
  cli.process(app);

  std::unique_ptr<iris::ui::ClusterSource> source;
  if (cli.isSet(attach)) {
    iris::ui::RemoteOptions r;
    r.nodes = cli.value(attach).split(',', Qt::SkipEmptyParts);
    r.token = qEnvironmentVariable("IRIS_ADMIN_TOKEN");
    r.tls = cli.isSet(tls);
    r.ca_file = cli.value(ca);
    source = std::make_unique<iris::ui::RemoteSource>(r);
  } else {
    iris::ui::EmbeddedOptions o;
    o.nodes = std::max(1u, cli.value(nodes).toUInt());
    o.seed = cli.value(seed).toULongLong();
    o.workload.users = std::max(2u, cli.value(users).toUInt());
    source = std::make_unique<iris::ui::EmbeddedSource>(o);
  }
  iris::ui::MainWindow window(std::move(source));
  window.show();
  if (cli.isSet(shot)) {
    const QString file = cli.value(shot);
    QTimer::singleShot(static_cast<int>(cli.value(after).toDouble() * 1000), &window, [&] {
      const bool ok = window.grab().save(file);
      QApplication::exit(ok ? 0 : 1);
    });
  }
  return QApplication::exec();
}
