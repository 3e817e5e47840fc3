// bindings/python/dicomnet_api.cpp — DICOM networking and desktop-viewer calls (PLAT-2, LIST-7):
// SendReport, Session.send_study, Session.viewer_token, Portal.viewer_session.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "portal/portal.hpp"
#include "portal/session.hpp"

namespace portal::python {

void bind_dicomnet(py::module_& m) {
  using nogil = py::call_guard<py::gil_scoped_release>;
  py::class_<SendReport>(m, "SendReport", "The outcome of Session.send_study (PLAT-2).")
      .def_readonly("node", &SendReport::node, "The node's name")
      .def_readonly("sent", &SendReport::sent, "Instances the node acknowledged")
      .def_readonly("failed", &SendReport::failed, "Instances refused or not offered")
      .def_readonly("failures", &SendReport::failures, "'SOP-UID: reason', one per failure")
      .def("__repr__", [](const SendReport& r) {
        return "<portal.SendReport node=" + r.node + " sent=" + std::to_string(r.sent) +
               " failed=" + std::to_string(r.failed) + ">";
      });

  using PortalClass = py::class_<Portal, std::shared_ptr<Portal>>;
  auto portal = py::reinterpret_borrow<PortalClass>(m.attr("Portal"));
  portal.def("viewer_session", &Portal::viewer_session, py::arg("token"),
             py::arg("client_address") = "", nogil(),
             "The read-only session of a desktop-viewer token (Session.viewer_token): the "
             "issuer's access limited to that one study. UnauthenticatedError when the token "
             "is unknown or expired.");
  auto session = py::reinterpret_borrow<py::class_<Session>>(m.attr("Session"));
  session
      .def("viewer_token", &Session::viewer_token, py::arg("study_uid"), nogil(),
           "A short-lived token (dicomweb.viewer_token_minutes) opening only this study, for a "
           "desktop viewer fed by DICOMweb (LIST-7). NotFoundError when not visible.")
      .def("send_study", &Session::send_study, py::arg("study_uid"), py::arg("node_name"), nogil(),
           "Sends a study to a configured DICOM node with C-STORE (PLAT-2). NotFoundError for "
           "an unknown study or node, PermissionDeniedError without the download right, "
           "IoError when the node cannot be reached.");
}

}  // namespace portal::python
