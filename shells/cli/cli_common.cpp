// shells/cli/cli_common.cpp — see cli_common.hpp.
#include "cli_common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>

#include <termios.h>
#include <unistd.h>

namespace portal::cli {

int exit_code_for(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kTooLarge:
    case ErrorCode::kUnsupported:
      return kExitUsage;
    case ErrorCode::kNotFound:
      return kExitNotFound;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
      return kExitConflict;
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kUnauthenticated:
      return kExitDenied;
    case ErrorCode::kIo:
    case ErrorCode::kCorrupt:
      return kExitIo;
    case ErrorCode::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

namespace {

void print_error(std::string_view message) {
  std::fflush(stdout);
  std::cerr << "portal: error: " << message << std::endl;
}

}  // namespace

int run_guarded(CLI::App& app, const std::function<int()>& body) {
  try {
    return body();
  } catch (const CLI::CallForHelp&) {
    return app.exit(CLI::CallForHelp());
  } catch (const CLI::CallForAllHelp&) {
    return app.exit(CLI::CallForAllHelp());
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what());
    std::cerr << "Run 'portal --help' or 'portal COMMAND --help' for usage." << std::endl;
    return kExitUsage;
  } catch (const Error& e) {
    print_error(e.what());
    return exit_code_for(e.code());
  } catch (const std::bad_alloc&) {
    print_error("out of memory");
    return kExitInternal;
  } catch (const std::filesystem::filesystem_error& e) {
    print_error(e.what());
    return kExitIo;
  } catch (const std::exception& e) {
    print_error(fmt::format("internal error: {}", e.what()));
    return kExitInternal;
  }
}

Session session_for(Portal& portal, const std::string& as_login) {
  return as_login.empty() ? portal.system_session() : portal.session_as(as_login);
}

namespace {

std::string read_line_no_echo(const char* prompt) {
  std::cerr << prompt << std::flush;
  termios old {};
  bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return line;
}

}  // namespace

std::string read_password(bool from_stdin) {
  if (from_stdin) {
    std::string line;
    if (!std::getline(std::cin, line))
      throw Error(ErrorCode::kInvalidArgument, "--password-stdin: no password on standard input");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  if (!isatty(STDIN_FILENO))
    throw Error(ErrorCode::kInvalidArgument,
                "no terminal to type a password on: use --password-stdin");
  std::string first = read_line_no_echo("Password: ");
  std::string second = read_line_no_echo("Password again: ");
  if (first != second) throw Error(ErrorCode::kInvalidArgument, "the two passwords differ");
  return first;
}

std::string data_dir_or_throw(const Globals& globals, const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return explicit_dir;
  if (!globals.data_dir.empty()) return globals.data_dir;
  throw Error(ErrorCode::kInvalidArgument, "no data directory: give --data DIR or set PORTAL_DATA");
}

std::shared_ptr<Portal> open_portal(const Globals& globals, bool create) {
  const std::string dir = data_dir_or_throw(globals);
  if (!create) {
    std::error_code ec;
    // Portal::open documents its index file; without it this is not (yet) a portal.
    if (!std::filesystem::exists(std::filesystem::path(dir) / "index.sqlite", ec)) {
      throw Error(ErrorCode::kNotFound,
                  fmt::format("no portal data directory at '{}' (create one with 'portal init {}')",
                              dir, dir));
    }
  }
  return Portal::open(dir);
}

// --- JSON ----------------------------------------------------------------------------------------

void print_json(const Json& value) {
  std::cout << value.dump(2, ' ', false, Json::error_handler_t::replace) << std::endl;
}

std::string json_line(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// --- Text ----------------------------------------------------------------------------------------

std::string format_date(const std::string& yyyymmdd) {
  if (yyyymmdd.size() != 8) return yyyymmdd;
  return fmt::format("{}-{}-{}", yyyymmdd.substr(0, 4), yyyymmdd.substr(4, 2),
                     yyyymmdd.substr(6, 2));
}

std::string format_name(const Patient& patient) {
  if (patient.given_name.empty()) return patient.family_name;
  if (patient.family_name.empty()) return patient.given_name;
  return patient.family_name + " " + patient.given_name;
}

std::string format_bytes(std::int64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (bytes < 1000) return fmt::format("{} B", bytes);
  if (b < 1e6) return fmt::format("{:.1f} kB", b / 1e3);
  if (b < 1e9) return fmt::format("{:.1f} MB", b / 1e6);
  return fmt::format("{:.2f} GB", b / 1e9);
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

namespace {
bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }
}  // namespace

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return !is_continuation(static_cast<unsigned char>(c));
  }));
}

std::string truncate_display(std::string_view text, std::size_t width) {
  if (display_width(text) <= width) return std::string(text);
  if (width == 0) return {};
  std::size_t cells = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_continuation(static_cast<unsigned char>(text[i]))) {
      if (cells == width - 1) break;
      ++cells;
    }
    ++i;
  }
  return std::string(text.substr(0, i)) + "…";
}

void print_table(const std::vector<std::string>& headers,
                 const std::vector<std::vector<std::string>>& rows,
                 const std::vector<std::size_t>& max_width) {
  const std::size_t n = headers.size();
  auto cell = [&](const std::vector<std::string>& row, std::size_t i) {
    std::string text = i < row.size() ? row[i] : std::string();
    if (i < max_width.size() && max_width[i] > 0) text = truncate_display(text, max_width[i]);
    return text;
  };
  std::vector<std::size_t> width(n);
  for (std::size_t i = 0; i < n; ++i) width[i] = display_width(headers[i]);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < n; ++i) width[i] = std::max(width[i], display_width(cell(row, i)));

  auto print_row = [&](const std::vector<std::string>& row, bool raw) {
    std::string line;
    for (std::size_t i = 0; i < n; ++i) {
      std::string text = raw ? row[i] : cell(row, i);
      if (i + 1 < n) text += std::string(width[i] - display_width(text) + 2, ' ');
      line += text;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << line << '\n';
  };
  print_row(headers, true);
  for (const auto& row : rows) print_row(row, false);
}

void print_study_table(const std::vector<Study>& studies) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(studies.size());
  for (const Study& s : studies) {
    rows.push_back({format_date(s.date), format_name(s.patient), format_date(s.patient.birth_date),
                    s.patient.patient_id, join(s.modalities, ","), s.description, s.accession,
                    s.institution, s.uid});
  }
  print_table({"DATE", "PATIENT", "BIRTH DATE", "PATIENT ID", "MODALITIES", "DESCRIPTION",
               "ACCESSION", "SITE", "STUDY UID"},
              rows, {10, 30, 10, 20, 12, 32, 16, 24, 0});
}

}  // namespace portal::cli
