// DICOMweb (PLAT-1) over a Session: every read and write goes through the Session, so access
// rules and audit are those of the rest of the portal.
#include "portal/dicomweb.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>

#include "libportal/common/random.hpp"
#include "libportal/common/text.hpp"
#include "libportal/dicom/dicom_json.hpp"
#include "libportal/dicomweb/multipart.hpp"
#include "portal/error.hpp"

namespace portal {

using nlohmann::json;

namespace {

[[noreturn]] void invalid(const std::string& why) { throw Error(ErrorCode::kInvalidArgument, why); }

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ---- attribute keys --------------------------------------------------------------------------

struct KeyInfo {
  const char* keyword;
  const char* tag;
};
constexpr KeyInfo kKeys[] = {
    {"PatientName", "00100010"},      {"PatientID", "00100020"},
    {"PatientBirthDate", "00100030"}, {"PatientSex", "00100040"},
    {"StudyDate", "00080020"},        {"StudyTime", "00080030"},
    {"AccessionNumber", "00080050"},  {"ModalitiesInStudy", "00080061"},
    {"ReferringPhysicianName", "00080090"}, {"StudyDescription", "00081030"},
    {"InstitutionName", "00080080"},  {"StudyInstanceUID", "0020000D"},
    {"StudyID", "00200010"},          {"SeriesInstanceUID", "0020000E"},
    {"Modality", "00080060"},         {"SeriesNumber", "00200011"},
    {"SeriesDescription", "0008103E"}, {"BodyPartExamined", "00180015"},
    {"SOPInstanceUID", "00080018"},   {"SOPClassUID", "00080016"},
    {"InstanceNumber", "00200013"},
};

// The keyword of a query key given by keyword or tag; "" for an unknown attribute.
std::string keyword_of(const std::string& key) {
  std::string k = key;
  auto dot = k.find('.');  // sequence paths (e.g. 00081111.00081150) are not matched
  if (dot != std::string::npos) return {};
  for (const auto& i : kKeys)
    if (k == i.keyword || upper(k) == i.tag) return i.keyword;
  return {};
}

// ---- matching --------------------------------------------------------------------------------

bool has_wildcard(const std::string& s) { return s.find_first_of("*?") != std::string::npos; }

// Glob match on bytes: '*' any run, '?' one byte.
bool glob(const std::string& v, const std::string& p) {
  std::size_t vi = 0, pi = 0, star = std::string::npos, mark = 0;
  while (vi < v.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == v[vi])) {
      ++vi, ++pi;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++, mark = vi;
    } else if (star != std::string::npos) {
      pi = star + 1, vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

// A pattern whose literal pieces are folded like the values (case and accents ignored).
std::string fold_pattern(const std::string& pattern) {
  std::string out, piece;
  auto flush = [&] {
    out += detail::fold(piece);
    piece.clear();
  };
  for (char c : pattern) {
    if (c == '*' || c == '?') {
      flush();
      out.push_back(c);
    } else {
      piece.push_back(c);
    }
  }
  flush();
  return out;
}

// Text attributes: wildcards as in PS3.4 C.2.2.2.4, case- and accent-insensitive.
bool text_match(const std::string& value, const std::string& pattern) {
  if (pattern.empty() || pattern == "*") return true;
  return glob(detail::fold(value), fold_pattern(pattern));
}

// Every word of `pattern` is a prefix of some word of `value` (fuzzy matching).
bool words_match(const std::string& value, const std::string& pattern) {
  auto words = detail::split(detail::fold(value), ' ');
  for (const auto& w : detail::split(detail::fold(pattern), ' ')) {
    if (w.empty()) continue;
    bool any = false;
    for (const auto& x : words) any = any || x.compare(0, w.size(), w) == 0;
    if (!any) return false;
  }
  return true;
}

std::vector<std::string> uid_list(const std::string& v) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : v + ",") {
    if (c == ',' || c == '\\') {
      auto t = detail::trim(cur);
      if (!t.empty()) out.push_back(t);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  return out;
}

bool exact_or_glob(const std::string& value, const std::string& pattern) {
  if (pattern.empty() || pattern == "*") return true;
  return has_wildcard(pattern) ? glob(value, pattern) : value == pattern;
}

// The query of one QIDO request, parsed.
struct Qido {
  std::map<std::string, std::string> keys;  // keyword -> value (last one wins)
  int limit = 100;
  int offset = 0;
  bool fuzzy = false;
};

int parse_count(const std::string& name, const std::string& v, int max) {
  if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), ::isdigit))
    invalid(name + " must be a non-negative integer");
  return std::min(std::stoi(v), max);
}

