// bindings/python/model.cpp — read-only Python classes for the value types of model.hpp and
// query.hpp. Field names are those of the C++ structs; each class has __repr__, __eq__ and
// to_dict().
#include <pybind11/stl.h>

#include <cstddef>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "convert.hpp"
#include "portal/model.hpp"
#include "portal/query.hpp"

namespace portal::python {
namespace {

// --- to_dict: the single description of each type's fields as Python values ---------------------

py::dict to_dict(const Patient& p) {
  py::dict d;
  d["patient_id"] = p.patient_id;
  d["family_name"] = p.family_name;
  d["given_name"] = p.given_name;
  d["birth_date"] = p.birth_date;
  d["sex"] = p.sex;
  return d;
}

py::dict to_dict(const Study& s) {
  py::dict d;
  d["uid"] = s.uid;
  d["patient"] = to_dict(s.patient);
  d["date"] = s.date;
  d["time"] = s.time;
  d["description"] = s.description;
  d["accession"] = s.accession;
  d["referring_physician"] = s.referring_physician;
  d["performing_physician"] = s.performing_physician;
  d["reading_physician"] = s.reading_physician;
  d["institution"] = s.institution;
  d["repository"] = s.repository;
  d["modalities"] = py::cast(s.modalities);
  d["num_series"] = s.num_series;
  d["num_instances"] = s.num_instances;
  d["size_bytes"] = s.size_bytes;
  d["received_at"] = s.received_at;
  d["updated_at"] = s.updated_at;
  d["seen_by_radiologist"] = s.seen_by_radiologist;
  d["seen_by_referring"] = s.seen_by_referring;
  d["seen_by_patient"] = s.seen_by_patient;
  d["has_report"] = s.has_report;
  d["report_status"] = s.report_status;
  return d;
}

py::dict to_dict(const Series& s) {
  py::dict d;
  d["uid"] = s.uid;
  d["study_uid"] = s.study_uid;
  d["modality"] = s.modality;
  d["number"] = s.number;
  d["description"] = s.description;
  d["body_part"] = s.body_part;
  d["num_instances"] = s.num_instances;
  return d;
}

py::dict to_dict(const Instance& i) {
  py::dict d;
  d["sop_uid"] = i.sop_uid;
  d["sop_class_uid"] = i.sop_class_uid;
  d["series_uid"] = i.series_uid;
  d["study_uid"] = i.study_uid;
  d["transfer_syntax_uid"] = i.transfer_syntax_uid;
  d["number"] = i.number;
  d["rows"] = i.rows;
  d["columns"] = i.columns;
  d["frames"] = i.frames;
  d["size_bytes"] = i.size_bytes;
  d["sha256"] = i.sha256;
  d["received_at"] = i.received_at;
  return d;
}

py::object error_of(const IngestResult& r) {
  if (r.status != IngestStatus::kRejected) return py::none();
  return py::str(std::string(error_code_name(r.error)));
}

py::dict to_dict(const IngestResult& r) {
  py::dict d;
  d["source"] = r.source;
  d["status"] = std::string(ingest_status_name(r.status));
  d["error"] = error_of(r);
  d["message"] = r.message;
  d["study_uid"] = r.study_uid;
  d["series_uid"] = r.series_uid;
  d["sop_uid"] = r.sop_uid;
  d["size_bytes"] = r.size_bytes;
  return d;
}

py::dict to_dict(const IngestProgress& p) {
  py::dict d;
  d["files_done"] = p.files_done;
  d["files_found"] = p.files_found;
  d["discovery_complete"] = p.discovery_complete;
  d["bytes_done"] = p.bytes_done;
  return d;
}

py::dict to_dict(const IngestReport& r) {
  py::dict d;
  py::list files;
  for (const auto& f : r.files) files.append(to_dict(f));
  d["files"] = files;
  d["stored"] = r.stored;
  d["duplicates"] = r.duplicates;
  d["rejected"] = r.rejected;
  d["bytes_stored"] = r.bytes_stored;
  return d;
}

py::dict to_dict(const FsckIssue& i) {
  py::dict d;
  d["kind"] = std::string(fsck_issue_name(i.kind));
  d["blob_id"] = i.blob_id;
  d["sop_uid"] = i.sop_uid;
  d["detail"] = i.detail;
  d["repaired"] = i.repaired;
  return d;
}

py::dict to_dict(const FsckReport& r) {
  py::dict d;
  py::list issues;
  for (const auto& i : r.issues) issues.append(to_dict(i));
  d["issues"] = issues;
  d["clean"] = r.clean();
  d["remaining"] = r.remaining();
  d["instances_checked"] = r.instances_checked;
  d["files_checked"] = r.files_checked;
  d["repaired"] = r.repaired;
  return d;
}

// Adds to_dict, __eq__ and __repr__ (see add_value_methods) using the to_dict above.
template <typename T, typename Class>
void add_common(Class& cls, const char* name, std::initializer_list<const char*> repr_fields) {
  add_value_methods<T>(cls, name, repr_fields, [](const T& v) { return to_dict(v); });
}

// Wraps a possibly negative Python index into [0, size); raises IndexError otherwise.
std::size_t wrap_index(std::ptrdiff_t i, std::size_t size) {
  const auto n = static_cast<std::ptrdiff_t>(size);
  if (i < 0) i += n;
  if (i < 0 || i >= n) throw py::index_error("StudyList index out of range");
  return static_cast<std::size_t>(i);
}

}  // namespace

void bind_model(py::module_& m) {
  auto patient = py::class_<Patient>(m, "Patient", "A patient as known to the index.")
      .def_readonly("patient_id", &Patient::patient_id, "(0010,0020) as received; may be empty")
      .def_readonly("family_name", &Patient::family_name, "First component of the patient name")
      .def_readonly("given_name", &Patient::given_name, "Given name(s)")
      .def_readonly("birth_date", &Patient::birth_date, "YYYYMMDD or empty")
      .def_readonly("sex", &Patient::sex, "M, F, O or empty");
  add_common<Patient>(patient, "Patient",
                      {"patient_id", "family_name", "given_name", "birth_date", "sex"});

  auto study = py::class_<Study>(m, "Study", "One study, with every field the study list shows.")
      .def_readonly("uid", &Study::uid, "Study Instance UID")
      .def_readonly("patient", &Study::patient)
      .def_readonly("date", &Study::date, "YYYYMMDD or empty")
      .def_readonly("time", &Study::time, "HHMMSS or empty")
      .def_readonly("description", &Study::description)
      .def_readonly("accession", &Study::accession)
      .def_readonly("referring_physician", &Study::referring_physician)
      .def_readonly("performing_physician", &Study::performing_physician)
      .def_readonly("reading_physician", &Study::reading_physician)
      .def_readonly("institution", &Study::institution, "The site")
      .def_readonly("repository", &Study::repository, "Where the study came from")
      .def_readonly("modalities", &Study::modalities, "Distinct modalities, sorted")
      .def_readonly("num_series", &Study::num_series)
      .def_readonly("num_instances", &Study::num_instances)
      .def_readonly("size_bytes", &Study::size_bytes)
      .def_readonly("received_at", &Study::received_at, "UTC ISO 8601, first instance arrival")
      .def_readonly("updated_at", &Study::updated_at, "UTC ISO 8601, last instance arrival")
      .def_readonly("seen_by_radiologist", &Study::seen_by_radiologist, "DIF-1 seen status")
      .def_readonly("seen_by_referring", &Study::seen_by_referring)
      .def_readonly("seen_by_patient", &Study::seen_by_patient)
      .def_readonly("has_report", &Study::has_report, "LIST-8 report indicator")
      .def_readonly("report_status", &Study::report_status, "'draft', 'final' or ''");
  study.def("to_dict", [](const Study& s) { return to_dict(s); },
            "The fields as a plain dict (patient as a nested dict).");
  study.def("__eq__", [](const Study& a, const Study& b) { return to_dict(a).equal(to_dict(b)); },
            py::is_operator());
  study.def("__repr__", [](const Study& s) {
    std::string name = s.patient.family_name;
    if (!s.patient.given_name.empty()) name += (name.empty() ? "" : " ") + s.patient.given_name;
    py::dict d = to_dict(s);
    return "Study(uid=" + py::repr(d["uid"]).cast<std::string>() +
           ", date=" + py::repr(d["date"]).cast<std::string>() +
           ", patient=" + py::repr(py::str(name)).cast<std::string>() +
           ", modalities=" + py::repr(d["modalities"]).cast<std::string>() +
           ", description=" + py::repr(d["description"]).cast<std::string>() +
           ", num_series=" + std::to_string(s.num_series) +
           ", num_instances=" + std::to_string(s.num_instances) + ")";
  });

  auto series = py::class_<Series>(m, "Series", "One series of a study.")
      .def_readonly("uid", &Series::uid)
      .def_readonly("study_uid", &Series::study_uid)
      .def_readonly("modality", &Series::modality)
      .def_readonly("number", &Series::number)
      .def_readonly("description", &Series::description)
      .def_readonly("body_part", &Series::body_part)
      .def_readonly("num_instances", &Series::num_instances);
  add_common<Series>(series, "Series",
                     {"uid", "modality", "number", "description", "num_instances"});

  auto instance = py::class_<Instance>(m, "Instance",
                                       "One stored DICOM instance, kept byte-for-byte.")
      .def_readonly("sop_uid", &Instance::sop_uid)
      .def_readonly("sop_class_uid", &Instance::sop_class_uid)
      .def_readonly("series_uid", &Instance::series_uid)
      .def_readonly("study_uid", &Instance::study_uid)
      .def_readonly("transfer_syntax_uid", &Instance::transfer_syntax_uid)
      .def_readonly("number", &Instance::number)
      .def_readonly("rows", &Instance::rows)
      .def_readonly("columns", &Instance::columns)
      .def_readonly("frames", &Instance::frames, "0 when the instance has no pixel data")
      .def_readonly("size_bytes", &Instance::size_bytes)
      .def_readonly("sha256", &Instance::sha256, "Lower-case hex digest of the stored bytes")
      .def_readonly("received_at", &Instance::received_at);
  add_common<Instance>(instance, "Instance",
                       {"sop_uid", "number", "rows", "columns", "frames", "size_bytes"});

  py::class_<StudyPage>(m, "StudyList",
                        "One page of a study search: a sequence of Study, plus the count of "
                        "every match (total).")
      .def("__len__", [](const StudyPage& p) { return p.studies.size(); })
      .def("__getitem__",
           [](const StudyPage& p, std::ptrdiff_t i) -> const Study& {
             return p.studies[wrap_index(i, p.studies.size())];
           },
           py::return_value_policy::reference_internal)
      .def("__getitem__",
           [](const StudyPage& p, const py::slice& slice) {
             std::size_t start = 0, stop = 0, step = 0, length = 0;
             if (!slice.compute(p.studies.size(), &start, &stop, &step, &length)) {
               throw py::error_already_set();
             }
             std::vector<Study> out;
             out.reserve(length);
             for (std::size_t k = 0; k < length; ++k, start += step) out.push_back(p.studies[start]);
             return out;
           })
      .def("__iter__",
           [](const StudyPage& p) { return py::make_iterator(p.studies.begin(), p.studies.end()); },
           py::keep_alive<0, 1>())
      .def_readonly("total", &StudyPage::total, "Count of every match, not only those returned")
      .def_readonly("limit", &StudyPage::limit, "The limit actually applied")
      .def_readonly("offset", &StudyPage::offset)
      .def_property_readonly("truncated", &StudyPage::truncated,
                             "True when matches exist beyond this page")
      .def("__repr__", [](const StudyPage& p) {
        return "StudyList(len=" + std::to_string(p.studies.size()) +
               ", total=" + std::to_string(p.total) + ", limit=" + std::to_string(p.limit) +
               ", offset=" + std::to_string(p.offset) +
               ", truncated=" + (p.truncated() ? "True" : "False") + ")";
      });

  auto result = py::class_<IngestResult>(m, "IngestResult", "The fate of one ingested file.")
      .def_readonly("source", &IngestResult::source,
                    "The path, or 'archive.zip!entry' for an archive member")
      .def_property_readonly(
          "status", [](const IngestResult& r) { return std::string(ingest_status_name(r.status)); },
          "'stored', 'duplicate' or 'rejected'")
      .def_property_readonly("error", &error_of,
                             "Error code name when rejected (e.g. 'corrupt'), else None")
      .def_readonly("message", &IngestResult::message, "Why it was rejected (empty otherwise)")
      .def_readonly("study_uid", &IngestResult::study_uid)
      .def_readonly("series_uid", &IngestResult::series_uid)
      .def_readonly("sop_uid", &IngestResult::sop_uid)
      .def_readonly("size_bytes", &IngestResult::size_bytes);
  add_common<IngestResult>(result, "IngestResult", {"source", "status", "error", "message"});

  auto progress = py::class_<IngestProgress>(m, "IngestProgress",
                                             "Progress of a running ingest.")
      .def_readonly("files_done", &IngestProgress::files_done)
      .def_readonly("files_found", &IngestProgress::files_found,
                    "Files discovered so far (grows while walking folders)")
      .def_readonly("discovery_complete", &IngestProgress::discovery_complete)
      .def_readonly("bytes_done", &IngestProgress::bytes_done);
  add_common<IngestProgress>(progress, "IngestProgress",
                             {"files_done", "files_found", "discovery_complete", "bytes_done"});

  auto report = py::class_<IngestReport>(m, "IngestReport", "The outcome of an ingest.")
      .def_readonly("files", &IngestReport::files, "One IngestResult per file")
      .def_readonly("stored", &IngestReport::stored)
      .def_readonly("duplicates", &IngestReport::duplicates)
      .def_readonly("rejected", &IngestReport::rejected)
      .def_readonly("bytes_stored", &IngestReport::bytes_stored);
  add_common<IngestReport>(report, "IngestReport",
                           {"stored", "duplicates", "rejected", "bytes_stored"});

  auto issue = py::class_<FsckIssue>(m, "FsckIssue", "One problem found by fsck.")
      .def_property_readonly(
          "kind", [](const FsckIssue& i) { return std::string(fsck_issue_name(i.kind)); })
      .def_readonly("blob_id", &FsckIssue::blob_id)
      .def_readonly("sop_uid", &FsckIssue::sop_uid, "Empty for orphan files")
      .def_readonly("detail", &FsckIssue::detail)
      .def_readonly("repaired", &FsckIssue::repaired, "Fixed by this run (fsck with repair)");
  add_common<FsckIssue>(issue, "FsckIssue", {"kind", "blob_id", "sop_uid", "detail", "repaired"});

  auto fsck = py::class_<FsckReport>(m, "FsckReport",
                                     "Result of a consistency check between index and files.")
      .def_readonly("issues", &FsckReport::issues)
      .def_property_readonly("clean", &FsckReport::clean, "True when no issue was found")
      .def_readonly("instances_checked", &FsckReport::instances_checked)
      .def_readonly("files_checked", &FsckReport::files_checked)
      .def_readonly("repaired", &FsckReport::repaired)
      .def_property_readonly("remaining", &FsckReport::remaining,
                             "Issues still present after this run");
  add_common<FsckReport>(fsck, "FsckReport",
                         {"clean", "instances_checked", "files_checked", "repaired", "remaining"});
}

}  // namespace portal::python
