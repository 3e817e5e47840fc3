// bindings/python/module.cpp — the `portal` extension module (API-3).
#include "bindings.hpp"

PYBIND11_MODULE(portal, m) {
  m.doc() =
      "libportal: open a radiology study portal (a data directory), ingest DICOM files and "
      "search studies; sign users and patients in. Every operation goes through a Session. "
      "See docs/python.md.";
  m.attr("__version__") = PORTAL_VERSION;
  portal::python::bind_errors(m);
  portal::python::bind_model(m);
  portal::python::bind_accounts_model(m);
  portal::python::bind_api(m);
  portal::python::bind_accounts_api(m);
  portal::python::bind_imaging(m);
  portal::python::bind_dicomnet(m);
  portal::python::bind_reports(m);
}
