// tst_store: the Store contract against MemoryStore and SqliteStore (data column "kind"), plus
// SqliteStore's own guarantees: group commit, bounded queue, write errors, real SQLITE_FULL,
// schema checks, and crash safety (a child process is SIGKILLed mid-burst; every append it saw
// acknowledged must be in the database afterwards).

#include <sqlite3.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <semaphore>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/store/memory_store.h"
#include "engine/store/sqlite_store.h"

using iris::Result;
using iris::Status;
using iris::StatusCode;
using namespace iris::store;

namespace {

constexpr std::uint64_t kHigh = std::uint64_t{1} << 63;  // ids with the top bit set
constexpr const char* kCrashChildEnv = "IRIS_STORE_CRASH_CHILD";
constexpr const char* kCrashModeEnv = "IRIS_STORE_CRASH_MODE";

StoredMessage make_message(std::uint64_t id, std::string recipient, std::string payload) {
  StoredMessage m;
  m.id = id;
  m.recipient = std::move(recipient);
  m.sender = "sender";
  m.client_msg_id = 42;
  m.ts_us = 1'700'000'000'000'000;
  m.payload = std::move(payload);
  return m;
}

bool same_message(const StoredMessage& a, const StoredMessage& b) {
  return a.id == b.id && a.recipient == b.recipient && a.sender == b.sender &&
         a.client_msg_id == b.client_msg_id && a.ts_us == b.ts_us && a.bucket == b.bucket &&
         a.payload == b.payload && a.target == b.target;
}

// The deterministic message for `id` in the crash test (child writes it, parent checks it).
StoredMessage crash_message(std::uint64_t id) {
  StoredMessage m;
  m.id = id;
  m.recipient = "r" + std::to_string(id % 5);
  m.sender = "s" + std::to_string(id % 3);
  m.client_msg_id = ~id;
  m.ts_us = id * 3;
  m.bucket = static_cast<std::uint32_t>(id % 4);
  m.payload.resize(16 + id % 97);
  std::uint64_t x = id * 0x9E3779B97F4A7C15ULL;
  for (char& c : m.payload) {
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ULL;
    c = static_cast<char>(x >> 56);
  }
  return m;
}

// ---- synchronous wrappers over the asynchronous API ----

Status append_sync(Store& s, std::vector<StoredMessage> messages) {
  std::promise<Status> p;
  s.append(std::move(messages), [&p](Status st) { p.set_value(std::move(st)); });
  return p.get_future().get();
}

Status remove_sync(Store& s, std::vector<std::uint64_t> ids) {
  std::promise<Status> p;
  s.remove(std::move(ids), [&p](Status st) { p.set_value(std::move(st)); });
  return p.get_future().get();
}

Status put_seen_sync(Store& s, const std::string& user, std::uint64_t ms) {
  std::promise<Status> p;
  s.put_last_seen(user, ms, [&p](Status st) { p.set_value(std::move(st)); });
  return p.get_future().get();
}

Result<std::uint64_t> get_seen_sync(Store& s, const std::string& user) {
  std::promise<Result<std::uint64_t>> p;
  s.get_last_seen(user, [&p](Result<std::uint64_t> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

Result<std::vector<StoredMessage>> load_sync(Store& s, const std::string& recipient,
                                             std::uint64_t after_id, std::size_t limit) {
  std::promise<Result<std::vector<StoredMessage>>> p;
  s.load_inbox(recipient, after_id, limit,
               [&p](Result<std::vector<StoredMessage>> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

QList<quint64> ids_of(const Result<std::vector<StoredMessage>>& r) {
  QList<quint64> ids;
  if (r) {
    for (const auto& m : *r) ids.push_back(m.id);
  }
  return ids;
}

QByteArray describe(const Status& s) {
  return QByteArray::fromStdString(s.to_string());
}

SqliteStoreOptions sqlite_options(const QTemporaryDir& dir, Durability d = Durability::kRelaxed) {
  SqliteStoreOptions o;
  o.path = dir.filePath(QStringLiteral("inbox.db")).toStdString();
  o.durability = d;
  return o;
}

std::unique_ptr<SqliteStore> open_sqlite(const SqliteStoreOptions& o) {
  auto r = SqliteStore::open(o);
  if (!r) {
    qWarning("SqliteStore::open failed: %s", r.status().to_string().c_str());
    return nullptr;
  }
  return std::move(*r);
}

std::unique_ptr<Store> make_store(const QString& kind, const QTemporaryDir& dir) {
  if (kind == QLatin1String("memory")) return std::make_unique<MemoryStore>();
  return open_sqlite(sqlite_options(dir));
}

// Counts completions per request: every one must run exactly once.
struct CompletionLog {
  explicit CompletionLog(std::size_t n) : calls(n), codes(n) {
    for (auto& c : codes) c.store(-1);  // not completed yet
  }
  Completion slot(std::size_t i) {
    return [this, i](Status s) {
      codes[i].store(static_cast<int>(s.code()));
      calls[i].fetch_add(1);
    };
  }
  std::size_t count(StatusCode c) const {
    std::size_t n = 0;
    for (const auto& code : codes) n += code.load() == static_cast<int>(c) ? 1 : 0;
    return n;
  }
  bool each_called_once() const {
    for (const auto& c : calls) {
      if (c.load() != 1) return false;
    }
    return true;
  }
  std::vector<std::atomic<int>> calls;
  std::vector<std::atomic<int>> codes;
};

// ---- crash child: runs instead of the tests when kCrashChildEnv is set ----

void write_line(const char* line, std::size_t len) {
  // One write(2) per line: a pipe write of <= PIPE_BUF bytes is atomic.
  if (::write(STDOUT_FILENO, line, len) != static_cast<ssize_t>(len)) std::_Exit(4);
}

int run_crash_child(const std::string& path, bool relaxed) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);            // never outlive the test
  std::counting_semaphore<1024> in_flight(128);  // outlives the store and its completions
  SqliteStoreOptions o;
  o.path = path;
  o.durability = relaxed ? Durability::kRelaxed : Durability::kGuaranteed;
  auto store = open_sqlite(o);
  if (!store) return 2;
  auto incarnation = store->next_incarnation();
  if (!incarnation) return 2;
  const std::uint64_t base = kHigh | (*incarnation << 40);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (std::uint64_t seq = 0; std::chrono::steady_clock::now() < give_up;) {
    in_flight.acquire();
    const std::size_t n = 1 + (seq * 7919) % 23;  // batch sizes 1..23
    std::vector<StoredMessage> batch;
    batch.reserve(n);
    for (std::size_t i = 0; i < n; ++i) batch.push_back(crash_message(base + seq + i));
    const std::uint64_t first = base + seq;
    seq += n;
    store->append(std::move(batch), [first, n, &in_flight](Status s) {
      if (s.is_ok()) {
        char line[64];
        const int len = std::snprintf(line, sizeof line, "%llu %zu\n",
                                      static_cast<unsigned long long>(first), n);
        write_line(line, static_cast<std::size_t>(len));
      }
      in_flight.release();
    });
  }
  return 3;  // the parent should have killed us long ago
}

struct AckRange {
  std::uint64_t first;
  std::size_t count;
};

// Parses complete "first count" lines out of `pending`; returns the number of ids acked.
std::size_t consume_acks(QByteArray& pending, std::vector<AckRange>& acks) {
  std::size_t ids = 0;
  qsizetype start = 0;
  for (qsizetype nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n', start)) {
    const QList<QByteArray> parts = pending.mid(start, nl - start).split(' ');
    start = nl + 1;
    if (parts.size() != 2) continue;
    acks.push_back({parts[0].toULongLong(), static_cast<std::size_t>(parts[1].toULongLong())});
    ids += acks.back().count;
  }
  pending.remove(0, start);
  return ids;
}

}  // namespace

class TstStore : public QObject {
  Q_OBJECT

 private slots:
  void appendAndLoadOrder_data() { add_kinds(); }
  void appendAndLoadOrder();
  void loadPaging_data() { add_kinds(); }
  void loadPaging();
  void idsAcrossSignBoundary_data() { add_kinds(); }
  void idsAcrossSignBoundary();
  void loadSeesPrecedingAppend_data() { add_kinds(); }
  void loadSeesPrecedingAppend();
  void duplicateAppendIsIdempotent_data() { add_kinds(); }
  void duplicateAppendIsIdempotent();
  void deleteAfterAck_data() { add_kinds(); }
  void deleteAfterAck();
  void lastSeenRoundTrip_data() { add_kinds(); }
  void lastSeenRoundTrip();
  void incarnationIncrements_data() { add_kinds(); }
  void incarnationIncrements();
  void writeFailureAppliesNothing_data() { add_kinds(); }
  void writeFailureAppliesNothing();
  void groupCommit_data();
  void groupCommit();
  void batchThroughput_data();
  void batchThroughput();
  void batchLimits();
  void reopenKeepsData();
  void destructorServesQueue();
  void shutdownWhilePausedCompletesUnavailable();
  void boundedQueue();
  void realDiskFull();
  void newerSchemaVersionRefused();
  void versionOneSchemaIsMigrated();
  void notADatabaseRefused();
  void unopenablePath();
  void crashLosesNothingAcked_data();
  void crashLosesNothingAcked();

 private:
  void burstAndKill(const QString& db, const QString& mode, int delay_ms,
                    std::vector<AckRange>& acks, std::size_t& acked_now);
  void verifyCrashDb(const QString& db, const std::vector<AckRange>& acks, const QString& what);
  static void add_kinds() {
    QTest::addColumn<QString>("kind");
    QTest::newRow("memory") << QStringLiteral("memory");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
  }
};

void TstStore::appendAndLoadOrder() {
  QFETCH(QString, kind);
  QTemporaryDir dir;
  QVERIFY(dir.isValid());
  auto store = make_store(kind, dir);
  QVERIFY(store);

  const std::uint64_t b = 0xF000'0000'0000'0000;
  StoredMessage full = make_message(b + 11, "alice", std::string("\0bin\xff", 5));
  full.sender = "bob";
  full.client_msg_id = 0xFFFF'FFFF'FFFF'FFF0;
  full.ts_us = 0x8000'0000'0000'0001;
  full.bucket = 7;
  full.target = "carol";  // a hinted hand-off row's real recipient
  // Ids not in one ascending run across batches: load still returns ascending ids.
  QVERIFY(append_sync(
      *store, {make_message(b + 10, "alice", "hello"), make_message(b + 12, "bob", "x"), full}));
  QVERIFY(append_sync(*store,
                      {make_message(b + 20, "alice", "hello"), make_message(b + 13, "alice", "")}));

  auto all = load_sync(*store, "alice", 0, 100);
  QVERIFY2(all, describe(all.status()));
  QCOMPARE(ids_of(all), (QList<quint64>{b + 10, b + 11, b + 13, b + 20}));
  QVERIFY(same_message((*all)[1], full));
  QCOMPARE((*all)[0].payload, std::string("hello"));  // identical payloads: distinct rows
  QCOMPARE((*all)[3].payload, std::string("hello"));
  QCOMPARE((*all)[2].payload, std::string());
  QCOMPARE(ids_of(load_sync(*store, "alice", b + 11, 2)), (QList<quint64>{b + 13, b + 20}));
  QCOMPARE(ids_of(load_sync(*store, "alice", b + 13, 1)), (QList<quint64>{b + 20}));
  QCOMPARE(ids_of(load_sync(*store, "alice", b + 20, 10)), QList<quint64>{});
  QCOMPARE(ids_of(load_sync(*store, "alice", 0, 0)), QList<quint64>{});
  QCOMPARE(ids_of(load_sync(*store, "bob", 0, 10)), (QList<quint64>{b + 12}));
  QCOMPARE(ids_of(load_sync(*store, "nobody", 0, 10)), QList<quint64>{});
  QCOMPARE(store->stats().messages, std::uint64_t{5});
}

// Paging through 25 messages with limit 10: 10 + 10 + 5, ascending, nothing skipped.
void TstStore::loadPaging() {
  QFETCH(QString, kind);
  QTemporaryDir dir;
  auto store = make_store(kind, dir);
  QVERIFY(store);
  std::vector<StoredMessage> carol;
  for (std::uint64_t i = 0; i < 25; ++i) carol.push_back(make_message(kHigh + 2 * i, "carol", "p"));
  QVERIFY(append_sync(*store, {make_message(kHigh + 13, "dan", "interleaved")}));
  QVERIFY(append_sync(*store, carol));
  QList<quint64> paged;
  std::uint64_t after = 0;
  for (std::size_t expected : {10, 10, 5, 0}) {
    auto page = load_sync(*store, "carol", after, 10);
    QVERIFY(page);
    QCOMPARE(page->size(), expected);
    paged += ids_of(page);
    if (!page->empty()) after = page->back().id;
  }
  QCOMPARE(paged.size(), 25);
  QVERIFY(std::is_sorted(paged.begin(), paged.end()));
}

void TstStore::idsAcrossSignBoundary() {
  QFETCH(QString, kind);
  QTemporaryDir dir;
  auto store = make_store(kind, dir);
  QVERIFY(store);
  const std::uint64_t max = ~std::uint64_t{0};
  QVERIFY(append_sync(*store, {make_message(max, "d", "a"), make_message(kHigh, "d", "b"),
                               make_message(5, "d", "c"), make_message(kHigh - 1, "d", "d"),
                               make_message(kHigh + 1, "d", "e")}));
  QCOMPARE(ids_of(load_sync(*store, "d", 0, 10)),
           (QList<quint64>{5, kHigh - 1, kHigh, kHigh + 1, max}));
  QCOMPARE(ids_of(load_sync(*store, "d", kHigh - 1, 10)), (QList<quint64>{kHigh, kHigh + 1, max}));
  QCOMPARE(ids_of(load_sync(*store, "d", kHigh, 1)), (QList<quint64>{kHigh + 1}));
  QVERIFY(remove_sync(*store, {kHigh, max}));
  QCOMPARE(ids_of(load_sync(*store, "d", 0, 10)), (QList<quint64>{5, kHigh - 1, kHigh + 1}));
}

void TstStore::loadSeesPrecedingAppend() {
  QFETCH(QString, kind);
  QTemporaryDir dir;
  auto store = make_store(kind, dir);
  QVERIFY(store);
  // Issued back to back without waiting: per-issuer order means the reads see the writes.
  std::promise<Result<std::vector<StoredMessage>>> loaded;
  std::promise<Result<std::uint64_t>> seen;
  store->append({make_message(kHigh | 1, "eve", "m")}, nullptr);
  store->put_last_seen("eve", 1234, nullptr);
  store->load_inbox("eve", 0, 10,
                    [&](Result<std::vector<StoredMessage>> r) { loaded.set_value(std::move(r)); });
  store->get_last_seen("eve", [&](Result<std::uint64_t> r) { seen.set_value(std::move(r)); });
  QCOMPARE(ids_of(loaded.get_future().get()), (QList<quint64>{kHigh | 1}));
  auto ms = seen.get_future().get();
  QVERIFY(ms);
  QCOMPARE(*ms, std::uint64_t{1234});
}

void TstStore::duplicateAppendIsIdempotent() {
  QFETCH(QString, kind);
  QTemporaryDir dir;
  auto store = make_store(kind, dir);
  QVERIFY(store);
  QVERIFY(append_sync(*store, {make_message(kHigh | 7, "f", "first")}));
  // A retried append (same id) must not fail the batch; the stored row is kept.
  const Status s = append_sync(
      *store, {make_message(kHigh | 7, "f", "retry"), make_message(kHigh | 8, "f", "new")});
  QVERIFY2(s, describe(s));
  auto all = load_sync(*store, "f", 0, 10);
  QCOMPARE(ids_of(all), (QList<quint64>{kHigh | 7, kHigh | 8}));
  QCOMPARE((*all)[0].payload, std::string("first"));
  QCOMPARE(store->stats().messages, std::uint64_t{2});
  QCOMPARE(store->stats().rows_written, std::uint64_t{2});
}

void TstStore::deleteAfterAck() {
  QFETCH(QString, kind);
  QTemporaryDir dir;
  auto store = make_store(kind, dir);
  QVERIFY(store);
  std::vector<StoredMessage> batch;
  for (std::uint64_t i = 1; i <= 10; ++i) batch.push_back(make_message(kHigh | i, "g", "m"));
  batch.push_back(make_message(kHigh | 100, "h", "other recipient"));
  QVERIFY(append_sync(*store, batch));

  // Unknown ids (never stored) and an empty list are harmless.
  QVERIFY(remove_sync(*store, {kHigh | 2, kHigh | 4, 999, kHigh | 6, ~std::uint64_t{0}}));
  QVERIFY(remove_sync(*store, {}));
  const QList<quint64> remaining{kHigh | 1, kHigh | 3, kHigh | 5, kHigh | 7,
                                 kHigh | 8, kHigh | 9, kHigh | 10};
  QCOMPARE(ids_of(load_sync(*store, "g", 0, 100)), remaining);
  QCOMPARE(ids_of(load_sync(*store, "h", 0, 100)), (QList<quint64>{kHigh | 100}));

  // Removed ids never come back, also after later traffic and a repeated remove.
  QVERIFY(append_sync(*store, {make_message(kHigh | 11, "g", "m")}));
  QVERIFY(remove_sync(*store, {kHigh | 2}));
  QCOMPARE(ids_of(load_sync(*store, "g", 0, 100)), remaining + QList<quint64>{kHigh | 11});
  const StoreStats st = store->stats();
  QCOMPARE(st.messages, std::uint64_t{9});
  QCOMPARE(st.rows_deleted, std::uint64_t{3});
}

void TstStore::lastSeenRoundTrip() {
  QFETCH(QString, kind);
  QTemporaryDir dir;
  auto store = make_store(kind, dir);
  QVERIFY(store);
  auto never = get_seen_sync(*store, "ivan");
  QVERIFY(never);
  QCOMPARE(*never, std::uint64_t{0});
  QVERIFY(put_seen_sync(*store, "ivan", 1'700'000'000'123));
  QVERIFY(put_seen_sync(*store, "judy", ~std::uint64_t{0}));  // full u64 range
  QCOMPARE(*get_seen_sync(*store, "ivan"), std::uint64_t{1'700'000'000'123});
  QVERIFY(put_seen_sync(*store, "ivan", 1'700'000'000'999));  // upsert
  QCOMPARE(*get_seen_sync(*store, "ivan"), std::uint64_t{1'700'000'000'999});
  QCOMPARE(*get_seen_sync(*store, "judy"), ~std::uint64_t{0});
  if (kind == QLatin1String("memory")) return;

  store.reset();  // across reopen
  store = make_store(kind, dir);
  QVERIFY(store);
  QCOMPARE(*get_seen_sync(*store, "ivan"), std::uint64_t{1'700'000'000'999});
  QCOMPARE(*get_seen_sync(*store, "judy"), ~std::uint64_t{0});
}

void TstStore::incarnationIncrements() {
  QFETCH(QString, kind);
  QTemporaryDir dir;
  auto store = make_store(kind, dir);
  QVERIFY(store);
  auto first = store->next_incarnation();
  QVERIFY2(first, describe(first.status()));
  QCOMPARE(*first, std::uint64_t{1});
  QCOMPARE(*store->next_incarnation(), std::uint64_t{2});
  if (kind == QLatin1String("memory")) return;

  for (std::uint64_t expected = 3; expected <= 5; ++expected) {
    store.reset();
    store = make_store(kind, dir);
    QVERIFY(store);
    auto next = store->next_incarnation();
    QVERIFY2(next, describe(next.status()));
    QCOMPARE(*next, expected);
  }
}

// A failed write (disk refused) applies nothing of its batch; the store keeps serving.
void TstStore::writeFailureAppliesNothing() {
  QFETCH(QString, kind);
  QTemporaryDir dir;
  CompletionLog log(3);  // declared before the store: outlives every completion
  auto store = make_store(kind, dir);
  QVERIFY(store);
  QVERIFY(append_sync(*store, {make_message(kHigh | 1, "k", "kept")}));
  QVERIFY(put_seen_sync(*store, "k", 10));

  auto* memory = dynamic_cast<MemoryStore*>(store.get());
  SqliteStore* sqlite = nullptr;
  if (memory != nullptr) {
    memory->set_fail_writes(Status::io_error("test: disk refused"));
  } else {
    // Reopen paused so the three writes below queue up and share one transaction.
    store.reset();
    SqliteStoreOptions o = sqlite_options(dir);
    o.pause_writer_for_tests = true;
    auto opened = open_sqlite(o);
    QVERIFY(opened);
    sqlite = opened.get();
    store = std::move(opened);
    sqlite->inject_write_error(1);
  }
  store->append({make_message(kHigh | 2, "k", "lost"), make_message(kHigh | 3, "k", "lost")},
                log.slot(0));
  store->remove({kHigh | 1}, log.slot(1));
  store->put_last_seen("k", 20, log.slot(2));
  if (sqlite != nullptr) sqlite->resume_writer();
  store->flush();
  QVERIFY(log.each_called_once());
  QCOMPARE(log.count(StatusCode::kIoError), std::size_t{3});
  if (memory != nullptr) memory->set_fail_writes(Status::ok());

  QCOMPARE(ids_of(load_sync(*store, "k", 0, 10)), (QList<quint64>{kHigh | 1}));
  QCOMPARE(*get_seen_sync(*store, "k"), std::uint64_t{10});
  QVERIFY(store->stats().write_errors >= 1);  // per failed transaction (MemoryStore: per call)
  // The next batch succeeds.
  QVERIFY(append_sync(*store, {make_message(kHigh | 4, "k", "ok")}));
  QCOMPARE(ids_of(load_sync(*store, "k", 0, 10)), (QList<quint64>{kHigh | 1, kHigh | 4}));
  QCOMPARE(store->stats().messages, std::uint64_t{2});
}

void TstStore::groupCommit_data() {
  QTest::addColumn<QString>("kind");
  QTest::addColumn<int>("durability");
  QTest::newRow("memory") << QStringLiteral("memory") << 0;
  QTest::newRow("sqlite-guaranteed")
      << QStringLiteral("sqlite") << static_cast<int>(Durability::kGuaranteed);
  QTest::newRow("sqlite-relaxed") << QStringLiteral("sqlite")
                                  << static_cast<int>(Durability::kRelaxed);
}

// 10,000 single-message appends from 4 threads, nobody waiting: SQLite must batch them.
void TstStore::groupCommit() {
  QFETCH(QString, kind);
  QFETCH(int, durability);
  constexpr std::size_t kThreads = 4, kPerThread = 2500, kTotal = kThreads * kPerThread;
  CompletionLog log(kTotal);
  QTemporaryDir dir;
  std::unique_ptr<Store> store;
  if (kind == QLatin1String("memory")) {
    store = std::make_unique<MemoryStore>();
  } else {
    store = open_sqlite(sqlite_options(dir, static_cast<Durability>(durability)));
  }
  QVERIFY(store);
  QElapsedTimer timer;
  timer.start();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < kPerThread; ++i) {
        const std::size_t n = t * kPerThread + i;
        store->append({make_message(kHigh | n, "u" + std::to_string(t), "payload")}, log.slot(n));
      }
    });
  }
  for (auto& th : threads) th.join();
  store->flush();
  const double secs = static_cast<double>(timer.nsecsElapsed()) / 1e9;