Qido parse_qido(const QueryParams& params) {
  Qido q;
  for (const auto& [k, v] : params) {
    if (k == "limit") {
      q.limit = parse_count("limit", v, 1000);
      if (q.limit == 0) q.limit = 100;
    } else if (k == "offset") {
      q.offset = parse_count("offset", v, 1 << 30);
    } else if (k == "fuzzymatching") {
      if (v != "true" && v != "false") invalid("fuzzymatching must be true or false");
      q.fuzzy = v == "true";
    } else if (k == "includefield") {
      // Every attribute the index knows is always returned.
    } else {
      auto kw = keyword_of(k);
      if (!kw.empty()) q.keys[kw] = v;  // unsupported keys are ignored (PS3.18 8.3.4.1)
    }
  }
  return q;
}

const std::string* key(const Qido& q, const char* name) {
  auto it = q.keys.find(name);
  return it == q.keys.end() || it->second.empty() ? nullptr : &it->second;
}

// StudyDate: YYYYMMDD, or a range.
std::pair<std::string, std::string> date_range(const std::string& v) {
  auto check = [&](const std::string& d) {
    if (!d.empty() && (d.size() != 8 || !std::all_of(d.begin(), d.end(), ::isdigit)))
      invalid("StudyDate must be YYYYMMDD or a range YYYYMMDD-YYYYMMDD, not \"" +
              v.substr(0, 40) + "\"");
    return d;
  };
  auto dash = v.find('-');
  if (dash == std::string::npos) return {check(v), check(v)};
  return {check(v.substr(0, dash)), check(v.substr(dash + 1))};
}

std::string dicom_name(const Patient& p) {
  if (p.family_name.empty() && p.given_name.empty()) return {};
  return p.given_name.empty() ? p.family_name : p.family_name + "^" + p.given_name;
}

bool name_match(const Study& s, const std::string& pattern, bool fuzzy) {
  if (!fuzzy || has_wildcard(pattern)) return text_match(dicom_name(s.patient), pattern);
  auto caret = pattern.find('^');
  std::string fam = pattern.substr(0, caret);
  std::string giv = caret == std::string::npos ? "" : pattern.substr(caret + 1);
  return words_match(s.patient.family_name, fam) && words_match(s.patient.given_name, giv);
}

bool study_match(const Study& s, const Qido& q) {
  if (auto v = key(q, "PatientName"); v && !name_match(s, *v, q.fuzzy)) return false;
  if (auto v = key(q, "PatientID"); v && !exact_or_glob(s.patient.patient_id, *v)) return false;
  if (auto v = key(q, "AccessionNumber"); v && !exact_or_glob(s.accession, *v)) return false;
  if (auto v = key(q, "StudyDescription"); v && !text_match(s.description, *v)) return false;
  if (auto v = key(q, "ReferringPhysicianName");
      v && !text_match(s.referring_physician, *v) && !words_match(s.referring_physician, *v))
    return false;
  if (auto v = key(q, "InstitutionName"); v && !text_match(s.institution, *v)) return false;
  if (auto v = key(q, "PatientBirthDate"); v && s.patient.birth_date != *v) return false;
  if (auto v = key(q, "PatientSex"); v && upper(s.patient.sex) != upper(*v)) return false;
  if (auto v = key(q, "StudyDate")) {
    auto [from, to] = date_range(*v);
    if (s.date.empty() || (!from.empty() && s.date < from) || (!to.empty() && s.date > to))
      return false;
  }
  if (auto v = key(q, "ModalitiesInStudy")) {
    bool any = false;
    for (const auto& m : uid_list(*v))
      for (const auto& have : s.modalities) any = any || upper(have) == upper(m);
    if (!any) return false;
  }
  if (auto v = key(q, "StudyInstanceUID")) {
    auto uids = uid_list(*v);
    if (std::find(uids.begin(), uids.end(), s.uid) == uids.end()) return false;
  }
  return true;
}

// The visible studies matching the study-level keys, after `offset`, at most `limit`
// (`limit` < 0: up to the scan cap). The index narrows what it can; the rest is checked here.
constexpr int kScanCap = 5000;

