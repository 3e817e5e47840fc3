// bindings/python/reports_api.cpp — reports (LIST-8, VIEW-6), audio notes (VIEW-6) and
// documents (ING-3, VIEW-6) on Session. Only translation: every rule lives in the core.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bindings.hpp"
#include "portal/reports.hpp"
#include "portal/session.hpp"

namespace portal::python {

namespace {

using nogil = py::call_guard<py::gil_scoped_release>;

std::string bytes_of(const py::object& data, const char* what) {
  if (py::isinstance<py::bytes>(data) || py::isinstance<py::bytearray>(data) ||
      py::isinstance<py::memoryview>(data))
    return py::bytes(data).cast<std::string>();
  throw Error(ErrorCode::kInvalidArgument, std::string(what) + " must be bytes");
}

}  // namespace

void bind_reports(py::module_& m) {
  py::class_<Report>(m, "Report", "The report of a study (LIST-8).")
      .def_property_readonly("study_uid", [](const Report& r) { return r.study_uid; })
      .def_property_readonly("status",
                             [](const Report& r) { return std::string(report_status_name(r.status)); },
                             "'draft' or 'final'")
      .def_property_readonly("format",
                             [](const Report& r) { return std::string(report_format_name(r.format)); },
                             "'text' or 'pdf'")
      .def_readonly("text", &Report::text, "text reports and Structured Reports; '' for PDFs")
      .def_readonly("pdf_size", &Report::pdf_size)
      .def_readonly("author", &Report::author)
      .def_readonly("created_at", &Report::created_at)
      .def_readonly("updated_at", &Report::updated_at)
      .def_readonly("source", &Report::source, "'portal' or 'dicom'")
      .def_readonly("sop_uid", &Report::sop_uid, "the DICOM instance of a recognised report")
      .def("__repr__", [](const Report& r) {
        return "Report(study_uid='" + r.study_uid + "', status='" +
               std::string(report_status_name(r.status)) + "', format='" +
               std::string(report_format_name(r.format)) + "', author='" + r.author + "')";
      });

  py::class_<AudioNote>(m, "AudioNote", "An audio note attached to a study (VIEW-6).")
      .def_readonly("id", &AudioNote::id)
      .def_readonly("study_uid", &AudioNote::study_uid)
      .def_readonly("name", &AudioNote::name)
      .def_readonly("media_type", &AudioNote::media_type)
      .def_readonly("size_bytes", &AudioNote::size_bytes)
      .def_readonly("author", &AudioNote::author)
      .def_readonly("created_at", &AudioNote::created_at)
      .def("__repr__", [](const AudioNote& n) {
        return "AudioNote(id='" + n.id + "', media_type='" + n.media_type + "', " +
               std::to_string(n.size_bytes) + " bytes)";
      });

  py::class_<UploadedDocument>(m, "UploadedDocument",
                               "A document uploaded through the portal (deletable).")
      .def_readonly("sop_uid", &UploadedDocument::sop_uid)
      .def_readonly("study_uid", &UploadedDocument::study_uid)
      .def_readonly("name", &UploadedDocument::name)
      .def_readonly("uploaded_by", &UploadedDocument::uploaded_by)
      .def_readonly("uploaded_at", &UploadedDocument::uploaded_at)
      .def("__repr__", [](const UploadedDocument& d) {
        return "UploadedDocument(sop_uid='" + d.sop_uid + "', name='" + d.name + "')";
      });

  auto session = py::reinterpret_borrow<py::class_<Session>>(m.attr("Session"));
  session
      .def("report", &Session::report, py::arg("study_uid"), nogil(),
           "The study's report, or None (none, or a draft without manage_reports).")
      .def(
          "report_pdf",
          [](const Session& s, const std::string& uid) {
            std::string out;
            {
              py::gil_scoped_release release;
              out = s.report_pdf(uid);
            }
            return py::bytes(out);
          },
          py::arg("study_uid"), "The report as PDF bytes (text reports are laid out).")
      .def(
          "set_report",
          [](Session& s, const std::string& uid, py::object text, py::object pdf,
             const std::string& status) {
            ReportContent c;
            if (!text.is_none()) c.text = text.cast<std::string>();
            if (!pdf.is_none()) c.pdf = bytes_of(pdf, "pdf");
            c.status = parse_report_status(status);
            py::gil_scoped_release release;
            return s.set_report(uid, c);
          },
          py::arg("study_uid"), py::kw_only(), py::arg("text") = py::none(),
          py::arg("pdf") = py::none(), py::arg("status") = "draft",
          "Creates or replaces the report: text=str or pdf=bytes, status 'draft' or 'final'.")
      .def("delete_report", &Session::delete_report, py::arg("study_uid"), nogil())
      .def(
          "add_audio",
          [](Session& s, const std::string& uid, py::object data, const std::string& name) {
            NamedFile f{name, bytes_of(data, "data")};
            py::gil_scoped_release release;
            return s.add_audio(uid, f);
          },
          py::arg("study_uid"), py::arg("data"), py::kw_only(), py::arg("name") = "",
          "Attaches WebM, Ogg or MP4 audio (told by content) to a study.")
      .def("audio_notes", &Session::audio_notes, py::arg("study_uid"), nogil())
      .def("audio_note", &Session::audio_note, py::arg("audio_id"), nogil())
      .def(
          "audio",
          [](const Session& s, const std::string& id) {
            std::string out;
            {
              py::gil_scoped_release release;
              out = s.audio(id);
            }
            return py::bytes(out);
          },
          py::arg("audio_id"), "One audio note's bytes.")
      .def("delete_audio", &Session::delete_audio, py::arg("audio_id"), nogil())
      .def(
          "add_files",
          [](Session& s, const std::string& uid, const std::vector<py::tuple>& files) {
            std::vector<NamedFile> in;
            for (const auto& t : files) {
              if (t.size() != 2)
                throw Error(ErrorCode::kInvalidArgument, "files are (name, bytes) pairs");
              in.push_back({t[0].cast<std::string>(), bytes_of(t[1], "file data")});
            }
            py::gil_scoped_release release;
            return s.add_files(uid, in);
          },
          py::arg("study_uid"), py::arg("files"),
          "Adds (name, bytes) files to a study: DICOM of that study, PDF, PNG, JPEG (ING-3).")
      .def("documents", &Session::documents, py::arg("study_uid"), nogil(),
           "Documents uploaded through the portal, oldest first.")
      .def("delete_document", &Session::delete_document, py::arg("sop_uid"), nogil(),
           "Deletes a document uploaded through the portal (delete_documents right).");
}

}  // namespace portal::python
