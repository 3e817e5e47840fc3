// bindings/python/imaging_api.cpp — Session.pixels (numpy), render, thumbnail, frame (API-3).
// Only translation: decoding and access checks happen in the core.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstring>
#include <string>

#include "bindings.hpp"
#include "portal/imaging.hpp"
#include "portal/session.hpp"

namespace portal::python {

namespace {

// The stored values as a numpy array shaped (rows, columns[, 3]) for one frame or
// (frames, rows, columns[, 3]) for several.
py::array stored_array(const PixelArray& px, bool all_frames) {
  std::string code = std::string(px.is_signed ? "i" : "u") + std::to_string(px.bytes_per_sample);
  py::dtype dtype(code);
  std::vector<py::ssize_t> shape;
  if (all_frames) shape.push_back(px.frames);
  shape.push_back(px.rows);
  shape.push_back(px.columns);
  if (px.samples > 1) shape.push_back(px.samples);
  py::array out(dtype, shape);
  std::memcpy(out.mutable_data(), px.data.data(),
              std::min<std::size_t>(px.data.size(), static_cast<std::size_t>(out.nbytes())));
  return out;
}

// Stored values -> modality values (e.g. Hounsfield units): the modality LUT table when the file
// has one, else slope * value + intercept (integers stay integers when both are whole).
py::array modality_array(const PixelArray& px, py::array stored) {
  if (px.samples > 1) return stored;  // colour has no modality LUT
  py::module_ np = py::module_::import("numpy");
  if (px.modality_lut) {
    const Lut& lut = *px.modality_lut;
    py::array_t<std::uint16_t> table(static_cast<py::ssize_t>(lut.data.size()));
    std::memcpy(table.mutable_data(), lut.data.data(), lut.data.size() * sizeof(std::uint16_t));
    py::object index = np.attr("clip")(
        stored.attr("astype")("int64") - py::int_(lut.first_mapped), 0,
        static_cast<py::ssize_t>(lut.data.size()) - 1);
    return np.attr("take")(table, index);
  }
  double slope = px.rescale_slope, intercept = px.rescale_intercept;
  bool whole = slope == static_cast<std::int64_t>(slope) &&
               intercept == static_cast<std::int64_t>(intercept);
  if (whole) {
    py::object v = stored.attr("astype")("int32");
    if (slope != 1) v = v * py::int_(static_cast<std::int64_t>(slope));
    if (intercept != 0) v = v + py::int_(static_cast<std::int64_t>(intercept));
    return v;
  }
  return stored.attr("astype")("float64") * py::float_(slope) + py::float_(intercept);
}

ImageFormat parse_format(const std::string& text) {
  if (text == "png") return ImageFormat::kPng;
  if (text == "jpeg" || text == "jpg") return ImageFormat::kJpeg;
  throw Error(ErrorCode::kInvalidArgument, "format is 'jpeg' or 'png', not '" + text + "'");
}

}  // namespace

void bind_imaging(py::module_& m) {
  py::class_<FramePayload>(m, "FramePayload", "One frame as the viewer asked for it (VIEW-7).")
      .def_property_readonly("bytes", [](const FramePayload& f) { return py::bytes(f.bytes); })
      .def_readonly("media_type", &FramePayload::media_type)
      .def_readonly("transfer_syntax_uid", &FramePayload::transfer_syntax_uid)
      .def_readonly("rows", &FramePayload::rows)
      .def_readonly("columns", &FramePayload::columns)
      .def_readonly("samples", &FramePayload::samples)
      .def_readonly("bits_allocated", &FramePayload::bits_allocated)
      .def("__repr__", [](const FramePayload& f) {
        return "FramePayload(media_type='" + f.media_type + "', " + std::to_string(f.rows) + "x" +
               std::to_string(f.columns) + ", " + std::to_string(f.bytes.size()) + " bytes)";
      });

  auto session = py::reinterpret_borrow<py::class_<Session>>(m.attr("Session"));
  session
      .def(
          "pixels",
          [](const Session& s, const std::string& sop_uid, int frame, bool modality) {
            PixelArray px;
            {
              py::gil_scoped_release nogil;
              px = s.pixels(sop_uid, frame);
            }
            py::array stored = stored_array(px, frame < 0);
            return modality ? modality_array(px, stored) : stored;
          },
          py::arg("sop_uid"), py::kw_only(), py::arg("frame") = 0, py::arg("modality") = true,
          "Pixel values of one frame (frame=-1: every frame) as a numpy array shaped "
          "(rows, columns) — (frames, rows, columns) for every frame, with a last axis of 3 for "
          "colour. modality=True applies the modality LUT/rescale (e.g. Hounsfield units); "
          "False gives the stored values.")
      .def(
          "render",
          [](const Session& s, const std::string& sop_uid, int frame, py::object window,
             const std::string& preset, bool invert, int width, int height,
             const std::string& format, int quality) {
            RenderOptions o;
            o.frame = frame;
            if (!window.is_none()) {
              auto cw = window.cast<std::pair<double, double>>();
              o.window_center = cw.first;
              o.window_width = cw.second;
            }
            o.preset = parse_window_preset(preset);
            o.invert = invert;
            o.width = width;
            o.height = height;
            o.format = parse_format(format);
            o.quality = quality;
            std::string out;
            {
              py::gil_scoped_release nogil;
              out = s.render(sop_uid, o);
            }
            return py::bytes(out);
          },
          py::arg("sop_uid"), py::kw_only(), py::arg("frame") = 0, py::arg("window") = py::none(),
          py::arg("preset") = "", py::arg("invert") = false, py::arg("width") = 0,
          py::arg("height") = 0, py::arg("format") = "jpeg", py::arg("quality") = 90,
          "One frame rendered to JPEG or PNG bytes. window=(center, width) in modality units; "
          "preset: abdomen, bone, brain, lung, mediastinum; width/height fit (never enlarge).")
      .def(
          "thumbnail",
          [](const Session& s, const std::string& sop_uid, int size) {
            std::string out;
            {
              py::gil_scoped_release nogil;
              out = s.thumbnail(sop_uid, size);
            }
            return py::bytes(out);
          },
          py::arg("sop_uid"), py::kw_only(), py::arg("size") = 256,
          "A JPEG thumbnail fitting size x size, as bytes.")
      .def(
          "frame",
          [](const Session& s, const std::string& sop_uid, int frame, const std::string& transfer,
             int quality) {
            FrameTransfer t = parse_frame_transfer(transfer);
            py::gil_scoped_release nogil;
            return s.frame(sop_uid, frame, t, quality);
          },
          py::arg("sop_uid"), py::arg("frame") = 0, py::kw_only(),
          py::arg("transfer") = "as_stored", py::arg("quality") = 90,
          "One frame for a viewer: transfer 'as_stored', 'uncompressed' or 'jpeg'.");
}

}  // namespace portal::python
