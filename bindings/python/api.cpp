// bindings/python/api.cpp — portal.open, Portal and Session: argument translation only.
// Long core calls run with the GIL released; the ingest progress callback re-acquires it.
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "bindings.hpp"
#include "convert.hpp"
#include "portal/portal.hpp"

namespace portal::python {

namespace {

std::string principal_name(const Session& s) {
  switch (s.principal()) {
    case PrincipalKind::kSystem: return "system";
    case PrincipalKind::kUser: return "user";
    case PrincipalKind::kPatient: return "patient";
  }
  return "unknown";
}

// str, bytes or os.PathLike -> a file-system path string (os.fsdecode does the work).
std::string path_text(const py::handle& value) {
  return py::module_::import("os").attr("fsdecode")(value).cast<std::string>();
}

bool is_single_path(const py::handle& value) {
  return py::isinstance<py::str>(value) || py::isinstance<py::bytes>(value) ||
         py::isinstance(value, py::module_::import("os").attr("PathLike"));
}

// One path or an iterable of paths -> a list of path strings.
std::vector<std::string> path_list(const py::object& paths) {
  std::vector<std::string> out;
  if (is_single_path(paths)) {
    out.push_back(path_text(paths));
    return out;
  }
  if (!py::isinstance<py::iterable>(paths)) {
    throw py::type_error("paths must be a str, bytes, os.PathLike, or a list of them");
  }
  for (const py::handle item : paths) {
    if (!is_single_path(item)) {
      throw py::type_error("paths must be a str, bytes, os.PathLike, or a list of them");
    }
    out.push_back(path_text(item));
  }
  return out;
}

IngestOptions ingest_options(bool ignore_patient_id, bool update_demographics,
                             std::string repository, bool collect_results = true) {
  IngestOptions options;
  options.ignore_patient_id = ignore_patient_id;
  options.update_demographics = update_demographics;
  options.repository = std::move(repository);
  options.collect_results = collect_results;
  return options;
}

IngestReport ingest(Session& session, const py::object& paths, bool ignore_patient_id,
                    bool update_demographics, std::string repository, const py::object& progress,
                    bool collect_results) {
  const std::vector<std::string> inputs = path_list(paths);
  IngestOptions options = ingest_options(ignore_patient_id, update_demographics,
                                         std::move(repository), collect_results);
  // An exception raised by the callback stops further calls; it is re-raised once the core
  // returns (the files already acknowledged stay stored).
  std::exception_ptr callback_error;
  if (!progress.is_none()) {
    if (!PyCallable_Check(progress.ptr())) throw py::type_error("progress must be callable");
    // Captures by reference only, so copying or destroying the std::function inside the core
    // never touches Python reference counts without the GIL.
    options.on_file = [&progress, &callback_error](const IngestResult& result,
                                                   const IngestProgress& state) {
      py::gil_scoped_acquire gil;
      if (callback_error) return;
      try {
        progress(py::cast(result, py::return_value_policy::copy),
                 py::cast(state, py::return_value_policy::copy));
      } catch (...) {
        callback_error = std::current_exception();
      }
    };
  }
  IngestReport report;
  {
    py::gil_scoped_release nogil;
    report = session.ingest(inputs, options);
  }
  if (callback_error) std::rethrow_exception(callback_error);
  return report;
}

IngestResult ingest_bytes(Session& session, const std::string& name, const py::buffer& data,
                          bool ignore_patient_id, bool update_demographics,
                          std::string repository) {
  const py::buffer_info info = data.request();
  if (info.ndim > 1 && !PyBuffer_IsContiguous(info.view(), 'C')) {
    throw py::type_error("data must be a contiguous buffer (bytes, bytearray, memoryview)");
  }
  std::string bytes(static_cast<const char*>(info.ptr),
                    static_cast<std::size_t>(info.size * info.itemsize));
  const IngestOptions options =
      ingest_options(ignore_patient_id, update_demographics, std::move(repository));
  py::gil_scoped_release nogil;
  return session.ingest_bytes(name, bytes, options);
}

StudyPage find_studies(const Session& session, const std::string& period,
                       const py::object& date_from, const py::object& date_to,
                       std::string first_name, std::string last_name, std::string modality,
                       std::string patient_id, std::string accession, std::string referring,
                       std::string performing, std::string site, const std::string& sort,
                       int limit, int offset, std::string seen, std::string report) {
  StudyQuery query;
  query.period = parse_period(period);
  query.date_from = date_text(date_from, "date_from");
  query.date_to = date_text(date_to, "date_to");
  query.first_name = std::move(first_name);
  query.last_name = std::move(last_name);
  query.modality = std::move(modality);
  query.patient_id = std::move(patient_id);
  query.accession = std::move(accession);
  query.referring = std::move(referring);
  query.performing = std::move(performing);
  query.site = std::move(site);
  query.sort = parse_sort(sort);
  query.limit = limit;
  query.offset = offset;
  query.seen = std::move(seen);
  query.report = std::move(report);
  py::gil_scoped_release nogil;
  return session.find_studies(query);
}

// One keyword option of portal.open: its name, the Python type shown in the docstring, and how
// it sets the field of the same name of portal::Options.
struct OptionField {
  const char* name;
  const char* type;
  std::function<void(Options&, const py::handle&)> set;
};

template <typename T>
OptionField option(const char* name, const char* type, T Options::*member) {
  return {name, type, [name, type, member](Options& options, const py::handle& value) {
            // bool is strict (no truthiness); ints refuse floats; strings take str only.
            bool ok = true;
            if constexpr (std::is_same_v<T, bool>) {
              ok = py::isinstance<py::bool_>(value);
            } else if constexpr (std::is_same_v<T, std::string>) {
              ok = py::isinstance<py::str>(value);
            } else {
              ok = !py::isinstance<py::bool_>(value);
            }
            try {
              if (ok) options.*member = value.cast<T>();
            } catch (const py::cast_error&) {
              ok = false;
            }
            if (!ok) {
              throw py::type_error(std::string("open(): ") + name + " must be " + type +
                                   " or None");
            }
          }};
}

// Options::clock from a portal.ManualClock (the only Clock Python can make).
OptionField clock_option() {
  return {"clock", "ManualClock", [](Options& options, const py::handle& value) {
            if (!py::isinstance<ManualClock>(value)) {
              throw py::type_error("open(): clock must be a portal.ManualClock or None");
            }
            options.clock = value.cast<std::shared_ptr<ManualClock>>();
          }};
}

OptionField dicom_nodes_option() {
  return {"dicom_nodes", "list[tuple[str, str, str, int]]",
          [](Options& options, const py::handle& value) {
            options.dicom_nodes.clear();
            for (const auto& item : value) {
              auto t = item.cast<std::tuple<std::string, std::string, std::string, int>>();
              options.dicom_nodes.push_back(
                  {std::get<0>(t), std::get<1>(t), std::get<2>(t), std::get<3>(t)});
            }
          }};
}

// Every field of portal::Options that Python may set, in the order of options.hpp. The blob
// store is a C++ object and stays at its default.
const std::vector<OptionField>& option_fields() {
  static const std::vector<OptionField> fields = {
      clock_option(),
      option("durable", "bool", &Options::durable),
      option("search_default_limit", "int", &Options::search_default_limit),
      option("search_max_limit", "int", &Options::search_max_limit),
      option("ingest_threads", "int", &Options::ingest_threads),
      option("ingest_batch", "int", &Options::ingest_batch),
      option("max_file_bytes", "int", &Options::max_file_bytes),
      option("max_header_bytes", "int", &Options::max_header_bytes),
      option("zip_max_entries", "int", &Options::zip_max_entries),
      option("zip_max_entry_bytes", "int", &Options::zip_max_entry_bytes),
      option("zip_max_total_bytes", "int", &Options::zip_max_total_bytes),
      option("zip_max_ratio", "int", &Options::zip_max_ratio),
      option("load_config", "bool", &Options::load_config),
      option("public_base_url", "str", &Options::public_base_url),
      option("password_min_length", "int", &Options::password_min_length),
      option("password_dictionary", "str", &Options::password_dictionary),
      option("password_hash_memory", "int", &Options::password_hash_memory),
      option("password_hash_passes", "int", &Options::password_hash_passes),
      option("confirmation_expiry_minutes", "int", &Options::confirmation_expiry_minutes),
      option("reset_expiry_minutes", "int", &Options::reset_expiry_minutes),
      option("invitation_expiry_minutes", "int", &Options::invitation_expiry_minutes),
      option("captcha_enabled", "bool", &Options::captcha_enabled),
      option("captcha_expiry_minutes", "int", &Options::captcha_expiry_minutes),
      option("captcha_length", "int", &Options::captcha_length),
      option("lockout_failures", "int", &Options::lockout_failures),
      option("lockout_address_failures", "int", &Options::lockout_address_failures),
      option("lockout_window_minutes", "int", &Options::lockout_window_minutes),
      option("lockout_minutes", "int", &Options::lockout_minutes),
      option("patient_access_code", "bool", &Options::patient_access_code),
      option("session_idle_minutes", "int", &Options::session_idle_minutes),
      option("session_absolute_minutes", "int", &Options::session_absolute_minutes),
      option("mail_from", "str", &Options::mail_from),
      option("default_language", "str", &Options::default_language),
      option("smtp_host", "str", &Options::smtp_host),
      option("smtp_port", "int", &Options::smtp_port),
      option("smtp_tls", "str", &Options::smtp_tls),
      option("smtp_user", "str", &Options::smtp_user),
      option("smtp_password", "str", &Options::smtp_password),
      option("smtp_timeout_seconds", "int", &Options::smtp_timeout_seconds),
      option("mail_spool_dir", "str", &Options::mail_spool_dir),
      option("mail_max_attempts", "int", &Options::mail_max_attempts),
      option("mail_retry_seconds", "int", &Options::mail_retry_seconds),
      option("dicom_aet", "str", &Options::dicom_aet),
      option("dicom_port", "int", &Options::dicom_port),
      option("dicom_host", "str", &Options::dicom_host),
      option("dicom_max_associations", "int", &Options::dicom_max_associations),
      option("dicom_timeout_seconds", "int", &Options::dicom_timeout_seconds),
      dicom_nodes_option(),
      option("viewer_token_minutes", "int", &Options::viewer_token_minutes),
      option("max_report_bytes", "int", &Options::max_report_bytes),
      option("max_audio_bytes", "int", &Options::max_audio_bytes),
      option("thumbnail_cache", "bool", &Options::thumbnail_cache),
  };
  return fields;
}

std::string open_doc() {
  std::string doc =
      "Opens (creating if missing) a portal data directory. Keyword options override the "
      "defaults of portal::Options (see docs/configuration.md); None keeps the default:\n";
  for (const OptionField& f : option_fields()) {
    doc += std::string("  ") + f.name + ": " + f.type + " | None = None\n";
  }
  return doc;
}

std::shared_ptr<Portal> open_portal(const py::object& dir, const py::kwargs& kwargs) {
  const std::string path = path_text(dir);
  Options options;
  for (const auto& [key, value] : kwargs) {
    const std::string name = key.cast<std::string>();
    const auto& fields = option_fields();
    const auto it = std::find_if(fields.begin(), fields.end(),
                                 [&name](const OptionField& f) { return name == f.name; });
    if (it == fields.end()) {
      throw py::type_error("open() got an unexpected keyword argument '" + name + "'");
    }
    if (!value.is_none()) it->set(options, value);
  }
  py::gil_scoped_release nogil;
  return Portal::open(path, std::move(options));
}

}  // namespace

void bind_api(py::module_& m) {
  using nogil = py::call_guard<py::gil_scoped_release>;

  py::class_<ManualClock, std::shared_ptr<ManualClock>>(
      m, "ManualClock",
      "A clock that only moves when told to, for tests of expiry: pass it to "
      "portal.open(..., clock=...). Thread-safe.")
      .def(py::init([](const py::object& start) {
             return std::make_shared<ManualClock>(
                 start.is_none() ? std::chrono::system_clock::now() : instant(start, "start"));
           }),
           py::arg("start") = py::none(),
           "Starts at `start` (a datetime; naive = local time), or now when None.")
      .def("now", [](const ManualClock& c) { return utc_datetime(c.now()); },
           "The clock's time, as an aware UTC datetime.")
      .def("set", [](ManualClock& c, const py::object& t) { c.set(instant(t, "t")); },
           py::arg("t"), "Moves the clock to a datetime.")
      .def("advance",
           [](ManualClock& c, const py::object& d) {
             if (!py::isinstance(d, py::module_::import("datetime").attr("timedelta"))) {
               throw py::type_error("d must be a datetime.timedelta");
             }
             const auto us = std::chrono::microseconds(
                 d.attr("days").cast<std::int64_t>() * 86400000000LL +
                 d.attr("seconds").cast<std::int64_t>() * 1000000LL +
                 d.attr("microseconds").cast<std::int64_t>());
             c.advance(std::chrono::duration_cast<std::chrono::system_clock::duration>(us));
           },
           py::arg("d"), "Moves the clock by a datetime.timedelta (may be negative).")
      .def("__repr__", [](const ManualClock& c) {
        return "<portal.ManualClock now=" +
               py::repr(utc_datetime(c.now()).attr("isoformat")()).cast<std::string>() + ">";
      });

  py::class_<Session>(m, "Session",
                      "Every operation, on behalf of one principal. Cheap to copy; thread-safe.")
      .def_property_readonly("principal", &principal_name,
                             "Who the session acts for: 'system', 'user' or 'patient'")
      .def("ingest", &ingest, py::arg("paths"), py::kw_only(),
           py::arg("ignore_patient_id") = false, py::arg("update_demographics") = false,
           py::arg("repository") = "", py::arg("progress") = py::none(),
           py::arg("collect_results") = true,
           "Ingests files, folders (recursively) and zip archives. A bad file never raises: its "
           "fate is in the report. Raises NotFoundError when a path does not exist.")
      .def("ingest_bytes", &ingest_bytes, py::arg("name"), py::arg("data"), py::kw_only(),
           py::arg("ignore_patient_id") = false, py::arg("update_demographics") = false,
           py::arg("repository") = "",
           "Ingests one file held in memory; `name` only labels the result's source.")
      .def("find_studies", &find_studies, py::kw_only(), py::arg("period") = "all",
           py::arg("date_from") = "", py::arg("date_to") = "", py::arg("first_name") = "",
           py::arg("last_name") = "", py::arg("modality") = "", py::arg("patient_id") = "",
           py::arg("accession") = "", py::arg("referring") = "", py::arg("performing") = "",
           py::arg("site") = "", py::arg("sort") = "-date", py::arg("limit") = 0,
           py::arg("offset") = 0, py::arg("seen") = "", py::arg("report") = "",
           "Searches the studies this session may see (seen: '', 'seen' or 'unseen' by the "
           "caller's role; report: '', 'yes', 'no', 'draft', 'final'); returns a StudyList (one page, with the "
           "total count of matches).")
      .def("study", &Session::study, py::arg("uid"), nogil(),
           "One study; raises NotFoundError when absent or not visible.")
      .def("series", &Session::series, py::arg("uid"), nogil(),
           "The series of a study, by series number.")
      .def("instances", &Session::instances, py::arg("uid"), py::arg("series_uid") = "",
           nogil(), "The instances of a study (optionally of one series).")
      .def("history", &Session::history, py::arg("uid"), nogil(),
           "The same patient's other studies this session may see, newest first.")
      .def("instance_bytes",
           [](const Session& s, const std::string& sop_uid) {
             std::string bytes;
             {
               py::gil_scoped_release nogil;
               bytes = s.instance_bytes(sop_uid);
             }
             return py::bytes(bytes);
           },
           py::arg("sop_uid"), "The stored bytes of one instance, exactly as received.")
      .def("__repr__", [](const Session& s) {
        return "<portal.Session principal='" + principal_name(s) + "'>";
      });

  py::class_<Portal, std::shared_ptr<Portal>>(
      m, "Portal", "An open data directory (index + file store). Thread-safe.")
      .def("system_session", &Portal::system_session,
           "A session acting as the system principal (administrative tools): sees everything.")
      .def("fsck", &Portal::fsck, py::arg("repair") = false, nogil(),
           "Compares index and file store; with repair, removes orphan files and drops rows "
           "whose file is gone.")
      .def_property_readonly("data_dir", &Portal::data_dir)
      .def("__repr__", [](const Portal& p) {
        return "<portal.Portal data_dir=" + py::repr(py::str(p.data_dir())).cast<std::string>() +
               ">";
      });

  static const std::string doc = open_doc();
  m.def("open", &open_portal, py::arg("dir"), doc.c_str());
}

}  // namespace portal::python
