#include "libportal/sharing/directory_csv.hpp"

#include <algorithm>
#include <map>

#include "libportal/common/text.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

constexpr std::size_t kMaxField = 500;
constexpr std::size_t kMaxRows = 200000;

struct Record {
  int line = 0;  ///< line where the record starts
  std::vector<std::string> fields;
  std::string error;  ///< a quoting error
};

// Splits into records, honouring quotes (which may hold separators and line breaks).
std::vector<Record> records(const std::string& text, char sep) {
  std::vector<Record> out;
  std::size_t i = 0;
  int line = 1;
  while (i < text.size()) {
    Record r;
    r.line = line;
    std::string field;
    bool quoted_field = false;
    bool end = false;
    while (!end) {
      if (i >= text.size()) {
        end = true;
        break;
      }
      char c = text[i];
      if (c == '"' && field.empty() && !quoted_field) {
        quoted_field = true;
        ++i;
        bool closed = false;
        while (i < text.size()) {
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        if (!closed) {
          r.error = "a quoted field is not closed";
          i = text.size();
          end = true;
          break;
        }
        if (i < text.size() && text[i] != sep && text[i] != '\n' && text[i] != '\r' &&
            r.error.empty())
          r.error = "text after a closing quote";
        continue;
      }
      if (c == sep) {
        r.fields.push_back(std::move(field));
        field.clear();
        quoted_field = false;
        ++i;
        continue;
      }
      if (c == '\r' || c == '\n') {
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        ++i;
        ++line;
        end = true;
        break;
      }
      field += c;
      ++i;
    }
    r.fields.push_back(std::move(field));
    bool blank = r.error.empty() && r.fields.size() == 1 && trim(r.fields[0]).empty();
    if (!blank) out.push_back(std::move(r));
  }
  return out;
}

// "Last name", "last_name", "LAST-NAME" -> "last_name"; French names too.
std::string column_key(const std::string& header) {
  std::string f = fold(header);
  for (auto& c : f)
    if (c == ' ') c = '_';
  static const std::map<std::string, std::string> aliases = {
      {"nom", "last_name"},           {"prenom", "first_name"},   {"identifiant", "identifier"},
      {"id", "identifier"},           {"rpps", "identifier"},     {"specialite", "specialty"},
      {"ville", "city"},              {"code_postal", "postcode"}, {"postal_code", "postcode"},
      {"zip", "postcode"},            {"departement", "department"}, {"mail", "email"},
      {"e_mail", "email"},            {"lastname", "last_name"},  {"firstname", "first_name"},
      {"family_name", "last_name"},   {"given_name", "first_name"}, {"speciality", "specialty"}};
  if (auto it = aliases.find(f); it != aliases.end()) return it->second;
  return f;
}

bool valid_email(const std::string& e) {
  auto at = e.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= e.size()) return false;
  if (e.find('@', at + 1) != std::string::npos) return false;
  if (e.find('.', at) == std::string::npos) return false;
  for (unsigned char c : e)
    if (c <= ' ' || c == 0x7f || c == ',' || c == ';' || c == '<' || c == '>') return false;
  return e.size() <= 254;
}

}  // namespace

const std::vector<std::string>& directory_columns() {
  static const std::vector<std::string> v = {"last_name", "first_name", "identifier",
                                             "specialty", "city",       "postcode",
                                             "department", "email"};
  return v;
}

std::vector<PhysicianRow> parse_directory_csv(const std::string& input) {
  std::string text = input;
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::string first_line = text.substr(0, text.find('\n'));
  char sep = first_line.find(',') == std::string::npos && first_line.find(';') != std::string::npos
                 ? ';'
                 : ',';
  auto recs = records(text, sep);
  if (recs.empty()) throw Error(ErrorCode::kInvalidArgument, "the directory file is empty");
  if (recs.size() > kMaxRows)
    throw Error(ErrorCode::kInvalidArgument,
                "the directory file has more than " + std::to_string(kMaxRows) + " rows");

  // Column i of a record -> index in directory_columns().
  std::vector<int> map;
  std::size_t start = 0;
  bool header = recs.front().error.empty();
  std::vector<int> header_map;
  for (const auto& f : recs.front().fields) {
    std::string key = column_key(f);
    const auto& cols = directory_columns();
    auto it = std::find(cols.begin(), cols.end(), key);
    if (it == cols.end()) {
      header = false;
      break;
    }
    header_map.push_back(static_cast<int>(it - cols.begin()));
  }
  if (header) {
    std::vector<bool> seen(directory_columns().size(), false);
    for (int k : header_map) {
      if (seen[static_cast<std::size_t>(k)])
        throw Error(ErrorCode::kInvalidArgument,
                    "line 1: the column " + directory_columns()[static_cast<std::size_t>(k)] +
                        " appears twice");
      seen[static_cast<std::size_t>(k)] = true;
    }
    if (!seen[0])
      throw Error(ErrorCode::kInvalidArgument, "line 1: the header has no last_name column");
    map = header_map;
    start = 1;
  } else {
    for (int k = 0; k < static_cast<int>(directory_columns().size()); ++k) map.push_back(k);
  }

  std::vector<PhysicianRow> out;
  std::vector<std::string> errors;
  int bad_rows = 0;
  for (std::size_t r = start; r < recs.size(); ++r) {
    const auto& rec = recs[r];
    std::string why = rec.error;
    if (why.empty() && rec.fields.size() != map.size())
      why = "expected " + std::to_string(map.size()) + " fields, found " +
            std::to_string(rec.fields.size());
    PhysicianRow row;
    row.line = rec.line;
    if (why.empty()) {
      std::vector<std::string> v(directory_columns().size());
      for (std::size_t i = 0; i < map.size() && why.empty(); ++i) {
        std::string f = trim(rec.fields[i]);
        if (!is_valid_utf8(f))
          why = directory_columns()[static_cast<std::size_t>(map[i])] + " is not valid UTF-8";
        else if (f.size() > kMaxField)
          why = directory_columns()[static_cast<std::size_t>(map[i])] + " is longer than " +
                std::to_string(kMaxField) + " bytes";
        else if (f.find_first_of("\r\n") != std::string::npos)
          why = directory_columns()[static_cast<std::size_t>(map[i])] + " holds a line break";
        v[static_cast<std::size_t>(map[i])] = f;
      }
      if (why.empty() && v[0].empty()) why = "the last name is empty";
      if (why.empty() && !v[7].empty() && !valid_email(v[7]))
        why = "invalid email address \"" + v[7] + "\"";
      auto& p = row.p;
      p.last_name = v[0];
      p.first_name = v[1];
      p.identifier = v[2];
      p.specialty = v[3];
      p.city = v[4];
      p.postcode = v[5];
      p.department = v[6];
      p.email = v[7];
    }
    if (!why.empty()) {
      ++bad_rows;
      if (errors.size() < 20) errors.push_back("line " + std::to_string(rec.line) + ": " + why);
      continue;
    }
    out.push_back(std::move(row));
  }
  if (bad_rows) {
    std::string msg = std::to_string(bad_rows) + " bad row" + (bad_rows > 1 ? "s" : "") +
                      ", nothing imported:";
    for (const auto& e : errors) msg += "\n" + e;
    if (bad_rows > static_cast<int>(errors.size()))
      msg += "\n... and " + std::to_string(bad_rows - static_cast<int>(errors.size())) + " more";
    throw Error(ErrorCode::kInvalidArgument, msg);
  }
  if (out.empty()) throw Error(ErrorCode::kInvalidArgument, "the directory file has no rows");
  return out;
}

}  // namespace portal::detail