  QVERIFY(log.each_called_once());
  QCOMPARE(log.count(StatusCode::kOk), kTotal);
  const StoreStats st = store->stats();
  QCOMPARE(st.messages, std::uint64_t{kTotal});
  for (std::size_t t = 0; t < kThreads; ++t) {
    auto rows = load_sync(*store, "u" + std::to_string(t), 0, kTotal);
    QVERIFY(rows);
    QCOMPARE(rows->size(), kPerThread);
  }
  qInfo("group commit [%s]: %zu single-row appends in %.3f s = %.0f rows/s, %llu commits",
        QTest::currentDataTag(), kTotal, secs, static_cast<double>(kTotal) / secs,
        static_cast<unsigned long long>(st.commits));
  if (kind == QLatin1String("sqlite")) QVERIFY2(st.commits < 2000, "appends were not batched");
}

void TstStore::batchThroughput_data() {
  QTest::addColumn<int>("durability");
  QTest::newRow("guaranteed") << static_cast<int>(Durability::kGuaranteed);
  QTest::newRow("relaxed") << static_cast<int>(Durability::kRelaxed);
}

// Rows/s for multi-row appends (2 issuers x 150 appends x 64 rows of 100 bytes); reported only.
void TstStore::batchThroughput() {
  QFETCH(int, durability);
  constexpr std::size_t kThreads = 2, kAppends = 150, kRows = 64;
  std::atomic<std::size_t> ok{0};
  QTemporaryDir dir;
  auto store = open_sqlite(sqlite_options(dir, static_cast<Durability>(durability)));
  QVERIFY(store);
  QElapsedTimer timer;
  timer.start();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t a = 0; a < kAppends; ++a) {
        std::vector<StoredMessage> batch;
        batch.reserve(kRows);
        for (std::size_t r = 0; r < kRows; ++r) {
          const std::uint64_t id = kHigh | (t << 32) | (a * kRows + r);
          batch.push_back(make_message(id, "t" + std::to_string(t), std::string(100, 'x')));
        }
        store->append(std::move(batch), [&ok](Status s) { ok += s.is_ok() ? 1 : 0; });
      }
    });
  }
  for (auto& th : threads) th.join();
  store->flush();
  const double secs = static_cast<double>(timer.nsecsElapsed()) / 1e9;
  constexpr std::size_t kTotal = kThreads * kAppends * kRows;
  QCOMPARE(ok.load(), kThreads * kAppends);
  QCOMPARE(store->stats().messages, std::uint64_t{kTotal});
  qInfo("batch appends [%s]: %zu rows in %.3f s = %.0f rows/s, %llu commits",
        QTest::currentDataTag(), kTotal, secs, static_cast<double>(kTotal) / secs,
        static_cast<unsigned long long>(store->stats().commits));
}

