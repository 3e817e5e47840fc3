// Image captcha (ACC-1): random case-sensitive characters drawn into a PNG with cairo.
#pragma once

#include <functional>
#include <string>

namespace portal::detail {

/// `length` random characters from letters and digits without look-alikes (0/O/o, 1/l/I).
std::string captcha_text(int length);

/// Tests only: makes captcha_text() return `fn(length)` (nullptr restores randomness), so a test
/// can answer a captcha. Not thread-safe against concurrent captcha_text() calls.
void set_captcha_text_for_tests(std::function<std::string(int)> fn);

/// A PNG of `text`: jittered, rotated glyphs over noise lines. Throws Error(kInternal) when
/// cairo fails.
std::string render_captcha_png(const std::string& text);

}  // namespace portal::detail