std::vector<Study> find_matching_studies(const Session& session, const Qido& q, int offset,
                                         int limit) {
  std::vector<Study> out;
  int skipped = 0;
  auto take = [&](const Study& s) {
    if (!study_match(s, q)) return true;
    if (skipped < offset) {
      ++skipped;
      return true;
    }
    out.push_back(s);
    return limit < 0 || static_cast<int>(out.size()) < limit;
  };
  if (auto v = key(q, "StudyInstanceUID")) {
    for (const auto& uid : uid_list(*v)) {
      try {
        if (!take(session.study(uid))) break;
      } catch (const Error& e) {
        if (e.code() != ErrorCode::kNotFound) throw;
      }
    }
    return out;
  }
  StudyQuery sq;
  if (auto v = key(q, "StudyDate")) std::tie(sq.date_from, sq.date_to) = date_range(*v);
  if (auto v = key(q, "PatientID"); v && !has_wildcard(*v)) sq.patient_id = *v;
  if (auto v = key(q, "AccessionNumber"); v && !has_wildcard(*v)) sq.accession = *v;
  if (auto v = key(q, "ModalitiesInStudy"); v && uid_list(*v).size() == 1)
    sq.modality = uid_list(*v).front();
  if (auto v = key(q, "PatientName")) {
    // The index matches word prefixes of the family and given names: a superset of what the
    // literal part of the pattern before any wildcard asks for.
    auto caret = v->find('^');
    std::string fam = v->substr(0, caret);
    std::string lit = fam.substr(0, fam.find_first_of("*?"));
    auto words = detail::split(detail::fold(lit), ' ');
    if (!words.empty() && !words.front().empty() && (q.fuzzy || lit.find(' ') == std::string::npos))
      sq.last_name = words.front();
  }
  int scanned = 0;
  for (int page_offset = 0; scanned < kScanCap;) {
    sq.offset = page_offset;
    sq.limit = 0;  // the portal's page size
    auto page = session.find_studies(sq);
    for (const auto& s : page.studies)
      if (!take(s)) return out;
    scanned += static_cast<int>(page.studies.size());
    page_offset += static_cast<int>(page.studies.size());
    if (page.studies.empty() || !page.truncated()) break;
  }
  return out;
}

// ---- DICOM JSON (PS3.18 F.2) ------------------------------------------------------------------

void put(json& obj, const char* tag, const char* vr, const std::string& value) {
  json a = {{"vr", vr}};
  if (!value.empty()) a["Value"] = json::array({value});
  obj[tag] = std::move(a);
}
void put_pn(json& obj, const char* tag, const std::string& value) {
  json a = {{"vr", "PN"}};
  if (!value.empty()) a["Value"] = json::array({json{{"Alphabetic", value}}});
  obj[tag] = std::move(a);
}
void put_int(json& obj, const char* tag, const char* vr, long long value) {
  obj[tag] = {{"vr", vr}, {"Value", json::array({value})}};
}
// Display form "Martin Claire" back to a DICOM name "Martin^Claire" is not lossless; the index
// keeps the display form for physicians, so it is returned as the family name component.
std::string pn_from_display(const std::string& s) {
  auto sp = s.find(' ');
  return sp == std::string::npos ? s : s.substr(0, sp) + "^" + s.substr(sp + 1);
}

json study_json(const Study& s, const std::string& root) {
  json o = json::object();
  put(o, "00080020", "DA", s.date);
  put(o, "00080030", "TM", s.time);
  put(o, "00080050", "SH", s.accession);
  put(o, "00080056", "CS", "ONLINE");
  json mods = {{"vr", "CS"}};
  if (!s.modalities.empty()) mods["Value"] = s.modalities;
  o["00080061"] = mods;
  put(o, "00080080", "LO", s.institution);
  put_pn(o, "00080090", pn_from_display(s.referring_physician));
  put(o, "00081030", "LO", s.description);
  put(o, "00081190", "UR", root + "/studies/" + s.uid);
  put_pn(o, "00100010", dicom_name(s.patient));
  put(o, "00100020", "LO", s.patient.patient_id);
  put(o, "00100030", "DA", s.patient.birth_date);
  put(o, "00100040", "CS", s.patient.sex);
  put(o, "0020000D", "UI", s.uid);
  put_int(o, "00201206", "IS", s.num_series);
  put_int(o, "00201208", "IS", s.num_instances);
  return o;
}

json series_json(const Series& s, const std::string& root) {
  json o = json::object();
  put(o, "00080060", "CS", s.modality);
  put(o, "0008103E", "LO", s.description);
  put(o, "00081190", "UR", root + "/studies/" + s.study_uid + "/series/" + s.uid);
  put(o, "00180015", "CS", s.body_part);
  put(o, "0020000D", "UI", s.study_uid);
  put(o, "0020000E", "UI", s.uid);
  put_int(o, "00200011", "IS", s.number);
  put_int(o, "00201209", "IS", s.num_instances);
  return o;
}

std::string instance_url(const std::string& root, const Instance& i) {
  return root + "/studies/" + i.study_uid + "/series/" + i.series_uid + "/instances/" + i.sop_uid;
}