// max_batch_rows caps a transaction (an append larger than the cap is never split);
// max_batch_delay_us holds the commit back to gather more requests.
void TstStore::batchLimits() {
  CompletionLog log(201);
  QTemporaryDir dir;
  SqliteStoreOptions o = sqlite_options(dir);
  o.max_batch_rows = 50;
  o.pause_writer_for_tests = true;
  auto store = open_sqlite(o);
  QVERIFY(store);
  for (std::size_t i = 0; i < 200; ++i) {
    store->append({make_message(kHigh | i, "l", "m")}, log.slot(i));
  }
  std::vector<StoredMessage> big;
  for (std::uint64_t i = 0; i < 120; ++i) big.push_back(make_message(kHigh | (1000 + i), "l", "m"));
  store->append(std::move(big), log.slot(200));
  store->resume_writer();
  store->flush();
  QVERIFY(log.each_called_once());
  QCOMPARE(log.count(StatusCode::kOk), std::size_t{201});
  QCOMPARE(store->stats().commits, std::uint64_t{5});  // 4 x 50 rows, then the 120-row append
  QCOMPARE(store->stats().messages, std::uint64_t{320});
  store.reset();

  o.pause_writer_for_tests = false;
  o.max_batch_delay_us = 50'000;
  store = open_sqlite(o);
  QVERIFY(store);
  QElapsedTimer timer;
  timer.start();
  QVERIFY(append_sync(*store, {make_message(kHigh | 5000, "l", "m")}));
  QVERIFY2(timer.elapsed() >= 45, "the commit was not delayed");
}

