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

/// portal.open (every Options field), ManualClock, Portal and Session (studies, ingest, fsck).
void bind_api(py::module_& m);

/// Read-only value classes of accounts.hpp: User, Preferences, Profile, Captcha, Invitation,
/// StudyGrant, AuditEvent, MailMessage, MailDeliveryReport; and portal.known_rights.
void bind_accounts_model(py::module_& m);

/// The account calls of Portal and Session (sign-in, registration, administration, grants,
/// audit, mail). Runs after bind_api, whose classes it extends.
void bind_accounts_api(py::module_& m);

/// FramePayload and the imaging calls of Session (pixels as numpy, render, thumbnail, frame).
/// Runs after bind_api, whose Session class it extends.
void bind_imaging(py::module_& m);

/// SendReport, Session.send_study, Session.viewer_token and Portal.viewer_session (PLAT-2,
/// LIST-7). Runs after bind_api, whose classes it extends.
void bind_dicomnet(py::module_& m);
/// Report, AudioNote, UploadedDocument and the report, audio and document calls of Session.
/// Runs after bind_api.
void bind_reports(py::module_& m);

}  // namespace portal::python