json instance_json(const Instance& i, const std::string& root) {
  json o = json::object();
  put(o, "00080016", "UI", i.sop_class_uid);
  put(o, "00080018", "UI", i.sop_uid);
  put(o, "00080056", "CS", "ONLINE");
  put(o, "00081190", "UR", instance_url(root, i));
  put(o, "00083002", "UI", i.transfer_syntax_uid);
  put(o, "0020000D", "UI", i.study_uid);
  put(o, "0020000E", "UI", i.series_uid);
  put_int(o, "00200013", "IS", i.number);
  if (i.frames > 0) {
    put_int(o, "00280008", "IS", i.frames);
    put_int(o, "00280010", "US", i.rows);
    put_int(o, "00280011", "US", i.columns);
  }
  return o;
}

bool series_match(const Series& s, const Qido& q) {
  if (auto v = key(q, "Modality"); v && upper(s.modality) != upper(*v)) return false;
  if (auto v = key(q, "SeriesInstanceUID")) {
    auto uids = uid_list(*v);
    if (std::find(uids.begin(), uids.end(), s.uid) == uids.end()) return false;
  }
  if (auto v = key(q, "SeriesNumber"); v && std::to_string(s.number) != *v) return false;
  if (auto v = key(q, "SeriesDescription"); v && !text_match(s.description, *v)) return false;
  if (auto v = key(q, "BodyPartExamined"); v && upper(s.body_part) != upper(*v)) return false;
  return true;
}

bool instance_match(const Instance& i, const Qido& q) {
  if (auto v = key(q, "SOPInstanceUID")) {
    auto uids = uid_list(*v);
    if (std::find(uids.begin(), uids.end(), i.sop_uid) == uids.end()) return false;
  }
  if (auto v = key(q, "SOPClassUID"); v && i.sop_class_uid != *v) return false;
  if (auto v = key(q, "InstanceNumber"); v && std::to_string(i.number) != *v) return false;
  if (auto v = key(q, "SeriesInstanceUID")) {
    auto uids = uid_list(*v);
    if (std::find(uids.begin(), uids.end(), i.series_uid) == uids.end()) return false;
  }
  return true;
}

// The study-level keys of a query (used to pick studies for /series and /instances).
Qido study_part(const Qido& q) {
  Qido s;
  s.fuzzy = q.fuzzy;
  static const std::set<std::string> study_keys = {
      "PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate",
      "AccessionNumber", "ModalitiesInStudy", "ReferringPhysicianName", "StudyDescription",
      "InstitutionName", "StudyInstanceUID"};
  for (const auto& [k, v] : q.keys)
    if (study_keys.count(k)) s.keys[k] = v;
  return s;
}

std::string new_boundary() { return "portal-" + detail::random_hex(16); }

// The instances a WADO-RS request names; access is checked here (kNotFound).
std::vector<Instance> target_instances(const Session& session, const std::string& study,
                                       const std::string& series, const std::string& sop) {
  if (study.empty()) invalid("a study UID is required");
  auto list = session.instances(study, series);
  if (!sop.empty()) {
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const Instance& i) { return i.sop_uid != sop; }),
               list.end());
  }
  if (list.empty()) {
    if (!sop.empty()) throw Error(ErrorCode::kNotFound, "no instance " + sop);
    if (!series.empty()) throw Error(ErrorCode::kNotFound, "no series " + series);
  }
  return list;
}

Instance one_instance(const Session& session, const std::string& study, const std::string& series,
                      const std::string& sop) {
  if (sop.empty()) invalid("an instance UID is required");
  return target_instances(session, study, series, sop).front();
}

// Frame numbers "1,3,5" (1-based) -> indexes.
std::vector<int> frame_list(const std::string& text, int frames) {
  std::vector<int> out;
  for (const auto& part : detail::split(text, ',')) {
    auto t = detail::trim(part);
    if (t.empty() || t.size() > 9 || !std::all_of(t.begin(), t.end(), ::isdigit))
      invalid("frame numbers are positive integers separated by commas");
    int n = std::stoi(t);
    if (n < 1 || n > std::max(frames, 1))
      invalid("frame " + t + " is out of range (the instance has " +
              std::to_string(std::max(frames, 1)) + ")");
    out.push_back(n - 1);
  }
  if (out.empty()) invalid("no frame number given");
  return out;
}

// One media range of an Accept header: the media type (for multipart/related its "type"
// parameter) and the transfer-syntax parameter.
struct Offer {
  std::string type;
  std::string transfer_syntax;
};
std::vector<Offer> offers(const std::string& accept) {
  std::vector<Offer> out;
  // Split on commas outside quotes.
  std::string cur;
  bool quoted = false;
  std::vector<std::string> ranges;
  for (char c : accept) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      ranges.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  ranges.push_back(cur);
  for (const auto& r : ranges) {
    auto mt = detail::media_type(r);
    if (mt.empty()) continue;
    Offer o;
    o.type = mt;
    if (mt == "multipart/related") o.type = lower(detail::media_param(r, "type"));
    if (o.type.empty()) o.type = "*/*";
    o.transfer_syntax = detail::media_param(r, "transfer-syntax");
    out.push_back(o);
  }
  if (out.empty()) out.push_back({"*/*", ""});
  return out;
}