void TstStore::reopenKeepsData() {
  QTemporaryDir dir;
  const SqliteStoreOptions o = sqlite_options(dir, Durability::kGuaranteed);
  std::vector<StoredMessage> expected;
  {
    auto store = open_sqlite(o);
    QVERIFY(store);
    for (std::uint64_t i = 0; i < 600; ++i) {
      expected.push_back(crash_message(kHigh | i));
      expected.back().recipient = "r" + std::to_string(i % 3);
    }
    for (std::size_t i = 0; i < expected.size(); i += 50) {
      store->append({expected.begin() + i, expected.begin() + i + 50}, nullptr);
    }
    store->remove({kHigh | 0, kHigh | 1}, nullptr);
    store->put_last_seen("r0", 77, nullptr);
    store->flush();
  }
  expected.erase(expected.begin(), expected.begin() + 2);
  auto store = open_sqlite(o);
  QVERIFY(store);
  QCOMPARE(store->stats().messages, std::uint64_t{expected.size()});  // COUNT(*) at open
  std::size_t matched = 0;
  for (int r = 0; r < 3; ++r) {
    auto rows = load_sync(*store, "r" + std::to_string(r), 0, 1000);
    QVERIFY(rows);
    for (const auto& m : *rows) {
      QVERIFY(same_message(m, expected[(m.id & ~kHigh) - 2]));
      ++matched;
    }
  }
  QCOMPARE(matched, expected.size());
  QCOMPARE(*get_seen_sync(*store, "r0"), std::uint64_t{77});
}

