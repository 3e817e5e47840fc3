// render_bench: rendering figures for issue #5 / benchmarks/README.md.
//
//   render_bench DIR [ROUNDS [ONLY]]     ONLY: a name prefix: jpeg, png, thumbnail, encode, decode, session
//
// DIR holds 512x512 16-bit CT instances (tests/data/gen_studies.py OUT --preset bench
// --ct-instances 20). The files are read into memory first; each measurement renders one frame
// from the instance's bytes (parse, decode, LUT, scale, encode), in process:
//   jpeg       window 40/400, JPEG q=90, full size
//   png        window 40/400, PNG (fast compression), full size
//   thumbnail  256-pixel JPEG (q=80) with the file's window
//   encode     libjpeg-turbo alone on the windowed 8-bit frame (q=90): the floor of `jpeg`
//   decode     decode_pixels alone (parse, checks, stored values)
//   session thumbnail uncached / cached   Session::thumbnail through a portal in a scratch
//              folder, with the thumbnail cache off (every call reads and renders) and on (hits
//              after the warm-up); both include the access check and the audit record
// Prints median and p95 wall ms per frame on one core (and the median thread CPU time, which
// other processes on a shared machine do not inflate), then frames/s with one thread per core.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "libportal/render/encode.hpp"
#include "portal/error.hpp"
#include "portal/imaging.hpp"
#include "portal/portal.hpp"
#include "portal/session.hpp"

using namespace portal;
using Steady = std::chrono::steady_clock;

namespace {

std::vector<std::string> load_instances(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".dcm") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string bytes = ss.str();
    try {
      PixelArray px = decode_pixels(bytes);
      if (px.rows == 512 && px.columns == 512 && px.bytes_per_sample == 2) out.push_back(bytes);
    } catch (const Error&) {
    }
  }
  return out;
}

// CPU time of the calling thread: on a shared machine, wall time also counts other processes.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

using Job = std::function<std::string(const std::string&)>;

std::string g_only;

void measure(const char* name, const Job& job, const std::vector<std::string>& inputs, int rounds) {
  if (!g_only.empty() && std::string(name).rfind(g_only, 0) != 0) return;
  std::vector<double> ms, cpu;
  std::size_t bytes_out = 0;
  for (int i = 0; i < 20; ++i) job(inputs[i % inputs.size()]);  // warm up
  for (int r = 0; r < rounds; ++r)
    for (const auto& in : inputs) {
      double c0 = thread_cpu_ms();
      auto t0 = Steady::now();
      bytes_out += job(in).size();
      ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
      cpu.push_back(thread_cpu_ms() - c0);
    }
  std::sort(ms.begin(), ms.end());
  std::sort(cpu.begin(), cpu.end());
  double median = ms[ms.size() / 2], p95 = ms[ms.size() * 95 / 100];

  // Throughput: one thread per core, each rendering the inputs round robin.
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::size_t per_thread = ms.size();
  std::atomic<std::size_t> done{0};
  auto t0 = Steady::now();
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < cores; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < per_thread; ++i) job(inputs[(i + t) % inputs.size()]);
      done += per_thread;
    });
  for (auto& th : threads) th.join();
  double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  std::printf(
      "%-10s median %.3f ms  p95 %.3f ms  cpu median %.3f ms  (1 core, %zu frames, "
      "%.1f KB/frame)  %.0f frames/s on %u cores\n",
      name, median, p95, cpu[cpu.size() / 2], ms.size(), bytes_out / 1024.0 / ms.size(),
      done / secs, cores);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: render_bench DIR [ROUNDS]\n");
    return 2;
  }
  int rounds = argc > 2 ? std::atoi(argv[2]) : 50;
  g_only = argc > 3 ? argv[3] : "";
  std::vector<std::string> inputs = load_instances(argv[1]);
  if (inputs.empty()) {
    std::fprintf(stderr, "no 512x512 16-bit instance under %s\n", argv[1]);
    return 1;
  }
  std::printf("%zu instances of 512x512x16 bits, %d rounds\n", inputs.size(), rounds);

  RenderOptions jpeg;
  jpeg.window_center = 40;
  jpeg.window_width = 400;
  jpeg.quality = 90;
  RenderOptions png = jpeg;
  png.format = ImageFormat::kPng;
  measure(
      "jpeg", [&](const std::string& b) { return render(b, jpeg); }, inputs, rounds);
  measure(
      "png", [&](const std::string& b) { return render(b, png); }, inputs, rounds);
  measure(
      "thumbnail", [&](const std::string& b) { return thumbnail(b, 256); }, inputs, rounds);
  // The floor: libjpeg-turbo alone on the already windowed 8-bit frames.
  std::vector<std::vector<std::uint8_t>> grey;
  for (const auto& b : inputs) {
    PixelArray px = decode_pixels(b);
    std::vector<std::uint8_t> g(px.frame_values());
    for (std::size_t i = 0; i < g.size(); ++i) {
      double m = px.modality_value(px.value(i));
      g[i] =
          static_cast<std::uint8_t>(std::clamp(((m - 39.5) / 399 + 0.5) * 255 + 0.5, 0.0, 255.0));
    }
    grey.push_back(std::move(g));
  }
  std::vector<std::string> index;
  for (std::size_t i = 0; i < grey.size(); ++i) index.push_back(std::to_string(i));
  measure(
      "encode",
      [&](const std::string& i) {
        return detail::encode_jpeg({512, 512, 1, grey[std::stoul(i)].data()}, 90);
      },
      index, rounds);
  measure(
      "decode",
      [&](const std::string& b) { return std::string(1, char(decode_pixels(b).data[0])); }, inputs,
      rounds);
  if (g_only.empty() || g_only.rfind("session", 0) == 0) {
    // The same calls with the cache off (every call renders) and on (after the warm-up, every
    // call is a hit).
    for (bool cached : {false, true}) {
      std::string scratch = std::filesystem::temp_directory_path().string() + "/render_bench-" +
                            std::to_string(::getpid());
      {
        Options o;
        o.thumbnail_cache = cached;
        o.load_config = false;
        auto portal = Portal::open(scratch, o);
        auto s = portal->system_session();
        std::vector<std::string> sops;
        for (std::size_t i = 0; i < inputs.size(); ++i)
          sops.push_back(s.ingest_bytes("ct" + std::to_string(i), inputs[i]).sop_uid);
        measure(
            cached ? "session thumbnail cached" : "session thumbnail uncached",
            [&](const std::string& sop) { return s.thumbnail(sop, 256); }, sops, rounds);
      }
      std::filesystem::remove_all(scratch);
    }
  }
  return 0;
}
