#include "libportal/auth/captcha.hpp"

#include <cairo.h>
#include <sodium.h>

#include <cmath>
#include <memory>

#include "portal/error.hpp"

namespace portal::detail {
namespace {

constexpr const char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

double uniform(double lo, double hi) {
  return lo + (hi - lo) * (randombytes_uniform(1u << 20) / double(1u << 20));
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::function<std::string(int)>& text_hook() {
  static std::function<std::string(int)> hook;
  return hook;
}

}  // namespace

void set_captcha_text_for_tests(std::function<std::string(int)> fn) { text_hook() = std::move(fn); }

std::string captcha_text(int length) {
  if (text_hook()) return text_hook()(length);
  if (sodium_init() < 0) throw Error(ErrorCode::kInternal, "libsodium failed to initialise");
  std::string out;
  for (int i = 0; i < std::max(length, 4); ++i)
    out += kAlphabet[randombytes_uniform(sizeof(kAlphabet) - 1)];
  return out;
}

std::string render_captcha_png(const std::string& text) {
  const int height = 70, cell = 36, width = 20 + cell * static_cast<int>(text.size());
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), cairo_destroy);
  cairo_t* c = cr.get();
  cairo_set_source_rgb(c, 0.96, 0.96, 0.93);
  cairo_paint(c);
  for (int i = 0; i < 8; ++i) {  // noise lines
    cairo_set_source_rgb(c, uniform(0.3, 0.8), uniform(0.3, 0.8), uniform(0.3, 0.8));
    cairo_set_line_width(c, uniform(1.0, 2.5));
    cairo_move_to(c, uniform(0, width), uniform(0, height));
    cairo_curve_to(c, uniform(0, width), uniform(0, height), uniform(0, width), uniform(0, height),
                   uniform(0, width), uniform(0, height));
    cairo_stroke(c);
  }
  cairo_select_font_face(c, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  for (std::size_t i = 0; i < text.size(); ++i) {
    cairo_save(c);
    cairo_set_font_size(c, uniform(30, 40));
    cairo_set_source_rgb(c, uniform(0, 0.4), uniform(0, 0.4), uniform(0, 0.4));
    cairo_translate(c, 12 + cell * static_cast<double>(i) + uniform(-3, 3), 48 + uniform(-6, 6));
    cairo_rotate(c, uniform(-0.35, 0.35));
    char glyph[2] = {text[i], 0};
    cairo_show_text(c, glyph);
    cairo_restore(c);
  }
  cairo_surface_flush(surface.get());
  std::string png;
  if (cairo_surface_write_to_png_stream(surface.get(), append, &png) != CAIRO_STATUS_SUCCESS)
    throw Error(ErrorCode::kInternal, "the captcha image could not be encoded");
  return png;
}

}  // namespace portal::detail
