// bindings/python/errors.cpp — the ONE place where portal::Error becomes a Python exception.
//
// portal.Error (a subclass of Exception) is the base; each portal::ErrorCode has its own subclass.
// Every exception carries `.code`, the stable error_code_name() string ("not_found", ...), both as
// a class attribute of the subclass and as an attribute of each raised instance.
#include <array>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

#include "bindings.hpp"
#include "portal/error.hpp"

namespace portal::python {
namespace {

struct ErrorClass {
  ErrorCode code;
  const char* name;
  const char* doc;
};

// Indexed by ErrorCode's value; the static_assert below keeps the table and the enum in step.
constexpr std::array<ErrorClass, 11> kErrorClasses{{
    {ErrorCode::kInvalidArgument, "InvalidArgumentError",
     "The caller's input is malformed or out of range."},
    {ErrorCode::kNotFound, "NotFoundError",
     "No such object, or one this session may not see (existence never leaks)."},
    {ErrorCode::kAlreadyExists, "AlreadyExistsError", "A unique name or id is taken."},
    {ErrorCode::kPermissionDenied, "PermissionDeniedError",
     "The session may see the object but not perform this action."},
    {ErrorCode::kUnauthenticated, "UnauthenticatedError", "No valid credentials."},
    {ErrorCode::kConflict, "ConflictError",
     "The request contradicts stored state (e.g. a patient identity mismatch)."},
    {ErrorCode::kCorrupt, "CorruptError",
     "Input or stored data is damaged or not what it claims to be."},
    {ErrorCode::kTooLarge, "TooLargeError", "A size exceeds a configured cap."},
    {ErrorCode::kUnsupported, "UnsupportedError",
     "Well-formed input the library cannot handle."},
    {ErrorCode::kIo, "IoError", "The file system or another resource failed."},
    {ErrorCode::kInternal, "InternalError",
     "A bug or an unexpected failure of a dependency."},
}};
static_assert(static_cast<std::size_t>(ErrorCode::kInternal) + 1 == kErrorClasses.size());

// Borrowed from the module, which owns a reference for the interpreter's lifetime. Plain
// pointers on purpose: no Python reference counting during static destruction.
PyObject* g_base = nullptr;
std::array<PyObject*, kErrorClasses.size()> g_classes{};

PyObject* class_for(ErrorCode code) {
  const auto i = static_cast<std::size_t>(code);
  return i < g_classes.size() && g_classes[i] != nullptr ? g_classes[i] : g_base;
}

// Raises (sets the Python error indicator to) the class for `code`, with `.code` set.
void raise_portal_error(ErrorCode code, const char* message) {
  PyObject* type = class_for(code);
  py::object text = py::reinterpret_steal<py::object>(PyUnicode_DecodeUTF8(
      message, static_cast<Py_ssize_t>(std::string_view(message).size()), "replace"));
  if (!text) {
    PyErr_Clear();
    text = py::str("");
  }
  py::object instance = py::reinterpret_borrow<py::object>(type)(text);
  instance.attr("code") = py::str(std::string(error_code_name(code)));
  PyErr_SetObject(type, instance.ptr());
}

}  // namespace

void bind_errors(py::module_& m) {
  g_base = PyErr_NewExceptionWithDoc(
      "portal.Error",
      "Base class of every error the portal library reports. `.code` is the stable error code "
      "name, e.g. 'not_found'.",
      PyExc_Exception, nullptr);
  if (g_base == nullptr) throw py::error_already_set();
  m.add_object("Error", py::reinterpret_steal<py::object>(g_base));

  for (const ErrorClass& entry : kErrorClasses) {
    const std::string qualified = std::string("portal.") + entry.name;
    PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), entry.doc, g_base, nullptr);
    if (cls == nullptr) throw py::error_already_set();
    py::object owned = py::reinterpret_steal<py::object>(cls);
    owned.attr("code") = py::str(std::string(error_code_name(entry.code)));
    m.add_object(entry.name, owned);
    g_classes[static_cast<std::size_t>(entry.code)] = cls;
  }

  py::register_local_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const portal::Error& e) {
      raise_portal_error(e.code(), e.what());
    }
  });
}

}  // namespace portal::python