void TstStore::destructorServesQueue() {
  QTemporaryDir dir;
  CompletionLog log(200);
  {
    auto store = open_sqlite(sqlite_options(dir));
    QVERIFY(store);
    for (std::size_t i = 0; i < 200; ++i) {
      store->append({make_message(kHigh | i, "q", "m")}, log.slot(i));
    }
  }  // destroyed with requests still queued: they are served, not dropped
  QVERIFY(log.each_called_once());
  QCOMPARE(log.count(StatusCode::kOk), std::size_t{200});
  auto store = open_sqlite(sqlite_options(dir));
  QVERIFY(store);
  QCOMPARE(store->stats().messages, std::uint64_t{200});
}

void TstStore::shutdownWhilePausedCompletesUnavailable() {
  CompletionLog log(2);
  std::atomic<int> loads{0}, seen{0};
  std::atomic<bool> load_unavailable{false}, seen_unavailable{false};
  QTemporaryDir dir;
  SqliteStoreOptions o = sqlite_options(dir);
  o.pause_writer_for_tests = true;
  auto store = open_sqlite(o);
  QVERIFY(store);
  store->append({make_message(kHigh, "p", "m")}, log.slot(0));
  store->remove({kHigh}, log.slot(1));
  store->load_inbox("p", 0, 10, [&](Result<std::vector<StoredMessage>> r) {
    ++loads;
    load_unavailable = !r && r.status().code() == StatusCode::kUnavailable;
  });
  store->get_last_seen("p", [&](Result<std::uint64_t> r) {
    ++seen;
    seen_unavailable = !r && r.status().code() == StatusCode::kUnavailable;
  });
  store.reset();
  QVERIFY(log.each_called_once());
  QCOMPARE(log.count(StatusCode::kUnavailable), std::size_t{2});
  QCOMPARE(loads.load(), 1);
  QCOMPARE(seen.load(), 1);
  QVERIFY(load_unavailable);
  QVERIFY(seen_unavailable);
}

