#include "simulator/sim_world.h"

#include <cmath>

#include <algorithm>
#include <chrono>
#include <thread>

namespace iris::sim {

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}
}  // namespace

Rng::Rng(std::uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
}

double Rng::exponential_s(double per_s) {
  return -std::log(1.0 - unit()) / per_s;
}

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

void World::at(std::uint64_t t, Task fn) {
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(std::move(fn));
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[slot] = std::move(fn);
  }
  heap_.push_back(Entry{std::max(t, now_), seq_++, slot});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

bool World::step() {
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  const Entry e = heap_.back();
  heap_.pop_back();
  now_ = e.t;
  ++events_;
  // Out of its slot before it runs: the callback may schedule (and so reuse or grow slots).
  Task fn = std::move(slots_[e.slot]);
  free_slots_.push_back(e.slot);
  fn();
  return true;
}

std::uint64_t World::run_until(std::uint64_t t, std::uint64_t max_events) {
  std::uint64_t n = 0;
  while (n < max_events && !heap_.empty() && heap_.front().t <= t) {
    step();
    ++n;
  }
  if (n < max_events && now_ < t) now_ = t;
  return n;
}

void World::run_paced(double speed, std::uint64_t real_us) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const std::uint64_t v0 = now_;
  for (;;) {
    const auto real = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    const std::uint64_t elapsed =
        std::min<std::uint64_t>(static_cast<std::uint64_t>(real.count()), real_us);
    const bool last = elapsed >= real_us;
    if (speed <= 0) {
      for (int i = 0; i < 1024 && step(); ++i) {
      }
      if (last || heap_.empty()) return;
      continue;
    }
    const std::uint64_t target =
        v0 + static_cast<std::uint64_t>(static_cast<double>(elapsed) * speed);
    if (last) {  // catch up to where real time says the world should be, then return
      while (run_until(target, 4096) == 4096) {
      }
      return;
    }
    run_until(target, 4096);
    if (!heap_.empty() && heap_.front().t <= target) continue;  // behind: keep going
    // Ahead of real time: wait a little (at most 1 ms, to stay responsive).
    std::this_thread::sleep_for(
        std::chrono::microseconds(std::min<std::uint64_t>(1000, real_us - elapsed)));
  }
}

// A word at a time (FNV-1a's xor-multiply on 64-bit words, each word mixed first): the same
// events give the same hash, and it costs 5 multiplications and mixes, not 40.
void World::trace(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
  for (std::uint64_t v : {now_, a, b, c, d}) {
    std::uint64_t z = v + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    hash_ ^= z ^ (z >> 31);
    hash_ *= 1099511628211ull;
  }
}

}  // namespace iris::sim