constexpr const char* kExplicitLe = "1.2.840.10008.1.2.1";
constexpr const char* kJpegBaseline = "1.2.840.10008.1.2.4.50";

bool is_native(const std::string& ts) {
  return ts == "1.2.840.10008.1.2" || ts == "1.2.840.10008.1.2.1" || ts == "1.2.840.10008.1.2.2" ||
         ts == "1.2.840.10008.1.2.1.99";
}

std::string stored_media(const std::string& ts) {
  if (is_native(ts)) return "application/octet-stream";
  if (ts == "1.2.840.10008.1.2.4.50" || ts == "1.2.840.10008.1.2.4.51" ||
      ts == "1.2.840.10008.1.2.4.57" || ts == "1.2.840.10008.1.2.4.70")
    return "image/jpeg";
  if (ts == "1.2.840.10008.1.2.4.80" || ts == "1.2.840.10008.1.2.4.81") return "image/jls";
  if (ts == "1.2.840.10008.1.2.4.90" || ts == "1.2.840.10008.1.2.4.91") return "image/jp2";
  if (ts == "1.2.840.10008.1.2.4.92" || ts == "1.2.840.10008.1.2.4.93") return "image/jpx";
  if (ts == "1.2.840.10008.1.2.5") return "image/x-dicom-rle";
  return "application/octet-stream";
}

// PS3.18 8.7.3: the first acceptable offer decides.
FrameTransfer choose_transfer(const std::string& accept, const std::string& stored_ts) {
  for (const auto& o : offers(accept)) {
    const auto& ts = o.transfer_syntax;
    if (o.type == "*/*" || o.type == "application/*") {
      if (ts.empty() || ts == kExplicitLe) return FrameTransfer::kUncompressed;
      if (ts == "*" || ts == stored_ts) return FrameTransfer::kAsStored;
      continue;
    }
    if (o.type == "application/octet-stream") {
      if (ts.empty() || ts == kExplicitLe) return FrameTransfer::kUncompressed;
      if (ts == "*") return FrameTransfer::kAsStored;
      if (ts == stored_ts && is_native(stored_ts)) return FrameTransfer::kAsStored;
      continue;
    }
    if (o.type == "image/jpeg") {
      if (stored_media(stored_ts) == "image/jpeg" && (ts.empty() || ts == "*" || ts == stored_ts))
        return FrameTransfer::kAsStored;
      if (ts.empty() || ts == kJpegBaseline) return FrameTransfer::kJpeg;
      continue;
    }
    if (o.type == "image/*") {
      if (!is_native(stored_ts) && (ts.empty() || ts == "*" || ts == stored_ts))
        return FrameTransfer::kAsStored;
      return FrameTransfer::kJpeg;
    }
    if (o.type == stored_media(stored_ts) && (ts.empty() || ts == "*" || ts == stored_ts))
      return FrameTransfer::kAsStored;
  }
  throw Error(ErrorCode::kUnsupported,
              "none of the accepted media types can be produced for frames stored as " + stored_ts);
}

std::pair<int, int> viewport(const QueryParams& params, int def) {
  for (const auto& [k, v] : params) {
    if (k != "viewport") continue;
    auto parts = detail::split(v, ',');
    if (parts.size() != 2) invalid("viewport is width,height");
    auto num = [&](const std::string& s) {
      auto t = detail::trim(s);
      if (t.empty()) return 0;
      if (t.size() > 5 || !std::all_of(t.begin(), t.end(), ::isdigit))
        invalid("viewport is width,height in pixels");
      return std::stoi(t);
    };
    return {num(parts[0]), num(parts[1])};
  }
  return {def, def};
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

}  // namespace

DicomWeb::DicomWeb(Session session, std::string root)
    : session_(std::move(session)), root_(std::move(root)) {
  while (!root_.empty() && root_.back() == '/') root_.pop_back();
}

// ---- QIDO-RS -----------------------------------------------------------------------------------

std::string DicomWeb::search_studies(const QueryParams& params) const {
  auto q = parse_qido(params);
  json out = json::array();
  for (const auto& s : find_matching_studies(session_, q, q.offset, q.limit))
    out.push_back(study_json(s, root_));
  return out.dump();
}

