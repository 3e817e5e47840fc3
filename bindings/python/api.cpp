// bindings/python/api.cpp — portal.open, Portal and Session: argument translation only.
// Long core calls run with the GIL released; the ingest progress callback re-acquires it.
#include <pybind11/stl.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "portal/portal.hpp"

namespace portal::python {
namespace {

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

// "" / None / "YYYYMMDD" / datetime.date -> the YYYYMMDD text the core validates.
std::string date_text(const py::object& value, const char* name) {
  if (value.is_none()) return {};
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance(value, py::module_::import("datetime").attr("date"))) {
    return value.attr("strftime")("%Y%m%d").cast<std::string>();
  }
  throw py::type_error(std::string(name) + " must be a str (YYYYMMDD) or a datetime.date");
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
                       int limit, int offset) {
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
  py::gil_scoped_release nogil;
  return session.find_studies(query);
}

std::shared_ptr<Portal> open_portal(const py::object& dir, std::optional<bool> durable,
                                    std::optional<int> search_default_limit,
                                    std::optional<int> search_max_limit,
                                    std::optional<int> ingest_threads,
                                    std::optional<int> ingest_batch,
                                    std::optional<std::uint64_t> max_file_bytes,
                                    std::optional<std::uint64_t> max_header_bytes,
                                    std::optional<std::uint64_t> zip_max_entries,
                                    std::optional<std::uint64_t> zip_max_entry_bytes,
                                    std::optional<std::uint64_t> zip_max_total_bytes,
                                    std::optional<std::uint64_t> zip_max_ratio) {
  const std::string path = path_text(dir);
  Options options;
  if (durable) options.durable = *durable;
  if (search_default_limit) options.search_default_limit = *search_default_limit;
  if (search_max_limit) options.search_max_limit = *search_max_limit;
  if (ingest_threads) options.ingest_threads = *ingest_threads;
  if (ingest_batch) options.ingest_batch = *ingest_batch;
  if (max_file_bytes) options.max_file_bytes = *max_file_bytes;
  if (max_header_bytes) options.max_header_bytes = *max_header_bytes;
  if (zip_max_entries) options.zip_max_entries = *zip_max_entries;
  if (zip_max_entry_bytes) options.zip_max_entry_bytes = *zip_max_entry_bytes;
  if (zip_max_total_bytes) options.zip_max_total_bytes = *zip_max_total_bytes;
  if (zip_max_ratio) options.zip_max_ratio = *zip_max_ratio;
  py::gil_scoped_release nogil;
  return Portal::open(path, std::move(options));
}

}  // namespace

void bind_api(py::module_& m) {
  using nogil = py::call_guard<py::gil_scoped_release>;

  py::class_<Session>(m, "Session",
                      "Every operation, on behalf of one principal. Cheap to copy; thread-safe.")
      .def_property_readonly("principal",
                             [](const Session& s) -> std::string {
                               switch (s.principal()) {
                                 case PrincipalKind::kSystem: return "system";
                               }
                               return "unknown";
                             },
                             "Who the session acts for: 'system'")
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
           py::arg("offset") = 0,
           "Searches the studies this session may see; returns a StudyList (one page, with the "
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
        return std::string("<portal.Session principal=") +
               (s.principal() == PrincipalKind::kSystem ? "'system'" : "'?'") + ">";
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

  m.def("open", &open_portal, py::arg("dir"), py::kw_only(), py::arg("durable") = py::none(),
        py::arg("search_default_limit") = py::none(), py::arg("search_max_limit") = py::none(),
        py::arg("ingest_threads") = py::none(), py::arg("ingest_batch") = py::none(),
        py::arg("max_file_bytes") = py::none(), py::arg("max_header_bytes") = py::none(),
        py::arg("zip_max_entries") = py::none(), py::arg("zip_max_entry_bytes") = py::none(),
        py::arg("zip_max_total_bytes") = py::none(), py::arg("zip_max_ratio") = py::none(),
        "Opens (creating if missing) a portal data directory. Keyword options override the "
        "defaults of portal::Options (see docs/configuration.md).");
}

}  // namespace portal::python
