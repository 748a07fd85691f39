#pragma once
// World: the simulator's event loop. Virtual time, one queue of timed events, one seeded random
// source and a running hash of what happened (the trace hash). One thread, no real time: a run is
// a pure function of its seed and inputs, so the same seed replays it exactly.

#include <cstdint>
#include <functional>
#include <vector>

namespace iris::sim {

// xoshiro256** seeded through splitmix64: fast, good enough, and the same on every machine.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t next();
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  bool chance(double p) { return unit() < p; }
  // Seconds until the next event of a Poisson process with this rate (per second).
  double exponential_s(double per_s);

 private:
  std::uint64_t s_[4];
};

class World {
 public:
  // Virtual time starts at a fixed Unix time (2026-01-01), so wall-clock logic (tokens, last
  // seen) sees plausible values.
  static constexpr std::uint64_t kEpochUs = 1'767'225'600'000'000ull;

  explicit World(std::uint64_t seed) : seed_(seed), rng_(seed) {}

  std::uint64_t seed() const { return seed_; }
  std::uint64_t now_us() const { return now_; }
  Rng& rng() { return rng_; }

  // Runs `fn` at time t (not before now). Events at the same time run in the order scheduled.
  void at(std::uint64_t t, std::function<void()> fn);
  void after(std::uint64_t dt, std::function<void()> fn) { at(now_ + dt, std::move(fn)); }

  // Runs the next event; false when there is none.
  bool step();
  // Runs events up to and including time t (then sets the clock to t), at most max_events.
  // Returns the number run.
  std::uint64_t run_until(std::uint64_t t, std::uint64_t max_events = ~0ull);

  // Paced run, for a console watching a live cluster: runs events so that virtual time advances
  // `speed` times as fast as real time (sleeping when ahead), for `real_us` of real time, then
  // returns. speed <= 0: as fast as possible for that long. Where it stops does not change which
  // events run in which order, so a paced run keeps the trace of its seed.
  void run_paced(double speed, std::uint64_t real_us);

  // Mixes a record of something that happened into the trace hash.
  void trace(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0, std::uint64_t d = 0);
  std::uint64_t trace_hash() const { return hash_; }
  std::uint64_t events_run() const { return events_; }
  std::size_t pending() const { return heap_.size(); }

 private:
  // The heap holds small plain entries (time, order, slot) and the callbacks sit still in slots:
  // sifting moves 24 bytes instead of a std::function, and freed slots are reused.
  struct Entry {
    std::uint64_t t;
    std::uint64_t seq;
    std::uint32_t slot;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.t != b.t ? a.t > b.t : a.seq > b.seq;
    }
  };

  std::uint64_t seed_;
  Rng rng_;
  std::uint64_t now_ = kEpochUs;
  std::uint64_t seq_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t hash_ = 14695981039346656037ull;
  std::vector<Entry> heap_;
  std::vector<std::function<void()>> slots_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace iris::sim
