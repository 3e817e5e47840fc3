// bindings/python/sharing_api.cpp — [sharing] beyond shares: referring-physician notifications
// (DIF-2..4), the physician directory (DIF-7), study information (LIST-7) and the notification
// scheduler. Value classes are read-only with to_dict(), __eq__ and __repr__.
#include <pybind11/chrono.h>
#include <pybind11/stl.h>

#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "portal/notify.hpp"
#include "portal/portal.hpp"
#include "portal/session.hpp"
#include "portal/sharing.hpp"

namespace portal::python {
namespace {

using nogil = py::call_guard<py::gil_scoped_release>;

py::dict to_dict(const Notification& n) {
  py::dict d;
  d["id"] = n.id;
  d["study_uid"] = n.study_uid;
  d["trigger"] = n.trigger;
  d["rule"] = n.rule;
  d["status"] = n.status;
  d["error"] = n.error;
  d["recipient"] = n.recipient;
  d["recipient_login"] = n.recipient_login;
  d["created_by"] = n.created_by;
  d["created_at"] = n.created_at;
  d["due_at"] = n.due_at;
  d["done_at"] = n.done_at;
  return d;
}

py::dict to_dict(const NotificationReport& r) {
  py::dict d;
  d["due"] = r.due;
  d["queued"] = r.queued;
  d["failed"] = r.failed;
  return d;
}

py::dict to_dict(const Physician& p) {
  py::dict d;
  d["id"] = p.id;
  d["last_name"] = p.last_name;
  d["first_name"] = p.first_name;
  d["identifier"] = p.identifier;
  d["specialty"] = p.specialty;
  d["city"] = p.city;
  d["postcode"] = p.postcode;
  d["department"] = p.department;
  d["email"] = p.email;
  return d;
}

py::dict to_dict(const PhysicianImportReport& r) {
  py::dict d;
  d["added"] = r.added;
  d["updated"] = r.updated;
  return d;
}

template <typename T>
py::list dicts(const std::vector<T>& items) {
  py::list out;
  for (const auto& x : items) out.append(py::cast(x).attr("to_dict")());
  return out;
}

py::dict to_dict(const StudyInfo& i) {
  py::dict d;
  d["study"] = py::cast(i.study).attr("to_dict")();
  d["series"] = dicts(i.series);
  d["privileged"] = i.privileged;
  d["shares"] = dicts(i.shares);
  d["notifications"] = dicts(i.notifications);
  d["mail_errors"] = dicts(i.mail_errors);
  return d;
}

template <typename T, typename Class>
void add_common(Class& cls, const char* name, std::initializer_list<const char*> repr_fields) {
  add_value_methods<T>(cls, name, repr_fields, [](const T& v) { return to_dict(v); });
}

}  // namespace

void bind_sharing(py::module_& m) {
  auto n = py::class_<Notification>(m, "Notification",
                                    "One notification of a study's referring physician (DIF-2..4).")
      .def_readonly("id", &Notification::id)
      .def_readonly("study_uid", &Notification::study_uid)
      .def_readonly("trigger", &Notification::trigger,
                    "'study_arrived', 'report_available' or 'manual'")
      .def_readonly("rule", &Notification::rule, "The rule's name; empty for manual ones")
      .def_readonly("status", &Notification::status, "'scheduled', 'sent' or 'failure'")
      .def_readonly("error", &Notification::error, "Why it failed")
      .def_readonly("recipient", &Notification::recipient, "Email written to")
      .def_readonly("recipient_login", &Notification::recipient_login)
      .def_readonly("created_by", &Notification::created_by, "Login, or 'system' for rules")
      .def_readonly("created_at", &Notification::created_at, "UTC ISO 8601")
      .def_readonly("due_at", &Notification::due_at, "UTC ISO 8601")
      .def_readonly("done_at", &Notification::done_at, "UTC ISO 8601; empty while scheduled");
  add_common<Notification>(n, "Notification", {"id", "trigger", "status", "recipient", "error"});

  auto nr = py::class_<NotificationReport>(m, "NotificationReport",
                                           "What one run_notifications() pass did.")
      .def_readonly("due", &NotificationReport::due)
      .def_readonly("queued", &NotificationReport::queued, "Mail in the outbox")
      .def_readonly("failed", &NotificationReport::failed);
  add_common<NotificationReport>(nr, "NotificationReport", {"due", "queued", "failed"});

  auto ph = py::class_<Physician>(m, "Physician", "One entry of the physician directory (DIF-7).")
      .def_readonly("id", &Physician::id)
      .def_readonly("last_name", &Physician::last_name)
      .def_readonly("first_name", &Physician::first_name)
      .def_readonly("identifier", &Physician::identifier)
      .def_readonly("specialty", &Physician::specialty)
      .def_readonly("city", &Physician::city)
      .def_readonly("postcode", &Physician::postcode)
      .def_readonly("department", &Physician::department)
      .def_readonly("email", &Physician::email);
  add_common<Physician>(ph, "Physician", {"last_name", "first_name", "identifier", "email"});

  auto ir = py::class_<PhysicianImportReport>(m, "PhysicianImportReport",
                                              "What a directory import did.")
      .def_readonly("added", &PhysicianImportReport::added)
      .def_readonly("updated", &PhysicianImportReport::updated);
  add_common<PhysicianImportReport>(ir, "PhysicianImportReport", {"added", "updated"});

  auto info = py::class_<StudyInfo>(
      m, "StudyInfo",
      "Study information (LIST-7); shares, notifications and mail_errors for privileged "
      "profiles only.")
      .def_readonly("study", &StudyInfo::study)
      .def_readonly("series", &StudyInfo::series)
      .def_readonly("privileged", &StudyInfo::privileged)
      .def_readonly("shares", &StudyInfo::shares)
      .def_readonly("notifications", &StudyInfo::notifications)
      .def_readonly("mail_errors", &StudyInfo::mail_errors);
  add_common<StudyInfo>(info, "StudyInfo", {"privileged"});

  auto session = py::reinterpret_borrow<py::class_<Session>>(m.attr("Session"));
  session
      .def("notify", &Session::notify, py::arg("study_uid"), nogil(),
           "Notifies the study's referring physician now (notify right). No account or no "
           "email gives a Notification with status 'failure', not an exception.")
      .def("notifications", &Session::notifications, py::arg("study_uid"), nogil(),
           "The study's notifications, oldest first (privileged profiles).")
      .def(
          "import_physicians",
          [](Session& s, const py::object& csv) {
            std::string text = py::isinstance<py::bytes>(csv) ? csv.cast<std::string>()
                                                              : py::str(csv).cast<std::string>();
            py::gil_scoped_release release;
            return s.import_physicians(text);
          },
          py::arg("csv"),
          "Imports the physician directory from CSV text or bytes (administrators); any bad "
          "row raises InvalidArgumentError listing each bad line, and nothing is imported.")
      .def(
          "find_physicians",
          [](const Session& s, std::string name, std::string identifier, std::string city,
             std::string department, int limit) {
            PhysicianQuery q;
            q.name = std::move(name);
            q.identifier = std::move(identifier);
            q.city = std::move(city);
            q.department = std::move(department);
            q.limit = limit;
            py::gil_scoped_release release;
            return s.find_physicians(q);
          },
          py::arg("name") = "", py::arg("identifier") = "", py::arg("city") = "",
          py::arg("department") = "", py::arg("limit") = 50,
          "Searches the directory by name (word prefixes), identifier, city (prefix), "
          "department (share or notify right).")
      .def("study_info", &Session::study_info, py::arg("study_uid"), nogil(),
           "Study, patient and series; shares, notifications and mail errors for privileged "
           "profiles (LIST-7).");

  auto portal = py::reinterpret_borrow<py::class_<Portal, std::shared_ptr<Portal>>>(m.attr("Portal"));
  portal.def("run_notifications", &Portal::run_notifications, nogil(),
             "Runs the automatic notifications due at the clock's now (cron: portal notify run).");

  py::class_<NotificationScheduler>(
      m, "NotificationScheduler",
      "Runs Portal.run_notifications() every interval on a thread (servers); what is due "
      "follows the portal's clock.")
      .def(py::init([](std::shared_ptr<Portal> p, double interval_seconds, bool deliver_mail) {
             return std::make_unique<NotificationScheduler>(
                 std::move(p), std::chrono::milliseconds(std::int64_t(interval_seconds * 1000)),
                 deliver_mail);
           }),
           py::arg("portal"), py::arg("interval_seconds") = 0.0, py::arg("deliver_mail") = false)
      .def("start", &NotificationScheduler::start, nogil())
      .def("stop", &NotificationScheduler::stop, nogil())
      .def("wake", &NotificationScheduler::wake, nogil())
      .def_property_readonly("running", &NotificationScheduler::running)
      .def_property_readonly("passes", &NotificationScheduler::passes)
      .def_property_readonly("totals", &NotificationScheduler::totals);
}

}  // namespace portal::python
