// bindings/python/convert.hpp — translation helpers shared by the files of the `portal` module.
// Only conversions between Python and C++ values live here; no rules.
#pragma once

#include <pybind11/pybind11.h>

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

namespace portal::python {

namespace py = pybind11;

/// "" / None / "YYYYMMDD" / datetime.date -> the YYYYMMDD text the core validates. Raises
/// TypeError naming `name` for other types.
std::string date_text(const py::object& value, const char* name);

/// True for a datetime.datetime.
bool is_datetime(const py::handle& value);

/// datetime.datetime -> an instant (microsecond precision). An aware datetime is exact; a naive
/// one is local time, as datetime.timestamp() reads it. Raises TypeError naming `name` otherwise.
std::chrono::system_clock::time_point instant(const py::handle& value, const char* name);

/// An instant -> an aware datetime.datetime in UTC.
py::object utc_datetime(std::chrono::system_clock::time_point t);

/// Adds to_dict(), __eq__ (field-wise, via to_dict) and __repr__ (the `repr_fields` of
/// to_dict) to a bound read-only value class.
template <typename T, typename Class, typename ToDict>
void add_value_methods(Class& cls, const char* name, std::initializer_list<const char*> repr_fields,
                       ToDict to_dict) {
  cls.def(
      "to_dict", [to_dict](const T& v) { return to_dict(v); },
      "The fields as a plain dict (nested values as dicts/lists).");
  cls.def(
      "__eq__", [to_dict](const T& a, const T& b) { return to_dict(a).equal(to_dict(b)); },
      py::is_operator());
  std::vector<const char*> fields(repr_fields);
  cls.def("__repr__", [name, fields, to_dict](const T& v) {
    py::dict d = to_dict(v);
    std::string out = std::string(name) + "(";
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out += ", ";
      out += fields[i];
      out += "=";
      out += py::repr(d[fields[i]]).template cast<std::string>();
    }
    return out + ")";
  });
}

}  // namespace portal::python
