// The console speaks German and Simplified Chinese: the compiled translations are embedded, the
// preference picks one, and a window built after it shows translated menus and titles. One
// language per process (a translator, once installed, stays): each data row runs the test binary
// again with IRIS_TEST_LANGUAGE set.

#include <QProcess>
#include <QtTest>

#include "ui/embedded_source.h"
#include "ui/i18n.h"
#include "ui/main_window.h"
#include "ui/topology_view.h"

using namespace iris::ui;

class TestI18n : public QObject {
  Q_OBJECT
 private slots:
  void languagesAreListed();
  void windowIsTranslated_data();
  void windowIsTranslated();
  void unknownLanguageFallsBackToEnglish();
};

void TestI18n::languagesAreListed() {
  QStringList codes;
  for (const auto& [code, name] : languages()) codes << code;
  QCOMPARE(codes, (QStringList{"en", "de", "zh_CN"}));
}

void TestI18n::windowIsTranslated_data() {
  QTest::addColumn<QString>("language");
  QTest::addColumn<QString>("title");
  QTest::addColumn<QString>("recoverAll");
  QTest::newRow("German") << "de" << "Iris-Konsole" << "&Alles wiederherstellen";
  QTest::newRow("Chinese") << "zh_CN" << QString::fromUtf8("Iris 控制台")
                           << QString::fromUtf8("全部恢复(&A)");
  QTest::newRow("English") << "en" << "Iris console" << "Recover &all";
}

void TestI18n::windowIsTranslated() {
  QFETCH(QString, language);
  QFETCH(QString, title);
  QFETCH(QString, recoverAll);
  if (qEnvironmentVariableIsEmpty("IRIS_TEST_LANGUAGE")) {
    // Run this row in a fresh process, in that language.
    QProcess child;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("IRIS_TEST_LANGUAGE", language);
    child.setProcessEnvironment(env);
    child.start(QCoreApplication::applicationFilePath(),
                {"windowIsTranslated:" + QString(QTest::currentDataTag())});
    QVERIFY(child.waitForFinished(30000));
    QVERIFY2(child.exitCode() == 0, child.readAllStandardOutput().constData());
    return;
  }
  if (qEnvironmentVariable("IRIS_TEST_LANGUAGE") != language) QSKIP("another row's process");
  const QString installed = install_translation(*QCoreApplication::instance(), language);
  QVERIFY2(language == "en" ? installed == "en" : installed.startsWith(language.left(2)),
           qPrintable(installed));
  MainWindow w(std::make_unique<EmbeddedSource>(EmbeddedOptions{}));
  QCOMPARE(w.windowTitle(), title);
  QCOMPARE(w.recoverAllAction()->text(), recoverAll);
  // The topology legend (its widest status line too) is not cut short in this language.
  w.resize(1400, 900);
  w.show();
  QTRY_VERIFY_WITH_TIMEOUT(!w.topology()->status().isEmpty(), 5000);
  QVERIFY2(w.topology()->legendFits(), qPrintable(w.topology()->status()));
}

void TestI18n::unknownLanguageFallsBackToEnglish() {
  if (!qEnvironmentVariableIsEmpty("IRIS_TEST_LANGUAGE")) QSKIP("child process");
  // No French translation: nothing is installed and the console stays in English.
  QCOMPARE(install_translation(*QCoreApplication::instance(), "fr"), QString("en"));
  MainWindow w(std::make_unique<EmbeddedSource>(EmbeddedOptions{}));
  QCOMPARE(w.windowTitle(), QString("Iris console"));
}

QTEST_MAIN(TestI18n)
#include "tst_i18n.moc"
