// bindings/python/bindings.hpp — the pieces of the `portal` Python module, one function per area.
// The bindings only translate between Python and include/portal: no rules live here.
#pragma once

#include <pybind11/pybind11.h>

namespace portal::python {

namespace py = pybind11;

/// portal.Error and one subclass per portal::ErrorCode; the one place C++ errors become Python ones.
void bind_errors(py::module_& m);

/// Read-only value classes: Patient, Study, Series, Instance, StudyList, IngestResult,
/// IngestProgress, IngestReport, FsckIssue, FsckReport.
void bind_model(py::module_& m);

/// portal.open, Portal and Session.
void bind_api(py::module_& m);

}  // namespace portal::python