std::string DicomWeb::search_series(const std::string& study_uid, const QueryParams& params) const {
  auto q = parse_qido(params);
  std::vector<std::string> studies;
  if (!study_uid.empty()) {
    session_.study(study_uid);  // kNotFound when not visible
    studies.push_back(study_uid);
  } else {
    for (const auto& s : find_matching_studies(session_, study_part(q), 0, -1))
      studies.push_back(s.uid);
  }
  json out = json::array();
  int skipped = 0;
  for (const auto& uid : studies) {
    for (const auto& s : session_.series(uid)) {
      if (!series_match(s, q)) continue;
      if (skipped++ < q.offset) continue;
      out.push_back(series_json(s, root_));
      if (static_cast<int>(out.size()) >= q.limit) return out.dump();
    }
  }
  return out.dump();
}

std::string DicomWeb::search_instances(const std::string& study_uid, const std::string& series_uid,
                                       const QueryParams& params) const {
  auto q = parse_qido(params);
  std::vector<std::string> studies;
  if (!study_uid.empty()) {
    session_.study(study_uid);
    studies.push_back(study_uid);
  } else {
    for (const auto& s : find_matching_studies(session_, study_part(q), 0, -1))
      studies.push_back(s.uid);
  }
  json out = json::array();
  int skipped = 0;
  for (const auto& uid : studies) {
    std::set<std::string> series_ok;
    bool series_found = series_uid.empty();
    for (const auto& s : session_.series(uid)) {
      if (!series_uid.empty() && s.uid != series_uid) continue;
      series_found = true;
      if (series_match(s, q)) series_ok.insert(s.uid);
    }
    if (!series_found) throw Error(ErrorCode::kNotFound, "no series " + series_uid);
    for (const auto& i : session_.instances(uid, series_uid)) {
      if (!series_ok.count(i.series_uid) || !instance_match(i, q)) continue;
      if (skipped++ < q.offset) continue;
      out.push_back(instance_json(i, root_));
      if (static_cast<int>(out.size()) >= q.limit) return out.dump();
    }
  }
  return out.dump();
}

// ---- WADO-RS -----------------------------------------------------------------------------------

DicomWebStream DicomWeb::retrieve(const std::string& study_uid, const std::string& series_uid,
                                  const std::string& sop_uid, const std::string& accept) const {
  auto list = target_instances(session_, study_uid, series_uid, sop_uid);
  auto acceptable = [&](const Offer& o) {
    bool dicom = o.type == "application/dicom" || o.type == "*/*" || o.type == "application/*";
    if (!dicom) return false;
    if (o.transfer_syntax.empty() || o.transfer_syntax == "*") return true;
    return std::all_of(list.begin(), list.end(), [&](const Instance& i) {
      return i.transfer_syntax_uid == o.transfer_syntax;
    });
  };
  auto offered = offers(accept);
  if (std::none_of(offered.begin(), offered.end(), acceptable))
    throw Error(ErrorCode::kUnsupported,
                "instances are delivered as stored: accept application/dicom with "
                "transfer-syntax=* (or the stored syntax)");
  DicomWebStream out;
  std::string boundary = new_boundary();
  out.content_type =
      "multipart/related; type=\"application/dicom\"; boundary=" + boundary;
  Session session = session_;
  out.write = [session, list, boundary](const ByteSink& sink) {
    bool first = true;
    for (const auto& i : list) {
      std::string bytes = session.instance_bytes(i.sop_uid);
      auto head = detail::part_head(
          boundary, "application/dicom; transfer-syntax=" + i.transfer_syntax_uid, first);
      first = false;
      sink(head.data(), head.size());
      sink(bytes.data(), bytes.size());
    }
    auto end = first ? "--" + boundary + "--\r\n" : detail::multipart_end(boundary);
    sink(end.data(), end.size());
  };
  return out;
}

std::string DicomWeb::metadata(const std::string& study_uid, const std::string& series_uid,
                               const std::string& sop_uid) const {
  auto list = target_instances(session_, study_uid, series_uid, sop_uid);
  std::string out = "[";
  bool first = true;
  for (const auto& i : list) {
    std::string bytes = session_.instance_bytes(i.sop_uid);
    if (!first) out += ",";
    first = false;
    out += detail::dicom_json(bytes, instance_url(root_, i) + "/bulkdata/7fe00010");
  }
  out += "]";
  return out;
}

DicomWebBody DicomWeb::bulkdata(const std::string& study_uid, const std::string& series_uid,
                                const std::string& sop_uid, const std::string& tag) const {
  auto inst = one_instance(session_, study_uid, series_uid, sop_uid);
  if (lower(tag) != "7fe00010" || inst.frames <= 0)
    throw Error(ErrorCode::kNotFound, "no bulk data " + tag.substr(0, 16) + " in " + sop_uid);
  std::string bytes = session_.instance_bytes(inst.sop_uid);
  std::string value;
  for (int f = 0; f < inst.frames; ++f)
    value += transcode_frame(bytes, f, FrameTransfer::kAsStored, 90).bytes;
  DicomWebBody out;
  std::string boundary = new_boundary();
  out.content_type = "multipart/related; type=\"application/octet-stream\"; boundary=" + boundary;
  out.body = detail::part_head(boundary,
                               "application/octet-stream; transfer-syntax=" +
                                   (is_native(inst.transfer_syntax_uid)
                                        ? std::string(kExplicitLe)
                                        : inst.transfer_syntax_uid),
                               true) +
             value + detail::multipart_end(boundary);
  return out;
}

