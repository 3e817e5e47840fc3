#include "libportal/render/pdf_summary.hpp"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "portal/error.hpp"

namespace portal::detail {
namespace {

constexpr double kPageW = 595.28, kPageH = 841.89, kMargin = 42;  // A4 in points

cairo_status_t write_cb(void* closure, const unsigned char* data, unsigned int length) {
  auto* sink = static_cast<const std::function<void(const char*, std::size_t)>*>(closure);
  try {
    (*sink)(reinterpret_cast<const char*>(data), length);
  } catch (...) {
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

struct PngReader {
  const std::string* bytes;
  std::size_t pos = 0;
};

cairo_status_t read_cb(void* closure, unsigned char* data, unsigned int length) {
  auto* r = static_cast<PngReader*>(closure);
  if (r->pos + length > r->bytes->size()) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(data, r->bytes->data() + r->pos, length);
  r->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

// Text wrapped to `width`, one line at a time, at (x, y) advancing y.
void draw_wrapped(cairo_t* cr, const std::string& text, double x, double& y, double width,
                  double line) {
  std::string current;
  auto flush = [&] {
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, current.c_str());
    y += line;
    current.clear();
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find_first_of(" \n", start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    std::string trial = current.empty() ? word : current + " " + word;
    cairo_text_extents_t ext;
    cairo_text_extents(cr, trial.c_str(), &ext);
    if (ext.width > width && !current.empty()) {
      flush();
      current = word;
    } else {
      current = trial;
    }
    if (end < text.size() && text[end] == '\n') flush();
    start = end + 1;
  }
  if (!current.empty()) flush();
}

}  // namespace

void write_pdf_summary(const SummaryContent& c,
                       const std::function<void(const char*, std::size_t)>& sink) {
  const double cell_w = (kPageW - 2 * kMargin - 20) / 2, cell_h = 250;
  const double bottom = kPageH - kMargin - 20;  // above the footer
  const std::size_t per_page = 2 * static_cast<std::size_t>((bottom - kMargin) / (cell_h + 10));
  std::size_t n = c.images.size();
  int pages = 1;

  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(write_cb, const_cast<void*>(static_cast<const void*>(&sink)),
                                          kPageW, kPageH);
  cairo_t* cr = cairo_create(surface);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  int page = 1;
  auto footer = [&] {
    cairo_set_font_size(cr, 8);
    cairo_move_to(cr, kMargin, kPageH - 20);
    cairo_show_text(cr, c.footer.c_str());
    std::string num = "page " + std::to_string(page) + " / " + std::to_string(pages);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, num.c_str(), &ext);
    cairo_move_to(cr, kPageW - kMargin - ext.width, kPageH - 20);
    cairo_show_text(cr, num.c_str());
  };
  double y = kMargin + 10;
  cairo_set_font_size(cr, 16);
  cairo_move_to(cr, kMargin, y);
  cairo_show_text(cr, c.title.c_str());
  y += 24;
  cairo_set_font_size(cr, 10);
  for (const auto& line : c.header) draw_wrapped(cr, line, kMargin, y, kPageW - 2 * kMargin, 14);
  y += 8;
  if (!c.report.empty()) {
    cairo_set_font_size(cr, 12);
    cairo_move_to(cr, kMargin, y);
    cairo_show_text(cr, "Report");
    y += 16;
    cairo_set_font_size(cr, 10);
    draw_wrapped(cr, c.report, kMargin, y, kPageW - 2 * kMargin, 13);
    y += 8;
  }
  // Images fill the rest of the first page, then whole pages; the count is known now.
  double top = y + 10;
  std::size_t capacity = 2 * static_cast<std::size_t>(std::max(0.0, (bottom - top) / (cell_h + 10)));
  if (n > capacity) pages += static_cast<int>((n - capacity + per_page - 1) / per_page);
  std::size_t on_page = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (on_page == capacity) {
      footer();
      cairo_show_page(cr);
      ++page;
      on_page = 0;
      capacity = per_page;
      top = kMargin;
    }
    double x = kMargin + (on_page % 2) * (cell_w + 20);
    double cy = top + (on_page / 2) * (cell_h + 10);
    PngReader reader{&c.images[i].png};
    cairo_surface_t* img = cairo_image_surface_create_from_png_stream(read_cb, &reader);
    if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
      double iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
      double scale = std::min(cell_w / iw, (cell_h - 20) / ih);
      cairo_save(cr);
      cairo_translate(cr, x, cy);
      cairo_scale(cr, scale, scale);
      cairo_set_source_surface(cr, img, 0, 0);
      cairo_paint(cr);
      cairo_restore(cr);
    }
    cairo_surface_destroy(img);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 9);
    cairo_move_to(cr, x, cy + cell_h - 6);
    cairo_show_text(cr, c.images[i].caption.c_str());
    ++on_page;
  }
  footer();
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS)
    throw Error(ErrorCode::kInternal, std::string("PDF: ") + cairo_status_to_string(status));
}

}  // namespace portal::detail
