// bindings/python/convert.cpp — the shared translation helpers declared in convert.hpp.
#include "convert.hpp"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>

namespace portal::python {

std::string date_text(const py::object& value, const char* name) {
  if (value.is_none()) return {};
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance(value, py::module_::import("datetime").attr("date"))) {
    return value.attr("strftime")("%Y%m%d").cast<std::string>();
  }
  throw py::type_error(std::string(name) + " must be a str (YYYYMMDD) or a datetime.date");
}

bool is_datetime(const py::handle& value) {
  return py::isinstance(value, py::module_::import("datetime").attr("datetime"));
}

std::chrono::system_clock::time_point instant(const py::handle& value, const char* name) {
  if (!is_datetime(value)) throw py::type_error(std::string(name) + " must be a datetime.datetime");
  const double seconds = value.attr("timestamp")().cast<double>();
  const auto us = static_cast<std::int64_t>(std::llround(seconds * 1e6));
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::microseconds(us)));
}

py::object utc_datetime(std::chrono::system_clock::time_point t) {
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  py::module_ dt = py::module_::import("datetime");
  py::object utc = dt.attr("timezone").attr("utc");
  // epoch + timedelta keeps every microsecond (fromtimestamp goes through a float).
  return dt.attr("datetime")(1970, 1, 1, py::arg("tzinfo") = utc) +
         dt.attr("timedelta")(py::arg("microseconds") = us);
}

}  // namespace portal::python