DicomWebBody DicomWeb::frames(const std::string& study_uid, const std::string& series_uid,
                              const std::string& sop_uid, const std::string& frame_text,
                              const std::string& accept, int quality) const {
  auto inst = one_instance(session_, study_uid, series_uid, sop_uid);
  if (inst.frames <= 0) throw Error(ErrorCode::kNotFound, "instance " + sop_uid + " has no frames");
  auto indexes = frame_list(frame_text, inst.frames);
  FrameTransfer transfer = choose_transfer(accept, inst.transfer_syntax_uid);
  DicomWebBody out;
  std::string boundary = new_boundary();
  std::string first_type;
  bool first = true;
  for (int f : indexes) {
    FramePayload p = session_.frame(inst.sop_uid, f, transfer, quality);
    if (first) first_type = p.media_type;
    out.body += detail::part_head(
        boundary, p.media_type + "; transfer-syntax=" + p.transfer_syntax_uid, first);
    first = false;
    out.body += p.bytes;
  }
  out.body += detail::multipart_end(boundary);
  out.content_type = "multipart/related; type=\"" + first_type + "\"; boundary=" + boundary;
  return out;
}

DicomWebBody DicomWeb::rendered(const std::string& study_uid, const std::string& series_uid,
                                const std::string& sop_uid, int frame, const QueryParams& params,
                                const std::string& accept) const {
  auto inst = one_instance(session_, study_uid, series_uid, sop_uid);
  RenderOptions o;
  o.frame = frame > 0 ? frame - 1 : 0;
  o.format = ImageFormat::kJpeg;
  bool chosen = accept.empty();
  for (const auto& off : offers(accept)) {
    if (chosen) break;
    if (off.type == "image/jpeg" || off.type == "image/*" || off.type == "*/*") {
      chosen = true;
    } else if (off.type == "image/png") {
      o.format = ImageFormat::kPng;
      chosen = true;
    }
  }
  if (!chosen) throw Error(ErrorCode::kUnsupported, "rendered images are image/jpeg or image/png");
  for (const auto& [k, v] : params) {
    if (k == "quality") {
      o.quality = parse_count("quality", v, 100);
    } else if (k == "window") {
      auto parts = detail::split(v, ',');
      if (parts.size() < 2 || parts.size() > 3) invalid("window is center,width[,function]");
      try {
        o.window_center = std::stod(parts[0]);
        o.window_width = std::stod(parts[1]);
      } catch (const std::exception&) {
        invalid("window is center,width[,function]");
      }
      if (parts.size() == 3 && lower(detail::trim(parts[2])) != "linear")
        throw Error(ErrorCode::kUnsupported, "only the linear VOI function is supported");
    }
  }
  auto [w, h] = viewport(params, 0);
  o.width = w;
  o.height = h;
  DicomWebBody out;
  out.content_type = o.format == ImageFormat::kPng ? "image/png" : "image/jpeg";
  out.body = session_.render(inst.sop_uid, o);
  return out;
}

DicomWebBody DicomWeb::thumbnail(const std::string& study_uid, const std::string& series_uid,
                                 const std::string& sop_uid, const QueryParams& params) const {
  std::string sop = sop_uid;
  if (sop.empty()) {
    auto list = target_instances(session_, study_uid, series_uid, {});
    // The middle image of the (first) series that has pixels.
    std::vector<Instance> with_pixels;
    for (const auto& i : list)
      if (i.frames > 0 && (with_pixels.empty() || with_pixels.front().series_uid == i.series_uid))
        with_pixels.push_back(i);
    if (with_pixels.empty()) throw Error(ErrorCode::kNotFound, "no image to make a thumbnail of");
    sop = with_pixels[with_pixels.size() / 2].sop_uid;
  } else {
    one_instance(session_, study_uid, series_uid, sop_uid);
  }
  auto [w, h] = viewport(params, 128);
  int size = std::max(w, h);
  if (size <= 0) size = 128;
  DicomWebBody out;
  out.content_type = "image/jpeg";
  out.body = session_.thumbnail(sop, size);
  return out;
}

// ---- STOW-RS -----------------------------------------------------------------------------------