void TstStore::boundedQueue() {
  constexpr std::size_t kN = 20;
  CompletionLog log(kN);
  QTemporaryDir dir;
  SqliteStoreOptions o = sqlite_options(dir);
  o.max_queue = 4;
  o.pause_writer_for_tests = true;  // nothing drains: the queue fills deterministically
  auto store = open_sqlite(o);
  QVERIFY(store);
  for (std::size_t i = 0; i < kN; ++i)
    store->append({make_message(kHigh | i, "b", "m")}, log.slot(i));
  // Refusals complete at once, on the caller's thread.
  QCOMPARE(log.count(StatusCode::kUnavailable), kN - 4);
  QCOMPARE(log.count(StatusCode::kOk), std::size_t{0});
  store->resume_writer();
  store->flush();
  QVERIFY(log.each_called_once());
  QCOMPARE(log.count(StatusCode::kOk), std::size_t{4});
  QCOMPARE(ids_of(load_sync(*store, "b", 0, 100)),
           (QList<quint64>{kHigh | 0, kHigh | 1, kHigh | 2, kHigh | 3}));
}

// PRAGMA max_page_count makes SQLite return SQLITE_FULL for real.
void TstStore::realDiskFull() {
  QTemporaryDir dir;
  SqliteStoreOptions o = sqlite_options(dir);
  o.max_page_count = 48;  // 4 KiB pages: ~190 KiB
  auto store = open_sqlite(o);
  QVERIFY(store);
  std::vector<std::uint64_t> committed;
  Status failure;
  for (std::uint64_t batch = 0; batch < 100 && failure.is_ok(); ++batch) {
    std::vector<StoredMessage> msgs;
    for (std::uint64_t i = 0; i < 20; ++i) {
      msgs.push_back(make_message(kHigh | (batch * 20 + i), "full", std::string(1000, 'z')));
    }
    failure = append_sync(*store, msgs);
    if (failure) {
      for (const auto& m : msgs) committed.push_back(m.id);
    }
  }
  QCOMPARE(failure.code(), StatusCode::kDiskFull);
  QVERIFY(!committed.empty());
  qInfo("disk full after %zu rows: %s", committed.size(), failure.to_string().c_str());

  // Committed data intact, the failed batch absent, the store still answering.
  auto rows = load_sync(*store, "full", 0, 10'000);
  QVERIFY(rows);
  QCOMPARE(rows->size(), committed.size());
  QCOMPARE(store->stats().messages, std::uint64_t{committed.size()});
  QCOMPARE(
      append_sync(*store, {make_message(kHigh | 99'999, "full", std::string(50'000, 'y'))}).code(),
      StatusCode::kDiskFull);
  QVERIFY(get_seen_sync(*store, "nobody"));
  // Deleting frees pages; a small append fits again.
  const std::vector<std::uint64_t> half(committed.begin(),
                                        committed.begin() + committed.size() / 2);
  const Status removed = remove_sync(*store, half);
  QVERIFY2(removed, describe(removed));
  const Status small = append_sync(*store, {make_message(kHigh | 100'000, "full", "small")});
  QVERIFY2(small, describe(small));
  QCOMPARE(store->stats().messages, std::uint64_t{committed.size() - half.size() + 1});
  QVERIFY(store->stats().write_errors >= 2);
}

void TstStore::newerSchemaVersionRefused() {
  QTemporaryDir dir;
  const SqliteStoreOptions o = sqlite_options(dir);
  QVERIFY(open_sqlite(o));  // create, then close (checkpoints the WAL into the file)
  QFile file(QString::fromStdString(o.path));
  QVERIFY(file.open(QIODevice::ReadWrite));
  QVERIFY(file.seek(60));  // header: user_version, 4 bytes big-endian
  QCOMPARE(file.write(QByteArray("\x00\x00\x00\x07", 4)), qint64{4});
  file.close();
  auto r = SqliteStore::open(o);
  QVERIFY(!r);
  QCOMPARE(r.status().code(), StatusCode::kCorruption);
  QVERIFY2(r.status().message().find("schema version 7") != std::string::npos,
           describe(r.status()));
  QVERIFY2(r.status().message().find(o.path) != std::string::npos, describe(r.status()));
}

// A data dir written by schema version 1 (no `target` column) opens, keeps its rows, and takes
// hinted hand-off rows afterwards.
void TstStore::versionOneSchemaIsMigrated() {
  QTemporaryDir dir;
  const SqliteStoreOptions o = sqlite_options(dir);
  {
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(o.path.c_str(), &db), SQLITE_OK);
    const char* v1 =
        "CREATE TABLE inbox(id INTEGER PRIMARY KEY, recipient TEXT NOT NULL, sender TEXT NOT NULL,"
        " client_msg_id INTEGER NOT NULL, ts_us INTEGER NOT NULL, bucket INTEGER NOT NULL,"
        " payload BLOB NOT NULL);"
        "CREATE INDEX inbox_by_recipient ON inbox(recipient, id);"
        "CREATE TABLE last_seen(user TEXT PRIMARY KEY, ms INTEGER NOT NULL);"
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
        "INSERT INTO inbox VALUES(5, 'alice', 'bob', 9, 100, 0, x'6869');"
        "PRAGMA user_version = 1;";
    char* err = nullptr;
    const int rc = sqlite3_exec(db, v1, nullptr, nullptr, &err);
    QVERIFY2(rc == SQLITE_OK, err ? err : "");
    sqlite3_close(db);
  }
  auto store = open_sqlite(o);
  QVERIFY(store);
  auto old = load_sync(*store, "alice", 0, 10);
  QVERIFY2(old, describe(old.status()));
  QCOMPARE(old->size(), std::size_t{1});
  QCOMPARE((*old)[0].payload, std::string("hi"));
  QCOMPARE((*old)[0].target, std::string());
  StoredMessage hint = make_message(6, "#handoff/node-2", "queued");
  hint.target = "carol";
  QVERIFY(append_sync(*store, {hint}));
  auto rows = load_sync(*store, "#handoff/node-2", 0, 10);
  QVERIFY2(rows, describe(rows.status()));
  QCOMPARE(rows->size(), std::size_t{1});
  QVERIFY(same_message((*rows)[0], hint));
}

void TstStore::notADatabaseRefused() {
  QTemporaryDir dir;
  const SqliteStoreOptions o = sqlite_options(dir);
  QFile file(QString::fromStdString(o.path));
  QVERIFY(file.open(QIODevice::WriteOnly));
  file.write(QByteArray(8192, 'G'));
  file.close();
  auto r = SqliteStore::open(o);
  QVERIFY(!r);
  QCOMPARE(r.status().code(), StatusCode::kCorruption);
  QVERIFY2(r.status().message().find(o.path) != std::string::npos, describe(r.status()));
}

void TstStore::unopenablePath() {
  QTemporaryDir dir;
  QFile blocker(dir.filePath(QStringLiteral("file")));
  QVERIFY(blocker.open(QIODevice::WriteOnly));
  blocker.close();
  SqliteStoreOptions o;
  o.path = dir.filePath(QStringLiteral("file/inbox.db")).toStdString();  // parent is a file
  auto r = SqliteStore::open(o);
  QVERIFY(!r);
  QCOMPARE(r.status().code(), StatusCode::kIoError);
  qInfo("parent is a file: %s", r.status().to_string().c_str());

  o.path = dir.path().toStdString();  // a directory, not a file
  r = SqliteStore::open(o);
  QVERIFY(!r);
  QCOMPARE(r.status().code(), StatusCode::kIoError);
  qInfo("path is a directory: %s", r.status().to_string().c_str());

  o.path.clear();
  r = SqliteStore::open(o);
  QVERIFY(!r);
  QCOMPARE(r.status().code(), StatusCode::kInvalidArgument);

  o.path = dir.filePath(QStringLiteral("new/sub/dir/inbox.db")).toStdString();
  auto created = open_sqlite(o);  // a missing parent directory is created
  QVERIFY(created);
}

void TstStore::crashLosesNothingAcked_data() {
  QTest::addColumn<QString>("mode");
  QTest::newRow("guaranteed") << QStringLiteral("guaranteed");
  QTest::newRow("relaxed") << QStringLiteral("relaxed");
}

// Runs the crash child on `db` and SIGKILLs it once `delay_ms` passed and at least 3,000 ids
// were acknowledged; appends the acknowledged ranges (also those read after the kill) to `acks`.
void TstStore::burstAndKill(const QString& db, const QString& mode, int delay_ms,
                            std::vector<AckRange>& acks, std::size_t& acked_now) {
  QProcess child;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QString::fromLatin1(kCrashChildEnv), db);
  env.insert(QString::fromLatin1(kCrashModeEnv), mode);
  child.setProcessEnvironment(env);
  child.setProgram(QCoreApplication::applicationFilePath());
  child.start();
  QVERIFY(child.waitForStarted());
  QByteArray pending;
  QElapsedTimer timer;
  timer.start();
  while (timer.elapsed() < delay_ms || acked_now < 3000) {
    QVERIFY2(timer.elapsed() < 20'000, "child too slow");
    QVERIFY2(child.state() == QProcess::Running, child.readAllStandardError().constData());
    child.waitForReadyRead(20);
    pending += child.readAllStandardOutput();
    acked_now += consume_acks(pending, acks);
  }
  child.kill();  // SIGKILL
  QVERIFY(child.waitForFinished(10'000));
  QCOMPARE(child.exitStatus(), QProcess::CrashExit);
  pending += child.readAllStandardOutput();  // acks written before the kill count too
  acked_now += consume_acks(pending, acks);
}

// Every acknowledged id is present, every row equals crash_message(id).
void TstStore::verifyCrashDb(const QString& db, const std::vector<AckRange>& acks,
                             const QString& what) {
  SqliteStoreOptions o;
  o.path = db.toStdString();
  auto store = open_sqlite(o);
  QVERIFY(store);
  std::unordered_set<std::uint64_t> present;
  std::size_t corrupt = 0;
  for (int r = 0; r < 5; ++r) {
    const std::string recipient = "r" + std::to_string(r);
    for (std::uint64_t after = 0;;) {
      auto page = load_sync(*store, recipient, after, 5000);
      QVERIFY2(page, describe(page.status()));
      for (const auto& m : *page) {
        corrupt += same_message(m, crash_message(m.id)) ? 0 : 1;
        present.insert(m.id);
      }
      if (page->size() < 5000) break;
      after = page->back().id;
    }
  }
  std::size_t acked = 0, missing = 0;
  for (const AckRange& a : acks) {
    acked += a.count;
    for (std::size_t i = 0; i < a.count; ++i) missing += present.count(a.first + i) ? 0 : 1;
  }
  qInfo("%s: %zu acked in total, %zu rows, %zu missing, %zu corrupt", qPrintable(what), acked,
        present.size(), missing, corrupt);
  QCOMPARE(missing, std::size_t{0});
  QCOMPARE(corrupt, std::size_t{0});
  QCOMPARE(store->stats().messages, std::uint64_t{present.size()});
}

// Three kills on one database: recovery, more traffic, another kill, and so on.
void TstStore::crashLosesNothingAcked() {
  QFETCH(QString, mode);
  QTemporaryDir dir;
  const QString db = dir.filePath(QStringLiteral("crash.db"));
  std::vector<AckRange> acks;  // across all kills
  for (int delay_ms : {300, 600, 1000}) {
    std::size_t acked_now = 0;
    QElapsedTimer timer;
    timer.start();
    burstAndKill(db, mode, delay_ms, acks, acked_now);
    if (QTest::currentTestFailed()) return;
    const double secs = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    verifyCrashDb(db, acks,
                  QStringLiteral("%1 kill after %2 ms (%3 acked, ~%4 rows/s)")
                      .arg(mode)
                      .arg(delay_ms)
                      .arg(acked_now)
                      .arg(static_cast<double>(acked_now) / secs, 0, 'f', 0));
    if (QTest::currentTestFailed()) return;
  }
}

int main(int argc, char** argv) {
  if (const char* db = std::getenv(kCrashChildEnv)) {
    const char* mode = std::getenv(kCrashModeEnv);
    return run_crash_child(db, mode != nullptr && std::string(mode) == "relaxed");
  }
  QCoreApplication app(argc, argv);
  TstStore tc;
  QTEST_SET_MAIN_SOURCE_PATH
  return QTest::qExec(&tc, argc, argv);
}

#include "tst_store.moc"
