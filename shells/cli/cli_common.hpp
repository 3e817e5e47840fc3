// shells/cli/cli_common.hpp — what every `portal` command shares: opening the portal, the one
// error-to-exit-code table, JSON shapes of model types, and plain-text table output.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../common/model_json.hpp"
#include "portal/accounts.hpp"
#include "portal/error.hpp"
#include "portal/model.hpp"
#include "portal/portal.hpp"
#include "portal/query.hpp"

namespace portal::cli {

/// JSON documents keep their fields in the order written (the order of model.hpp); the shapes
/// are shared with portald (shells/common/model_json.hpp).
using shell::Json;
using shell::to_json;

/// Exit codes of `portal` (docs/cli.md lists the same table).
enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,    ///< a bug or an unexpected failure
  kExitUsage = 2,       ///< bad command line or invalid argument
  kExitRejected = 3,    ///< ingest: some files were rejected (the others went in)
  kExitFsckIssues = 4,  ///< fsck: issues remain
  kExitNotFound = 5,    ///< no such study, path or data directory
  kExitConflict = 6,    ///< contradicts stored state
  kExitDenied = 7,      ///< permission denied or unauthenticated
  kExitIo = 8,          ///< file system failure or damaged stored data
};

/// The exit code for a library error code. The only place codes are mapped.
int exit_code_for(ErrorCode code) noexcept;

/// Runs `body` (which parses the command line and runs a command), turning every exception into
/// an exit code: --help/--version print and give 0; a parse error or portal::Error prints
/// "portal: error: <message>" on stderr. The only place the CLI catches errors.
int run_guarded(CLI::App& app, const std::function<int()>& body);

/// Options every command sees (set on the root command).
struct Globals {
  std::string data_dir;  ///< --data DIR, or env PORTAL_DATA
};

/// The session a study command acts as: the system, or `--as LOGIN` (LIST-1 rules of that
/// account apply; the core audits it).
Session session_for(Portal& portal, const std::string& as_login);

/// Reads a password: one line from standard input with --password-stdin, else typed twice on
/// the terminal without echo. Passwords are never taken from arguments.
std::string read_password(bool from_stdin);

/// A command's work, run after parsing. Returns the exit code.
using Runner = std::function<int()>;
/// Subcommand -> its runner; filled by the add_<verb>_command functions.
using Registry = std::map<const CLI::App*, Runner>;

/// Opens the portal named by --data / PORTAL_DATA. Unless `create`, refuses (kNotFound) a
/// directory that holds no portal, so a mistyped path does not silently make a new one.
std::shared_ptr<Portal> open_portal(const Globals& globals, bool create = false);
/// Resolves the data directory (argument, else --data/PORTAL_DATA); kInvalidArgument if none.
std::string data_dir_or_throw(const Globals& globals, const std::string& explicit_dir = {});

// --- JSON output (shapes: shells/common/model_json.hpp) -------------------------------------
/// Prints `value` to stdout, indented; invalid UTF-8 is replaced rather than failing.
void print_json(const Json& value);
/// One line, no indentation (JSON Lines).
std::string json_line(const Json& value);

// --- Text output -------------------------------------------------------------------------------
/// "20240131" -> "2024-01-31"; anything else unchanged.
std::string format_date(const std::string& yyyymmdd);
/// "Family Given".
std::string format_name(const Patient& patient);
/// "1.5 MB" style sizes.
std::string format_bytes(std::int64_t bytes);
/// Joins with `sep`.
std::string join(const std::vector<std::string>& items, std::string_view sep);
/// Columns in terminal cells, counting UTF-8 code points.
std::size_t display_width(std::string_view text);
/// Cuts `text` to at most `width` cells, ending with "…" when cut.
std::string truncate_display(std::string_view text, std::size_t width);

/// A plain text table: header row, then rows; columns padded to their widest cell.
/// `max_width[i]` > 0 caps column i (cells are cut with "…").
void print_table(const std::vector<std::string>& headers,
                 const std::vector<std::vector<std::string>>& rows,
                 const std::vector<std::size_t>& max_width = {});

/// The study-list table shared by `studies` and `history`.
void print_study_table(const std::vector<Study>& studies);

// --- Commands (one cmd_<verb>.cpp each) --------------------------------------------------------
void add_init_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_ingest_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_studies_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_show_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_instances_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_history_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_fsck_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_admin_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_users_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_profiles_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_mail_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_audit_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_render_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_attach_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_export_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_share_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_report_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_audio_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_document_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_tokens_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_dicom_command(CLI::App& root, const Globals& globals, Registry& registry);
void add_send_command(CLI::App& root, const Globals& globals, Registry& registry);

}  // namespace portal::cli
