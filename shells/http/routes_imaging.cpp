// shells/http/routes_imaging.cpp — one instance as stored, rendered to JPEG/PNG, as a thumbnail,
// or one frame as the viewer asks for it (VIEW-7 server side).
#include "routes.hpp"

namespace portal::http::handlers {

namespace {

int int_param(Context& ctx, const char* name, int fallback, int lo, int hi) {
  auto v = ctx.query_int(name);
  if (!v) return fallback;
  if (*v < lo || *v > hi)
    throw Error(ErrorCode::kInvalidArgument, std::string(name) + " must be " + std::to_string(lo) +
                                                 " to " + std::to_string(hi));
  return static_cast<int>(*v);
}

std::optional<double> double_param(Context& ctx, const char* name) {
  std::string text = ctx.query(name);
  if (text.empty()) return std::nullopt;
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    throw Error(ErrorCode::kInvalidArgument, std::string(name) + " must be a number");
  return v;
}

}  // namespace

void instance_file(Context& ctx) {
  ctx.res.set_header("Content-Disposition", "attachment; filename=\"instance.dcm\"");
  ctx.send_bytes(ctx.user().instance_bytes(ctx.params.at(0)), "application/dicom");
}

void render(Context& ctx) {
  RenderOptions o;
  o.frame = int_param(ctx, "frame", 0, 0, 1000000);
  o.window_center = double_param(ctx, "window_center");
  o.window_width = double_param(ctx, "window_width");
  o.preset = parse_window_preset(ctx.query("preset"));
  const std::string invert = ctx.query("invert", "false");
  if (invert != "true" && invert != "false")
    throw Error(ErrorCode::kInvalidArgument, "invert must be true or false");
  o.invert = invert == "true";
  o.width = int_param(ctx, "width", 0, 0, 65535);
  o.height = int_param(ctx, "height", 0, 0, 65535);
  const std::string format = ctx.query("format", "jpeg");
  if (format != "jpeg" && format != "png")
    throw Error(ErrorCode::kInvalidArgument, "format must be jpeg or png");
  o.format = format == "png" ? ImageFormat::kPng : ImageFormat::kJpeg;
  o.quality = int_param(ctx, "quality", 90, 1, 100);
  ctx.send_bytes(ctx.user().render(ctx.params.at(0), o),
                 format == "png" ? "image/png" : "image/jpeg");
}

void thumbnail(Context& ctx) {
  int size = int_param(ctx, "size", 256, 16, 1024);
  ctx.send_bytes(ctx.user().thumbnail(ctx.params.at(0), size), "image/jpeg");
}

void frame(Context& ctx) {
  FrameTransfer transfer = parse_frame_transfer(ctx.query("transfer", "as_stored"));
  int quality = int_param(ctx, "quality", 90, 1, 100);
  FramePayload f = ctx.user().frame(ctx.params.at(0), std::stoi(ctx.params.at(1)), transfer,
                                    quality);
  ctx.res.set_header("X-Transfer-Syntax-UID", f.transfer_syntax_uid);
  ctx.res.set_header("X-Rows", std::to_string(f.rows));
  ctx.res.set_header("X-Columns", std::to_string(f.columns));
  ctx.res.set_header("X-Samples-Per-Pixel", std::to_string(f.samples));
  ctx.res.set_header("X-Bits-Allocated", std::to_string(f.bits_allocated));
  ctx.send_bytes(std::move(f.bytes), f.media_type);
}

}  // namespace portal::http::handlers