StowResult DicomWeb::store(const std::string& content_type, const ByteSource& body,
                           const std::string& study_uid) {
  if (detail::media_type(content_type) != "multipart/related")
    invalid("STOW-RS needs a multipart/related body");
  auto type = lower(detail::media_param(content_type, "type"));
  if (!type.empty() && type != "application/dicom")
    throw Error(ErrorCode::kUnsupported, "only application/dicom parts are accepted");
  auto boundary = detail::media_param(content_type, "boundary");
  if (boundary.empty()) invalid("the multipart body has no boundary");
  // Fail fast without reading the body when the principal may not upload.
  if (!session_.has_right(std::string(kRightUpload)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not upload");

  json referenced = json::array(), failed = json::array();
  std::set<std::string> studies;
  StowResult result;
  int index = 0;
  auto fail = [&](const std::string& cls, const std::string& sop, int reason) {
    json item = json::object();
    put(item, "00081150", "UI", cls);
    put(item, "00081155", "UI", sop);
    put_int(item, "00081197", "US", reason);
    failed.push_back(item);
  };
  detail::read_multipart(
      boundary, body, 4ull << 30, [&](detail::MultipartPart& part) {
        ++index;
        std::string name = "part " + std::to_string(index);
        IngestResult r;
        r.source = name;
        auto ct = part.headers.count("content-type") ? part.headers["content-type"] : "";
        if (part.too_large) {
          r.error = ErrorCode::kTooLarge;
          r.message = "part exceeds the size limit";
          fail({}, {}, 0xA700);
        } else if (!ct.empty() && detail::media_type(ct) != "application/dicom") {
          r.error = ErrorCode::kUnsupported;
          r.message = "part is " + detail::media_type(ct) + ", not application/dicom";
          fail({}, {}, 0x0122);
        } else {
          detail::DicomIdentity id;
          bool readable = true;
          try {
            id = detail::dicom_identity(part.body.data(), part.body.size());
          } catch (const Error& e) {
            readable = false;
            r.error = ErrorCode::kCorrupt;
            r.message = e.what();
            fail({}, {}, 0xC000);
          }
          if (readable && !study_uid.empty() && id.study_uid != study_uid) {
            r.error = ErrorCode::kInvalidArgument;
            r.message = "the instance belongs to another study";
            r.sop_uid = id.sop_uid;
            fail(id.sop_class_uid, id.sop_uid, 0xC409);
          } else if (readable) {
            IngestOptions opts;
            opts.repository = "dicomweb";
            r = session_.ingest_bytes(name, part.body, opts);
            if (r.status == IngestStatus::kRejected) {
              fail(id.sop_class_uid, id.sop_uid.empty() ? r.sop_uid : id.sop_uid,
                   r.error == ErrorCode::kCorrupt ? 0xC000 : 0x0110);
            } else {
              json item = json::object();
              put(item, "00081150", "UI", id.sop_class_uid);
              put(item, "00081155", "UI", r.sop_uid);
              put(item, "00081190", "UR",
                  root_ + "/studies/" + r.study_uid + "/series/" + r.series_uid + "/instances/" +
                      r.sop_uid);
              referenced.push_back(item);
              studies.insert(r.study_uid);
            }
          }
        }
        part.body.clear();
        part.body.shrink_to_fit();
        result.files.push_back(std::move(r));
      });
  if (index == 0) invalid("the multipart body has no part");
  json resp = json::object();
  if (studies.size() == 1) put(resp, "00081190", "UR", root_ + "/studies/" + *studies.begin());
  if (!referenced.empty()) resp["00081199"] = {{"vr", "SQ"}, {"Value", referenced}};
  if (!failed.empty()) resp["00081198"] = {{"vr", "SQ"}, {"Value", failed}};
  result.json = resp.dump();
  result.http_status = failed.empty() ? 200 : (referenced.empty() ? 409 : 202);
  return result;
}

StowResult DicomWeb::store_file(const std::string& content_type, const std::string& path,
                                const std::string& study_uid) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw Error(ErrorCode::kNotFound, "cannot open " + path);
  FILE* fp = f.get();
  return store(
      content_type, [fp](char* buf, std::size_t n) { return std::fread(buf, 1, n, fp); },
      study_uid);
}

// ---- desktop viewer (LIST-7) ------------------------------------------------------------------

std::string DicomWeb::desktop_viewer_link(const std::string& study_uid) {
  std::string token = session_.viewer_token(study_uid);
  // Weasis's $dicom:rs command: DICOMweb root, the study, and a header sent with every request.
  std::string command = "$dicom:rs --url \"" + root_ + "\" -r \"studyUID=" + study_uid +
                        "\" -H \"Authorization: Bearer " + token + "\"";
  return "weasis://?" + url_encode(command);
}

}  // namespace portal
