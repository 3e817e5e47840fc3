// shells/cli/cmd_render.cpp — `portal render` and `portal thumbnail`: an instance as an image.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"
#include "portal/imaging.hpp"

namespace portal::cli {

namespace {

struct RenderArgs {
  std::string sop_uid;
  std::string as;
  std::string window;  ///< "C,W"
  std::string size;    ///< "WxH" (render) or "N" (thumbnail)
  std::string format = "jpeg";
  std::string preset;
  std::string output;
  RenderOptions options;
};

// "40,400" -> center 40, width 400.
void parse_window(const std::string& text, RenderOptions& o) {
  auto comma = text.find(',');
  try {
    if (comma == std::string::npos) throw std::invalid_argument(text);
    o.window_center = std::stod(text.substr(0, comma));
    o.window_width = std::stod(text.substr(comma + 1));
  } catch (const std::logic_error&) {
    throw Error(ErrorCode::kInvalidArgument, "--window takes CENTER,WIDTH, e.g. 40,400");
  }
}

// "512x512" or "512" -> width, height.
void parse_size(const std::string& text, int& width, int& height) {
  auto x = text.find('x');
  try {
    width = std::stoi(text.substr(0, x));
    height = x == std::string::npos ? width : std::stoi(text.substr(x + 1));
  } catch (const std::logic_error&) {
    throw Error(ErrorCode::kInvalidArgument, "--size takes WIDTHxHEIGHT or N, e.g. 512x512");
  }
}

void write_output(const std::string& path, const std::string& bytes) {
  if (path == "-") {
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error(ErrorCode::kIo, "cannot write " + path);
  std::cerr << fmt::format("wrote {} ({})\n", path, format_bytes(static_cast<std::int64_t>(bytes.size())));
}

int run_render(const Globals& globals, RenderArgs a) {
  if (!a.window.empty()) parse_window(a.window, a.options);
  if (!a.size.empty()) parse_size(a.size, a.options.width, a.options.height);
  if (!a.preset.empty()) a.options.preset = parse_window_preset(a.preset);
  if (a.format == "png") {
    a.options.format = ImageFormat::kPng;
  } else if (a.format != "jpeg" && a.format != "jpg") {
    throw Error(ErrorCode::kInvalidArgument, "--format is jpeg or png");
  }
  auto portal = open_portal(globals);
  write_output(a.output, session_for(*portal, a.as).render(a.sop_uid, a.options));
  return kExitOk;
}

int run_thumbnail(const Globals& globals, const RenderArgs& a) {
  int size = 256, unused = 0;
  if (!a.size.empty()) parse_size(a.size, size, unused);
  auto portal = open_portal(globals);
  write_output(a.output, session_for(*portal, a.as).thumbnail(a.sop_uid, size));
  return kExitOk;
}

}  // namespace

void add_render_command(CLI::App& root, const Globals& globals, Registry& registry) {
  auto r = std::make_shared<RenderArgs>();
  CLI::App* cmd = root.add_subcommand("render", "Render one frame of an instance to JPEG or PNG");
  cmd->add_option("INSTANCE", r->sop_uid, "SOP Instance UID")->required();
  cmd->add_option("--frame", r->options.frame, "Frame, from 0")->check(CLI::NonNegativeNumber);
  cmd->add_option("--window", r->window, "Window CENTER,WIDTH in modality units");
  cmd->add_option("--preset", r->preset, "abdomen, bone, brain, lung or mediastinum");
  cmd->add_flag("--invert", r->options.invert, "Invert grey levels");
  cmd->add_option("--format", r->format, "jpeg (default) or png");
  cmd->add_option("--quality", r->options.quality, "JPEG quality 1-100")->check(CLI::Range(1, 100));
  cmd->add_option("--size", r->size, "Fit into WIDTHxHEIGHT (never enlarged)");
  cmd->add_option("-o,--output", r->output, "Output file ('-' for standard output)")->required();
  cmd->add_option("--as", r->as, "Act as this account (its access rules apply)");
  registry[cmd] = [&globals, r] { return run_render(globals, *r); };

  auto t = std::make_shared<RenderArgs>();
  cmd = root.add_subcommand("thumbnail", "A JPEG thumbnail of an instance");
  cmd->add_option("INSTANCE", t->sop_uid, "SOP Instance UID")->required();
  cmd->add_option("--size", t->size, "Fit into N x N pixels (default 256)");
  cmd->add_option("-o,--output", t->output, "Output file ('-' for standard output)")->required();
  cmd->add_option("--as", t->as, "Act as this account (its access rules apply)");
  registry[cmd] = [&globals, t] { return run_thumbnail(globals, *t); };
}

}  // namespace portal::cli
