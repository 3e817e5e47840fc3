#!/usr/bin/python3
"""Deterministic generator of synthetic-but-realistic DICOM studies for libportal.

Used by the C++ and Python test suites, ``make demo`` and the benchmarks.  It
only needs the standard library plus Debian's ``python3-pydicom`` (2.3) and
``python3-numpy``; run it with ``/usr/bin/python3``.

Usage::

    gen_studies.py OUT_DIR [--preset test|demo|bench] [--seed N] [--studies N]
                           [--ct-instances N] [--today YYYYMMDD]

or, from Python::

    from gen_studies import generate
    manifest = generate("/tmp/studies", preset="test", seed=1, today="20240115")

Output layout::

    OUT_DIR/manifest.json
    OUT_DIR/<PatientID>_<StudyDate>_<Accession>/S<nnn>_<MOD>/IM<nnnnn>.dcm

The same (preset, seed, studies, ct_instances, today) always produces
byte-identical files.  ``manifest.json`` records every value the tests are
expected to find in the files; see README.md next to this script for the
schema.  All the data is synthetic: the names, IDs and images describe nobody.
"""

import argparse
import datetime as dt
import json
import math
import os
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "libportal-synthetic-studies"
MANIFEST_VERSION = 1

# UIDs live under pydicom's registered root, in a sub-arc reserved for this
# generator, and are derived from hashed entropy strings rather than from
# randomness so that re-runs reproduce them exactly.
UID_PREFIX = "1.2.826.0.1.3680043.8.498.4242."
IMPLEMENTATION_UID = UID_PREFIX + "1"
IMPLEMENTATION_VERSION = "LIBPORTAL_GEN1"

SOP_CT = "1.2.840.10008.5.1.4.1.1.2"
SOP_MR = "1.2.840.10008.5.1.4.1.1.4"
SOP_CR = "1.2.840.10008.5.1.4.1.1.1"
SOP_MG = "1.2.840.10008.5.1.4.1.1.1.2"  # Digital Mammography, For Presentation
SOP_US = "1.2.840.10008.5.1.4.1.1.6.1"
SOP_US_MF = "1.2.840.10008.5.1.4.1.1.3.1"

UTF8 = "ISO_IR 192"
LATIN1 = "ISO_IR 100"
# None means "no (0008,0005)": the dataset is plain ASCII (the DICOM default).
_CODECS = {None: "ascii", LATIN1: "latin_1", UTF8: "utf_8"}

# --------------------------------------------------------------------------
# Reference tables (patients, sites, staff, protocols)
# --------------------------------------------------------------------------

# (PatientName as written, sex, age in years at --today, SpecificCharacterSet)
# The first eight are used by the scripted core studies; the rest only show
# up in bigger runs (demo preset, --studies > 12).
PATIENTS = [
    ("Müller^Zoé", "F", 54, UTF8),
    ("Lefèvre^Hélène", "F", 61, UTF8),
    ("O'Brien^Seán", "M", 38, UTF8),
    ("DUPONT^JEAN", "M", 72, UTF8),
    ("Nguyễn^Văn An", "M", 45, UTF8),
    ("Brontë^Anne", "F", 29, LATIN1),   # bytes on disk are Latin-1
    ("Dupont^Marie", "F", 67, None),     # no SpecificCharacterSet at all
    ("Martin^Paul", "M", 83, UTF8),      # shares a family name with a doctor
    ("García López^María José", "F", 47, UTF8),
    ("Ødegård^Øystein", "M", 58, UTF8),
    ("van der Berg^Anna", "F", 35, UTF8),
    ("Kowalczyk^Małgorzata", "F", 52, UTF8),
    ("Yamada^Tarou=山田^太郎=やまだ^たろう", "M", 41, UTF8),  # 3 PN groups
    ("Lefebvre^Lucas", "M", 9, UTF8),    # child; near-homonym of Lefèvre
    ("Smith^John", "M", 64, UTF8),
]


@dataclass(frozen=True)
class Site:
    key: str
    name: str
    lang: str                 # language of the descriptions: "fr" or "en"
    manufacturer: str
    models: dict              # modality -> ManufacturerModelName
    station: str
    ct_signed: bool           # CT stored as int16 (else uint16, 12 bits)
    ct_padding: bool          # outside the reconstruction circle = -2000 HU
    time_fraction: bool       # write TM as HHMMSS.ffffff
    z_offset: float           # table position added to every z coordinate
    mr_field: float


SITES = {
    "eloi": Site("eloi", "Hôpital Saint-Éloi", "fr", "SIEMENS",
                 {"CT": "SOMATOM Definition AS+", "MR": "MAGNETOM Skyra",
                  "CR": "Ysio Max", "MG": "MAMMOMAT Revelation",
                  "US": "ACUSON Sequoia"},
                 "ELOI", ct_signed=False, ct_padding=False,
                 time_fraction=False, z_offset=-412.0, mr_field=3.0),
    "lilas": Site("lilas", "Clinique des Lilas", "fr", "GE MEDICAL SYSTEMS",
                  {"CT": "Revolution EVO", "MR": "SIGNA Explorer",
                   "CR": "Definium 656", "MG": "Senographe Pristina",
                   "US": "LOGIQ E10"},
                  "LILAS", ct_signed=True, ct_padding=True,
                  time_fraction=True, z_offset=1250.5, mr_field=1.5),
    "north": Site("north", "Northside Imaging Center", "en", "Philips",
                  {"CT": "Incisive CT", "MR": "Ingenia Elition",
                   "CR": "DigitalDiagnost C90", "MG": "MammoDiagnost DR",
                   "US": "EPIQ Elite"},
                  "NORTH", ct_signed=True, ct_padding=False,
                  time_fraction=False, z_offset=0.0, mr_field=1.5),
}
SITE_KEYS = ["eloi", "lilas", "north"]

REFERRING = ["Martin^Claire", "Dubois^Étienne", "Schmidt^Jürgen",
             "Okafor^Chidi", "Garcia^Luis^^Dr."]
PERFORMING = ["Petit^Lucas", "Moreau^Inès", "Nowak^Ewa", "Jones^Sam"]
READING = ["Bernard^Sophie", "Lambert^François", "Chen^Wei", "Roussel^Anaïs"]


@dataclass(frozen=True)
class SeriesTemplate:
    kind: str                 # renderer: ct_scout, ct_axial, mr_axial, cr, mg, us, us_cine
    modality: str
    desc: dict                # lang -> SeriesDescription
    body_part: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Protocol:
    key: str
    desc: dict                # lang -> StudyDescription
    series: tuple


def _t(kind, modality, fr, en, body, **params):
    return SeriesTemplate(kind, modality, {"fr": fr, "en": en}, body, params)


_MEDIASTIN = {"fr": ["MEDIASTIN", "POUMON"], "en": ["MEDIASTINUM", "LUNG"]}

PROTOCOLS = {p.key: p for p in [
    Protocol("ct_head", {"fr": "TDM CÉRÉBRALE SANS INJECTION",
                         "en": "CT HEAD WITHOUT CONTRAST"}, (
        _t("ct_scout", "CT", "Topogramme", "Scout", "HEAD", region="head"),
        _t("ct_axial", "CT", "Cerveau 5mm", "Brain 5mm", "HEAD", region="head",
           thickness=5.0, kernel="H31s", noise=4.0, windows=[(40, 80)]),
        _t("ct_axial", "CT", "Os 1mm", "Bone 1mm", "HEAD", region="head",
           thickness=1.0, kernel="H70h", noise=30.0, windows=[(600, 2800)]),
    )),
    Protocol("ct_chest", {"fr": "TDM THORAX SANS INJECTION",
                          "en": "CT CHEST WITHOUT CONTRAST"}, (
        _t("ct_scout", "CT", "Topogramme", "Scout", "CHEST", region="chest"),
        # Two VOI windows in one element: exercises multi-valued DS.
        _t("ct_axial", "CT", "Médiastin 3mm", "Mediastinum 3mm", "CHEST",
           region="chest", thickness=3.0, kernel="B31f", noise=12.0,
           windows=[(40, 400), (-600, 1500)], explanation=_MEDIASTIN),
        _t("ct_axial", "CT", "Poumon 1mm", "Lung 1mm", "CHEST", region="chest",
           thickness=1.0, kernel="B70f", noise=35.0, windows=[(-600, 1500)]),
    )),
    Protocol("ct_abdo", {"fr": "TDM ABDOMINO-PELVIENNE AVEC INJECTION",
                         "en": "CT ABDOMEN PELVIS WITH CONTRAST"}, (
        _t("ct_scout", "CT", "Topogramme", "Scout", "ABDOMEN", region="abdo"),
        _t("ct_axial", "CT", "Sans injection 5mm", "Non-contrast 5mm",
           "ABDOMEN", region="abdo", thickness=5.0, kernel="B30f", noise=10.0,
           windows=[(40, 400)]),
        _t("ct_axial", "CT", "Temps artériel 1.25mm", "Arterial 1.25mm",
           "ABDOMEN", region="abdo", thickness=1.25, kernel="B30f",
           noise=18.0, windows=[(60, 500)], phase="arterial"),
        _t("ct_axial", "CT", "Temps portal 3mm", "Portal venous 3mm",
           "ABDOMEN", region="abdo", thickness=3.0, kernel="B30f", noise=12.0,
           windows=[(50, 400)], phase="portal"),
    )),
    Protocol("ct_tap", {"fr": "TDM THORACO-ABDOMINO-PELVIENNE",
                        "en": "CT CHEST ABDOMEN PELVIS"}, (
        _t("ct_scout", "CT", "Topogramme", "Scout", "CHEST", region="torso"),
        _t("ct_axial", "CT", "TAP portal 2mm", "CAP portal venous 2mm",
           "CHEST", region="torso", thickness=2.0, kernel="B30f", noise=12.0,
           windows=[(50, 400)], phase="portal", weight=0.5),
        _t("ct_axial", "CT", "Poumon 1mm", "Lung 1mm", "CHEST",
           region="torso", thickness=1.0, kernel="B70f", noise=35.0,
           windows=[(-600, 1500)], phase="portal", weight=0.3),
        _t("ct_axial", "CT", "Os 2mm", "Bone 2mm", "CHEST", region="torso",
           thickness=2.0, kernel="B60s", noise=25.0, windows=[(500, 2000)],
           phase="portal", weight=0.2),
    )),
    Protocol("mr_brain", {"fr": "IRM CÉRÉBRALE SANS INJECTION",
                          "en": "MRI BRAIN WITHOUT CONTRAST"}, (
        _t("mr_axial", "MR", "AX T1 SE", "AX T1 SE", "BRAIN", region="head",
           seq="T1"),
        _t("mr_axial", "MR", "AX T2 TSE", "AX T2 TSE", "BRAIN", region="head",
           seq="T2"),
        _t("mr_axial", "MR", "AX FLAIR", "AX FLAIR", "BRAIN", region="head",
           seq="FLAIR"),
        _t("mr_axial", "MR", "AX Diffusion b1000", "AX DWI b1000", "BRAIN",
           region="head", seq="DWI"),
    )),
    Protocol("mr_abdo", {"fr": "IRM HÉPATIQUE", "en": "MRI LIVER"}, (
        _t("mr_axial", "MR", "AX T2 HASTE", "AX T2 HASTE", "ABDOMEN",
           region="abdo_mr", seq="T2"),
        _t("mr_axial", "MR", "AX T1 VIBE", "AX T1 VIBE", "ABDOMEN",
           region="abdo_mr", seq="T1"),
        _t("mr_axial", "MR", "AX Diffusion b800", "AX DWI b800", "ABDOMEN",
           region="abdo_mr", seq="DWI"),
    )),
    Protocol("cr_chest", {"fr": "RADIOGRAPHIE THORACIQUE",
                          "en": "XR CHEST 2 VIEWS"}, (
        _t("cr", "CR", "Thorax face", "Chest PA", "CHEST", view="PA",
           anatomy="chest", photometric="MONOCHROME1"),
        _t("cr", "CR", "Thorax profil", "Chest lateral", "CHEST", view="LL",
           anatomy="chest", photometric="MONOCHROME1"),
    )),
    Protocol("cr_knee", {"fr": "RADIOGRAPHIE DU GENOU",
                         "en": "XR KNEE 2 VIEWS"}, (
        _t("cr", "CR", "Genou face", "Knee AP", "KNEE", view="AP",
           anatomy="knee", photometric="MONOCHROME2"),
        _t("cr", "CR", "Genou profil", "Knee lateral", "KNEE", view="LL",
           anatomy="knee", photometric="MONOCHROME2"),
    )),
    Protocol("mg_screen", {"fr": "MAMMOGRAPHIE BILATÉRALE DE DÉPISTAGE",
                           "en": "SCREENING MAMMOGRAPHY BILATERAL"}, (
        _t("mg", "MG", "Mammographie 4 incidences", "Screening 4 views",
           "BREAST"),
    )),
    # One study, two modalities: ModalitiesInStudy must be ["MG", "US"].
    Protocol("mg_us_breast", {"fr": "MAMMOGRAPHIE + ÉCHOGRAPHIE MAMMAIRE",
                              "en": "DIAGNOSTIC MAMMOGRAPHY AND BREAST US"}, (
        _t("mg", "MG", "Mammographie 4 incidences", "Diagnostic 4 views",
           "BREAST", findings=True),
        _t("us", "US", "Échographie sein droit", "Right breast US", "BREAST",
           anatomy="breast", photometric="YBR_FULL"),
    )),
    Protocol("us_abdo", {"fr": "ÉCHOGRAPHIE ABDOMINALE",
                         "en": "US ABDOMEN COMPLETE"}, (
        _t("us", "US", "Abdomen", "Abdomen", "ABDOMEN", anatomy="abdo",
           photometric="RGB"),
        _t("us_cine", "US", "Ciné foie", "Liver cine", "ABDOMEN",
           anatomy="abdo", photometric="RGB"),
    )),
]}

# The scripted studies at the head of every test/demo run.  Together they
# cover each modality, every date bucket the portal filters on, patients with
# several studies, both non-UTF-8 charsets and a multi-modality study.
# (patient index, protocol, days before --today, HHMMSS, site,
#  referring, performing, reading)  -- staff given as list indices.
CORE_STUDIES = [
    (7, "ct_head", 0, "021307", "eloi", 1, 0, 1),       # night emergency
    (0, "ct_chest", 0, "104215", "eloi", 0, 1, 0),
    (2, "mr_brain", 1, "163002", "lilas", 2, 1, 3),
    (1, "mg_us_breast", 3, "091530", "lilas", 0, 1, 3),
    (3, "ct_abdo", 5, "140045", "north", 3, 3, 2),      # English site
    (6, "cr_knee", 6, "112233", "north", 4, 2, 2),      # ASCII only
    (4, "us_abdo", 12, "083010", "eloi", 1, 0, 0),
    (5, "mr_brain", 25, "175959", "eloi", 2, 1, 1),     # Latin-1 patient
    (0, "cr_chest", 45, "080512", "eloi", 0, 0, 1),
    (3, "cr_chest", 150, "150000", "north", 4, 2, 2),      # "Dr." prefix
    (0, "ct_chest", 400, "101010", "lilas", 1, 1, 3),
    (1, "mg_screen", 760, "093000", "lilas", 2, 1, 0),
]

# Weighted protocol choice for the randomly planned studies.
EXTRA_PROTOCOLS = [("ct_chest", 3), ("ct_abdo", 3), ("ct_head", 2),
                   ("ct_tap", 2), ("mr_brain", 3), ("mr_abdo", 2),
                   ("cr_chest", 4), ("cr_knee", 2), ("mg_screen", 2),
                   ("us_abdo", 2)]
# (min days ago, max days ago, weight)
EXTRA_AGE_BUCKETS = [(0, 0, 8), (1, 1, 6), (2, 7, 20), (8, 30, 20),
                     (31, 365, 26), (366, 3000, 20)]

# Image sizes are (rows, columns).  The test sizes are deliberately tiny and
# non-square where a row/column mix-up would show.
PRESETS = {
    "test": dict(studies=12, ct=(64, 64), ct_n=(5, 5), mr=(64, 64),
                 mr_n=(4, 4), cr=(96, 80), mg=(96, 72), us=(64, 80),
                 us_n=3, cine_frames=4, zq=0.0),
    "demo": dict(studies=30, ct=(512, 512), ct_n=(14, 20), mr=(256, 256),
                 mr_n=(16, 20), cr=(2048, 1680), mg=(2048, 1664),
                 us=(480, 640), us_n=5, cine_frames=10, zq=1.0),
    # Anatomy is sampled every 3 mm and shared between series, so 2000
    # slices cost under two hundred phantom evaluations.
    "bench": dict(studies=1, ct=(512, 512), ct_n=None, mr=(256, 256),
                  mr_n=(1, 1), cr=(2048, 1680), mg=(2048, 1664),
                  us=(480, 640), us_n=1, cine_frames=1, zq=3.0),
}

# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def _ds(value):
    """Format a number as a DICOM DS (at most 16 characters)."""
    for decimals in (6, 4, 2, 0):
        text = f"{value:.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
        if len(text) <= 16:
            return text
    raise ValueError(f"cannot format {value!r} as DS")


def _fmt_time(seconds, fraction):
    seconds = min(seconds, 86399.999)
    whole = int(seconds)
    text = f"{whole // 3600:02d}{whole // 60 % 60:02d}{whole % 60:02d}"
    if fraction:
        text += f".{int(round((seconds - whole) * 1e6)) % 1000000:06d}"
    return text


def _parse_hhmmss(text):
    return int(text[0:2]) * 3600 + int(text[2:4]) * 60 + int(text[4:6])


def _age_string(birth, on):
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return f"{years:03d}Y"


def _pn_parts(pn):
    """(family, given) of the alphabetic group of a PN value."""
    comps = pn.split("=")[0].split("^")
    return comps[0], (comps[1] if len(comps) > 1 else "")


def _check_charset(text, charset, what):
    # pydicom silently substitutes unencodable characters; a wrong byte in a
    # fixture would be a miserable bug to chase, so refuse instead.
    try:
        text.encode(_CODECS[charset])
    except UnicodeEncodeError:
        raise ValueError(f"{what} {text!r} cannot be written as {charset}")


def _fits(text, charset):
    try:
        text.encode(_CODECS[charset])
        return True
    except UnicodeEncodeError:
        return False


def _split_counts(total, weights):
    """Split `total` into len(weights) parts >= 1 proportional to weights."""
    n = min(len(weights), total)
    weights = weights[:n]
    counts = [1] * n
    rest = total - n
    wsum = sum(weights)
    extra = [int(rest * w / wsum) for w in weights]
    counts = [c + e for c, e in zip(counts, extra)]
    counts[0] += total - sum(counts)
    return counts


# --------------------------------------------------------------------------
# Image synthesis primitives
# --------------------------------------------------------------------------


class Grid:
    """Pixel grid of an image plane, in patient millimetres (LPS).

    Pixel (r, c) centre is at x = x0 + c*dx, y = y0 + r*dy.
    """

    __slots__ = ("rows", "cols", "dx", "dy", "x0", "y0")

    def __init__(self, rows, cols, dx, dy, x0, y0):
        self.rows, self.cols = rows, cols
        self.dx, self.dy, self.x0, self.y0 = dx, dy, x0, y0

    @classmethod
    def centred(cls, rows, cols, fov_x, cx=0.0, cy=0.0):
        d = fov_x / cols
        return cls(rows, cols, d, d, cx - (cols - 1) * d / 2,
                   cy - (rows - 1) * d / 2)

    def key(self):
        return (self.rows, self.cols, self.dx, self.dy, self.x0, self.y0)

    def coords(self):
        x = (self.x0 + np.arange(self.cols, dtype=np.float32) * self.dx)
        y = (self.y0 + np.arange(self.rows, dtype=np.float32) * self.dy)
        return x[None, :], y[:, None]


def fill_ellipse(img, g, cx, cy, a, b, value, angle=0.0):
    """Paint an (optionally rotated) ellipse, touching only its bounding box
    so that small structures stay cheap on 512x512 slices."""
    if a <= 0 or b <= 0:
        return
    r = max(a, b)
    c0 = max(0, int(math.floor((cx - r - g.x0) / g.dx)))
    c1 = min(g.cols, int(math.ceil((cx + r - g.x0) / g.dx)) + 1)
    r0 = max(0, int(math.floor((cy - r - g.y0) / g.dy)))
    r1 = min(g.rows, int(math.ceil((cy + r - g.y0) / g.dy)) + 1)
    if c0 >= c1 or r0 >= r1:
        return
    xs = (g.x0 + np.arange(c0, c1, dtype=np.float32) * g.dx - cx)[None, :]
    ys = (g.y0 + np.arange(r0, r1, dtype=np.float32) * g.dy - cy)[:, None]
    if angle:
        ca, sa = math.cos(angle), math.sin(angle)
        u = xs * ca + ys * sa
        v = ys * ca - xs * sa
    else:
        u, v = xs, ys
    mask = (u / a) ** 2 + (v / b) ** 2 <= 1.0
    img[r0:r1, c0:c1][mask] = value


def smooth_noise(rng, shape, cell):
    """Unit-variance smooth random field with features ~`cell` pixels wide.

    Gaussian-filtered white noise (in the Fourier domain): unlike
    interpolated lattice noise it has no grid artefacts at any scale.
    """
    h, w = shape
    white = rng.standard_normal((h, w), dtype=np.float32)
    sigma = max(cell, 1.0) / 2.0
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    transfer = np.exp(-2.0 * (math.pi * sigma) ** 2 * (fx ** 2 + fy ** 2))
    out = np.fft.irfft2(np.fft.rfft2(white) * transfer, s=(h, w))
    out = out.astype(np.float32)
    out -= out.mean()
    std = float(out.std())
    return out / std if std > 0 else out


class NoiseBank:
    """A few white-noise fields; each slice takes a random window of one.

    Drawing fresh noise for 2000 slices of 512x512 would dominate the bench
    preset; shifted windows look just as random to a viewer or a codec.
    With `scale`, the fields are pre-scaled int16 so that CT slices can be
    built with integer adds only.
    """

    PAD = 24

    def __init__(self, rng, shape, n=4, scale=None):
        h, w = shape
        self.shape = shape
        self.fields = [rng.standard_normal((h + self.PAD, w + self.PAD),
                                           dtype=np.float32) for _ in range(n)]
        if scale is not None:
            self.fields = [np.rint(f * scale).astype(np.int16) for f in self.fields]

    def sample(self, rng):
        h, w = self.shape
        k = int(rng.integers(len(self.fields)))
        oy, ox = (int(v) for v in rng.integers(self.PAD, size=2))
        return self.fields[k][oy:oy + h, ox:ox + w]


class Texture:
    """Smooth tissue texture that drifts slowly with z."""

    def __init__(self, rng, shape, cell):
        self.f1 = smooth_noise(rng, shape, cell)
        self.f2 = smooth_noise(rng, shape, cell)

    def at(self, z, period=40.0):
        phi = 2 * math.pi * z / period
        return math.cos(phi) * self.f1 + math.sin(phi) * self.f2


def _bump(d, top, bottom, power=0.5):
    if d <= top or d >= bottom:
        return 0.0
    return math.sin(math.pi * (d - top) / (bottom - top)) ** power


# --------------------------------------------------------------------------
# Cross-sectional phantom: label maps
# --------------------------------------------------------------------------

(AIR, FAT, MUSCLE, SOFT, LUNG, BONE, MARROW, LIVER, SPLEEN, KIDNEY, BLOOD,
 MYOCARD, GM, WM, CSF, BOWEL, TABLE, VITREOUS, BLADDER) = range(19)
N_LABELS = 19

#                 AIR   FAT MUSC SOFT  LUNG  BONE MARR LIVR SPLN KIDN BLOOD MYO GM  WM  CSF BOWL TABL VITR BLAD
_HU_BASE = [-1000, -100, 50, 35, -840, 1100, 250, 60, 50, 35, 45, 45, 40, 28, 6, 20, 150, 8, 8]
_HU_PHASE = {
    "none": {},
    "arterial": {LIVER: 80, SPLEEN: 140, KIDNEY: 200, BLOOD: 300, MYOCARD: 120},
    "portal": {LIVER: 120, SPLEEN: 120, KIDNEY: 170, BLOOD: 160, MYOCARD: 100},
}
_HU_TEX = [0, 10, 8, 6, 35, 150, 80, 8, 6, 8, 4, 6, 3, 3, 2, 15, 20, 2, 2]

#              AIR FAT  MUSC SOFT LUNG BONE MARR LIVR SPLN KIDN BLOOD MYO GM   WM   CSF  BOWL TABL VITR BLAD
_MR_SIGNAL = {
    "T1":    [0, 1400, 500, 600, 20, 40, 1100, 700, 500, 550, 80, 500, 650, 950, 180, 300, 0, 150, 150],
    "T2":    [0, 900, 250, 500, 20, 30, 700, 300, 700, 900, 60, 300, 900, 650, 1900, 1200, 0, 1900, 2000],
    "FLAIR": [0, 800, 250, 450, 20, 30, 600, 300, 600, 700, 60, 300, 1000, 750, 120, 500, 0, 150, 200],
    "DWI":   [0, 40, 120, 200, 10, 10, 60, 200, 420, 380, 20, 150, 450, 380, 60, 150, 0, 60, 80],
}
_MR_SEQ = {  # ScanningSequence, SequenceVariant, TR, TE, TI, ETL, flip, SequenceName
    "T1": ("SE", ["SP"], 500, 10, None, 1, 90, "se2d1"),
    "T2": ("SE", ["SK", "SP"], 4000, 95, None, 15, 150, "tse2d1_15"),
    "FLAIR": (["SE", "IR"], ["SK", "SP", "MP"], 9000, 120, 2500, 16, 150, "tir2d1_16"),
    "DWI": (["EP", "SE"], ["SK", "SP"], 5000, 80, None, 1, 90, "ep_b1000t"),
}


def _torso_labels(g, depth, h, anat_seed, table):
    """Axial label map of the torso at `depth` mm below the thoracic inlet.

    Crude anatomy, but with everything a reader expects to scroll through:
    fat/muscle walls, lungs with a mediastinum, heart, great vessels, liver,
    spleen, kidneys, bowel, bladder, spine with discs, ribs, pelvis.
    """
    lab = np.zeros((g.rows, g.cols), np.uint8)
    knots = [0, 60, 250, 330, 420, 520, 600]
    A = h * float(np.interp(depth, knots, [170, 155, 150, 145, 158, 165, 160]))
    B = h * float(np.interp(depth, knots, [95, 105, 110, 115, 112, 105, 100]))
    fat = 6 + 30 * (h - 0.8)
    if table:
        fill_ellipse(lab, g, 0, B + 24, 230, 7, TABLE)
    fill_ellipse(lab, g, 0, 0, A, B, FAT)
    fill_ellipse(lab, g, 0, 0, A - fat, B - fat, MUSCLE)
    ca, cb = A - fat - 12, B - fat - 12
    fill_ellipse(lab, g, 0, 0, ca, cb, SOFT)
    yv = (B - fat) * 0.55                      # vertebral body centre
    for s in (-1, 1):
        fill_ellipse(lab, g, s * 32, yv + 30, 24, 26, MUSCLE)

    # Lungs: narrow apex, broad base, right base higher (liver).
    for s in (-1, 1):
        top, bot = 15.0, (265.0 if s < 0 else 285.0)
        if top < depth < bot:
            p = math.sqrt(min(1.0, (depth - top) / 80.0))
            p *= math.sqrt(min(1.0, (bot - depth) / 40.0))
            fill_ellipse(lab, g, s * ca * 0.48, -0.05 * B, ca * 0.42 * p,
                         cb * 0.8 * p, LUNG)
    if depth < 110:
        fill_ellipse(lab, g, 0, -0.35 * B, 11, 11, SOFT)
        fill_ellipse(lab, g, 0, -0.35 * B, 8.5, 8.5, AIR)
    elif depth < 140:
        for s in (-1, 1):
            fill_ellipse(lab, g, s * 18, -0.3 * B, 6, 6, AIR)

    hp = _bump(depth, 120, 265, 0.5)
    if hp:
        fill_ellipse(lab, g, 0.12 * A, -0.12 * B, 62 * hp * h, 50 * hp * h,
                     MYOCARD, 0.5)
        fill_ellipse(lab, g, 0.12 * A, -0.12 * B, 48 * hp * h, 36 * hp * h,
                     BLOOD, 0.5)
    if 60 <= depth < 95:
        fill_ellipse(lab, g, 10, (yv - 30 - 0.3 * B) / 2, 14,
                     (yv - 30 + 0.3 * B) / 2, BLOOD, 0.15)
    if 95 <= depth < 150:
        fill_ellipse(lab, g, 5, -0.25 * B, 15, 15, BLOOD)
    if 70 <= depth < 430:
        fill_ellipse(lab, g, 18, yv - 32, 12, 12, BLOOD)
    elif depth >= 430:
        spread = 1 + (depth - 430) / 90
        for s in (-1, 1):
            fill_ellipse(lab, g, s * 30 * spread, yv - 25, 8, 8, BLOOD)
    if 240 <= depth < 430:
        fill_ellipse(lab, g, -22, yv - 30, 12, 12, BLOOD)

    lp = min(1.0, max(0.0, (depth - 235) / 30)) * \
        max(0.0, min(1.0, (400 - depth) / 90)) ** 0.7
    if lp > 0:
        lx, ly = -0.32 * ca, -0.02 * B
        fill_ellipse(lab, g, lx, ly, 0.6 * ca * lp, 0.75 * cb * lp, LIVER, -0.2)
        for vx, vy in ((-15, -10), (10, 15), (-30, 20)):
            fill_ellipse(lab, g, lx + vx * lp, ly + vy * lp, 5 * lp, 5 * lp,
                         BLOOD)
    if 240 <= depth < 310:
        fill_ellipse(lab, g, 0.38 * ca, -0.35 * cb, 40, 28, BOWEL, 0.3)
        fill_ellipse(lab, g, 0.38 * ca, -0.35 * cb - 16, 28, 9, AIR, 0.3)
    sp = _bump(depth, 250, 345, 0.6)
    if sp:
        fill_ellipse(lab, g, 0.62 * ca, 0.35 * cb, 26 * sp, 48 * sp, SPLEEN,
                     -0.7)

    if 350 <= depth < 520:
        for (bx, by, br, bz, gas) in _bowel_loops(anat_seed):
            dz = depth - bz
            if abs(dz) < br:
                rr = math.sqrt(br * br - dz * dz)
                fill_ellipse(lab, g, bx * ca, by * cb, rr, rr, BOWEL)
                if gas:
                    fill_ellipse(lab, g, bx * ca, by * cb - rr * 0.4,
                                 rr * 0.6, rr * 0.35, AIR)
    kp = _bump(depth, 310, 415, 0.6)
    if kp:
        for s in (-1, 1):
            fill_ellipse(lab, g, s * 62 * h, yv - 4, 26 * kp, 40 * kp, KIDNEY,
                         s * 0.4)
            fill_ellipse(lab, g, s * 55 * h, yv - 8, 7 * kp, 14 * kp, FAT,
                         s * 0.4)
    bp = _bump(depth, 455, 545, 0.5)
    if bp:
        fill_ellipse(lab, g, 0, -0.35 * cb, 45 * bp, 32 * bp, BLADDER)

    # Spine: vertebra every 30 mm with a 6 mm disc; sacrum below 430 mm.
    if depth < 430:
        disc = (depth % 30.0) < 6.0
        if disc:
            fill_ellipse(lab, g, 0, yv, 19 * h, 16 * h, SOFT)
        else:
            fill_ellipse(lab, g, 0, yv, 19 * h, 16 * h, BONE)
            fill_ellipse(lab, g, 0, yv, 16 * h, 13 * h, MARROW)
            fill_ellipse(lab, g, 0, yv + 24, 14, 11, BONE)
            fill_ellipse(lab, g, 0, yv + 40, 6, 14, BONE)
        fill_ellipse(lab, g, 0, yv + 24, 9, 8, CSF)
    else:
        fill_ellipse(lab, g, 0, yv + 5, 45, 20, BONE)
        fill_ellipse(lab, g, 0, yv + 5, 41, 16, MARROW)

    if 20 <= depth < 300:
        ra, rb = ca + 4, cb + 4
        for k in range(18):
            t = k * 2 * math.pi / 18 + 0.17
            if abs(math.sin(t)) > 0.97:
                continue
            if math.cos(2 * math.pi * depth / 28 + k * 0.9) > -0.1:
                x, y = ra * math.cos(t), rb * math.sin(t)
                fill_ellipse(lab, g, x, y, 9, 4.5, BONE, t + math.pi / 2)
                fill_ellipse(lab, g, x, y, 6, 2.2, MARROW, t + math.pi / 2)
        if 40 <= depth < 200:
            fill_ellipse(lab, g, 0, -(cb + 4), 16, 6, BONE)
            fill_ellipse(lab, g, 0, -(cb + 4), 13, 3.5, MARROW)
        if 25 <= depth < 150:
            for s in (-1, 1):
                fill_ellipse(lab, g, s * 0.62 * A, 0.55 * B, 45, 5, BONE,
                             s * 0.45)
    if depth < 25:
        for s in (-1, 1):
            fill_ellipse(lab, g, s * 55, -0.55 * B, 55, 8, BONE, s * 0.15)
            fill_ellipse(lab, g, s * 55, -0.55 * B, 50, 4, MARROW, s * 0.15)
    if 400 <= depth < 485:
        for s in (-1, 1):
            fill_ellipse(lab, g, s * 75, yv - 10, 62, 13, BONE, -s * 0.6)
            fill_ellipse(lab, g, s * 75, yv - 10, 57, 8, MARROW, -s * 0.6)
    if depth >= 480:
        for s in (-1, 1):
            fill_ellipse(lab, g, s * 85, 0, 24, 24, BONE)
            fill_ellipse(lab, g, s * 85, 0, 20, 20, MARROW)
    return lab


@lru_cache(maxsize=64)
def _bowel_loops(anat_seed):
    rng = random.Random(anat_seed)
    loops = []
    for _ in range(14):
        loops.append((rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.3),
                      rng.uniform(10, 22), rng.uniform(360, 500),
                      rng.random() < 0.35))
    return tuple(loops)


def _head_labels(g, hz, h, table):
    """Axial label map of the head, `hz` mm above the skull base."""
    lab = np.zeros((g.rows, g.cols), np.uint8)
    if hz > 75:
        s = math.sqrt(max(0.0, 1 - ((hz - 75) / 105) ** 2))
    else:
        s = 0.92 + 0.08 * hz / 75
    hh = h ** 0.3
    a, b = 72 * s * hh, 92 * s * hh
    if table:
        fill_ellipse(lab, g, 0, 92 * hh + 14, 80, 6, TABLE)
    if a < 2:
        return lab
    fill_ellipse(lab, g, 0, 0, a + 5, b + 5, SOFT)
    fill_ellipse(lab, g, 0, 0, a, b, BONE)
    fill_ellipse(lab, g, 0, 0, a - 2.2, b - 2.2, MARROW)
    fill_ellipse(lab, g, 0, 0, a - 4.5, b - 4.5, BONE)
    ia, ib = a - 6, b - 6
    fill_ellipse(lab, g, 0, 0, ia, ib, CSF)
    if hz < 50:
        fill_ellipse(lab, g, 0, 0.1 * ib, ia - 1.5, ib * 0.9 - 1.5, GM)
        if 15 <= hz < 45:
            for sx in (-1, 1):
                fill_ellipse(lab, g, sx * 30, -0.72 * b, 17, 17, FAT)
                fill_ellipse(lab, g, sx * 30, -0.72 * b, 11.5, 11.5, VITREOUS)
            fill_ellipse(lab, g, 0, -0.62 * b, 10, 16, AIR)
        if 15 <= hz < 40:
            for sx in (-1, 1):
                fill_ellipse(lab, g, sx * 42, 0.05 * b, 28, 7, BONE, sx * 0.6)
        fill_ellipse(lab, g, 0, 0.45 * ib, 0.55 * ia, 0.4 * ib, GM)
        fill_ellipse(lab, g, 0, 0.45 * ib, 0.3 * ia, 0.2 * ib, WM)
        fill_ellipse(lab, g, 0, 0.05 * ib, 13, 12, WM)
        if 25 <= hz < 50:
            fill_ellipse(lab, g, 0, 0.2 * ib, 5, 4, CSF)
    else:
        fill_ellipse(lab, g, 0, 0, ia - 1.5, ib - 1.5, GM)
        fill_ellipse(lab, g, 0, 0, (ia - 1.5) * 0.78, (ib - 1.5) * 0.8, WM)
        fill_ellipse(lab, g, 0, -0.55 * ib, 1.2, 0.38 * ib, CSF)
        fill_ellipse(lab, g, 0, 0.6 * ib, 1.2, 0.33 * ib, CSF)
        if 60 <= hz < 80:
            fill_ellipse(lab, g, 0, 0, 2.5, 10, CSF)
            for sx in (-1, 1):
                fill_ellipse(lab, g, sx * 20, -8, 9, 14, GM)
        vp = _bump(hz, 70, 130, 0.7)
        if vp:
            for sx in (-1, 1):
                fill_ellipse(lab, g, sx * 10, -6, 6 * vp, 28 * vp, CSF,
                             sx * 0.1)
                fill_ellipse(lab, g, sx * 14, 28, 4 * vp, 8 * vp, CSF)
    return lab


@lru_cache(maxsize=512)
def _labels(region, gkey, zq, habitus, anat_seed, table):
    g = Grid(*gkey)
    if region == "head":
        lab = _head_labels(g, zq, habitus, table)
    else:
        lab = _torso_labels(g, zq, habitus, anat_seed, table)
    lab.setflags(write=False)   # shared through the cache
    return lab


# Anatomical coordinate ranges scanned by each region: (start, end) in
# "anatomy z" -- mm above the skull base for the head, mm below the thoracic
# inlet (depth) for the torso.
REGION_RANGE = {"head": (8.0, 150.0), "chest": (10.0, 300.0),
                "abdo": (220.0, 530.0), "torso": (10.0, 530.0),
                "abdo_mr": (230.0, 420.0)}
REGION_FOV = {"head": 250.0, "chest": 380.0, "abdo": 400.0, "torso": 420.0,
              "abdo_mr": 380.0}


def _patient_z(region, anat_z):
    """Anatomy coordinate -> patient z (LPS, +z = head)."""
    if region == "head":
        return 80.0 + anat_z
    return -anat_z


# --------------------------------------------------------------------------
# Projection phantoms (radiographs and CT localizers)
# --------------------------------------------------------------------------


def _chord(u, v, cu, cv, a, b):
    """Normalised path length through an ellipse (0..1)."""
    return np.sqrt(np.clip(1 - ((u - cu) / a) ** 2 - ((v - cv) / b) ** 2, 0, None))


def _band(dist, half):
    return np.sqrt(np.clip(1 - (dist / half) ** 2, 0, None))


def torso_projection(u, v, lateral=False, h=1.0):
    """Attenuation line integrals for a frontal (or lateral) torso view.

    u: horizontal mm from the midline; v: mm below the thoracic inlet.
    """
    if lateral:
        w = h * np.interp(v, [-80, 0, 60, 300, 560], [60, 90, 105, 110, 110])
    else:
        w = h * np.interp(v, [-80, -10, 30, 90, 300, 420, 560],
                          [55, 60, 150, 170, 150, 160, 165])
    body = _band(u, w)
    att = 4.0 * body
    if not lateral:
        lungs = np.zeros_like(att)
        for s, bot in ((-1, 290.0), (1, 305.0)):
            cu = s * 70 * h
            dome = bot - 0.012 * (u - cu) ** 2
            inside = (v > 45) & (v < dome)
            shape = _band(u - cu, 58 * h) * np.sqrt(np.clip((v - 45) / 60, 0, 1))
            lungs += np.where(inside, shape, 0)
        heart = _chord(u, v, 22 * h, 245, 72 * h, 62)
        att -= 2.6 * lungs * (1 - heart)
        att += 0.6 * heart
        spine = _band(u, 22) * (1.0 + 0.25 * np.cos(2 * np.pi * v / 30))
        att += 1.4 * np.where(v > -60, spine, 0)
        for k in range(10):
            v0 = 70 + k * 24
            rib = _band(v - (v0 + 0.0022 * u ** 2), 4.5)
            rib *= (np.abs(u) > 15) & (np.abs(u) < 0.93 * w)
            att += 0.8 * rib
            ant = _band(v - (v0 + 45 - 0.0015 * (np.abs(u) - 150) ** 2), 5)
            ant *= (np.abs(u) > 30) & (np.abs(u) < 0.85 * w)
            att += 0.35 * ant
        clav = _band(v - (50 + 0.09 * np.abs(u)), 6) * \
            ((np.abs(u) > 15) & (np.abs(u) < 150 * h))
        att += 1.0 * clav
        scap = _chord(np.abs(u), v, 135 * h, 140, 35, 70)
        att += 0.4 * scap
        # Pelvis: iliac wings, sacrum, femoral heads; bowel gas.
        for s in (-1, 1):
            att += 1.1 * _band(np.hypot(u - s * 95 * h, v - 470) - 55, 6) * (v < 490)
            att += 1.2 * _chord(u, v, s * 90 * h, 555, 24, 24)
        att += 0.8 * _chord(u, v, 0, 470, 45, 55)
        for (bu, bv, br) in ((-40, 380, 22), (30, 410, 18), (55, 350, 15),
                             (-20, 450, 16), (60, 300, 20)):
            att -= 1.0 * _chord(u, v, bu * h, bv, br, br)
    else:
        lung = _chord(u, v, -5, 175, 70 * h, 125)
        att -= 2.4 * lung * (1 - _chord(u, v, -35 * h, 245, 55 * h, 60))
        spine = _band(u - 70 * h, 18) * (1.0 + 0.3 * np.cos(2 * np.pi * v / 30))
        att += 1.6 * np.where(v > -60, spine, 0)
        att += 0.7 * _band(u + 95 * h, 6) * ((v > 40) & (v < 200))
    att = np.where(body > 0, att, 0)
    return np.clip(att, 0, None)


def head_projection(u, v, h=1.0):
    """Frontal skull view; v is mm below the vertex."""
    skull = _chord(u, v, 0, 95, 75 * h, 95)
    inner = _chord(u, v, 0, 95, 69 * h, 89)
    att = 3.0 * skull + 2.5 * np.clip(skull - inner, 0, None) * 6
    for s in (-1, 1):
        att -= 1.0 * _chord(u, v, s * 30, 125, 17, 15)     # orbits
    att += 1.5 * _band(np.hypot(u, (v - 150) * 1.3) - 60, 5) * (v > 150)
    neck = _band(u, 45) * (v > 175)
    att = np.where(v > 175, 3.0 * neck + 1.5 * _band(u, 15) * (v > 175), att)
    return np.clip(att, 0, None)


def knee_projection(u, v, lateral=False):
    """Knee radiograph; u horizontal mm from the leg axis, v mm from top."""
    w = np.interp(v, [0, 120, 240], [62, 52, 44])
    soft = _band(u, w)
    att = 2.2 * soft
    if not lateral:
        fw = 14 + np.clip(v - 70, 0, 35) * 0.8
        fbot = 120 - 0.004 * u ** 2 + 6 * np.exp(-(u / 8) ** 2)
        femur = (v < fbot) * _band(u, fw)
        tw = np.interp(v, [128, 160, 240], [40, 22, 16])
        ttop = 128 + 0.003 * u ** 2 - 4 * np.exp(-(u / 6) ** 2)
        tibia = (v > ttop) * _band(u, tw)
        fib = (v > 142) * _band(u - 36, 7)
        patella = _chord(u, v, 0, 100, 22, 25)
        att += 1.4 * femur + 1.2 * tibia + 0.9 * fib + 0.5 * patella
        cortex = (v < fbot) * np.exp(-((np.abs(u) - fw) / 2.5) ** 2)
        cortex += (v > ttop) * np.exp(-((np.abs(u) - tw) / 2.5) ** 2)
        att += 0.8 * cortex
    else:
        femur = (v < 100) * _band(u, 15) + _chord(u, v, 5, 105, 32, 30)
        ttop = 135 + 0.002 * u ** 2
        tibia = (v > ttop) * _band(u - 5, np.interp(v, [135, 180, 240], [36, 20, 16]))
        patella = _chord(u, v, -45, 92, 10, 22)
        att += 1.4 * np.clip(femur, 0, 1) + 1.2 * tibia + 1.0 * patella
    return np.where(soft > 0, att, 0)


def _projection_for(region, u, v, lateral, h):
    if region == "head":
        return head_projection(u, v, h)
    if region == "knee":
        return knee_projection(u, v, lateral)
    return torso_projection(u, v, lateral, h)


# --------------------------------------------------------------------------
# Renderers.  Each yields (pixel ndarray, per-instance attributes).
# --------------------------------------------------------------------------


@dataclass
class RenderCtx:
    site: Site
    habitus: float
    anat_seed: int
    zq: float
    rng: np.random.Generator


def _window_from(values, lo=1.0, hi=99.5):
    p_lo, p_hi = np.percentile(values, [lo, hi])
    width = max(float(p_hi - p_lo), 10.0)
    return [(float(p_lo + p_hi) / 2, width)]


def _ct_stored(hu, site, outside=None):
    stored = np.rint(hu + 1024.0)
    if site.ct_signed:
        stored = np.clip(stored, -32768, 32767).astype(np.int16)
        if outside is not None:
            stored[outside] = -976             # -2000 HU padding
        return stored
    return np.clip(stored, 0, 4095).astype(np.uint16)


def render_ct_axial(ctx, sp):
    p = sp.params
    rows, cols = p["size"]
    region = p["region"]
    g = Grid.centred(rows, cols, REGION_FOV[region])
    hu_lut = np.array(_HU_BASE, np.float32)
    for lab_id, val in _HU_PHASE[p.get("phase", "none")].items():
        hu_lut[lab_id] = val
    tex_lut = np.array(_HU_TEX, np.float32)
    tex = Texture(ctx.rng, (rows, cols), 6.0 / g.dx)
    bank = NoiseBank(ctx.rng, (rows, cols), scale=p["noise"])
    outside = None
    if ctx.site.ct_padding:
        x, y = g.coords()
        outside = (x ** 2 + y ** 2) > (REGION_FOV[region] / 2) ** 2
    clean_cache = {}
    for anat_z in p["positions"]:
        zq = round(anat_z / ctx.zq) * ctx.zq if ctx.zq else anat_z
        clean = clean_cache.get(zq)
        if clean is None:
            lab = _labels("head" if region == "head" else "torso", g.key(),
                          zq, ctx.habitus, ctx.anat_seed, True)
            t = tex.at(zq)
            hu = hu_lut[lab] + tex_lut[lab] * t
            # Lung vessels: bright specks where the texture peaks.
            lung = lab == LUNG
            hu[lung] += 600.0 * np.clip(t[lung] - 1.4, 0, 1)
            # Noise-free stored values; the margin keeps int16 adds from wrapping.
            clean = np.clip(np.rint(hu + 1024.0), -30000, 30000).astype(np.int16)
            if ctx.zq:
                clean_cache[zq] = clean
        stored = clean + bank.sample(ctx.rng)
        if not ctx.site.ct_signed:
            np.clip(stored, 0, 4095, out=stored)
            stored = stored.view(np.uint16)
        elif outside is not None:
            stored[outside] = -976                  # -2000 HU padding
        yield stored, _axial_geometry(ctx, sp, g, anat_z)


def _axial_geometry(ctx, sp, g, anat_z):
    z = _patient_z(sp.params["region"], anat_z) + ctx.site.z_offset
    return {
        "ImagePositionPatient": [_ds(g.x0), _ds(g.y0), _ds(z)],
        "SliceLocation": _ds(z),
    }


def render_ct_scout(ctx, sp):
    p = sp.params
    rows, cols = p["size"]
    region = p["region"]
    if region == "head":
        width, v_top, height = 300.0, -20.0, 300.0
    else:
        lo, hi = REGION_RANGE[region]
        height = max(hi - lo + 80.0, 420.0)
        width = 500.0
        v_top = (lo + hi) / 2 - height / 2
    du, dv = width / cols, height / rows
    u = (-(cols - 1) * du / 2 + np.arange(cols, dtype=np.float32) * du)[None, :]
    v = (v_top + np.arange(rows, dtype=np.float32) * dv)[:, None]
    att = _projection_for(region, u, v, False, ctx.habitus)
    hu = -1000.0 + 260.0 * att + 8.0 * ctx.rng.standard_normal(att.shape, dtype=np.float32)
    stored = _ct_stored(hu, ctx.site)
    sp.params["windows"] = _window_from(hu)
    if region == "head":
        z_top = 80.0 + 180.0 - v_top      # v measured from the vertex
    else:
        z_top = -v_top
    z_top += ctx.site.z_offset
    geo = {"ImagePositionPatient": [_ds(u[0, 0]), "0", _ds(z_top)],
           "PixelSpacing": [_ds(dv), _ds(du)]}
    yield stored, geo


def render_mr_axial(ctx, sp):
    p = sp.params
    rows, cols = p["size"]
    region = p["region"]
    fov = 230.0 if region == "head" else REGION_FOV[region]
    g = Grid.centred(rows, cols, fov)
    lut = np.array(_MR_SIGNAL[p["seq"]], np.float32)
    tex = Texture(ctx.rng, (rows, cols), 5.0 / g.dx)
    bias = 1.0 + 0.12 * smooth_noise(ctx.rng, (rows, cols), rows / 3)
    bank = NoiseBank(ctx.rng, (rows, cols))
    sigma = 45.0 if p["seq"] == "DWI" else 25.0
    anat_region = "head" if region == "head" else "torso"
    for anat_z in p["positions"]:
        zq = round(anat_z / ctx.zq) * ctx.zq if ctx.zq else anat_z
        lab = _labels(anat_region, g.key(), zq, ctx.habitus, ctx.anat_seed,
                      False)
        sig = lut[lab] * bias * (1.0 + 0.06 * tex.at(zq))
        # Magnitude images have Rician noise: |signal + complex noise|.
        n1, n2 = bank.sample(ctx.rng), bank.sample(ctx.rng)
        mag = np.sqrt((sig + sigma * n1) ** 2 + (sigma * n2) ** 2)
        stored = np.clip(np.rint(mag), 0, 4095).astype(np.uint16)
        yield stored, _axial_geometry(ctx, sp, g, anat_z)


def render_cr(ctx, sp):
    p = sp.params
    rows, cols = p["size"]
    anatomy = p["anatomy"]
    lateral = p["view"] == "LL"
    if anatomy == "chest":
        height, v_top = 430.0, -20.0
    else:
        height, v_top = 240.0, 0.0
    px = height / rows
    u = (-(cols - 1) * px / 2 + np.arange(cols, dtype=np.float32) * px)[None, :]
    v = (v_top + np.arange(rows, dtype=np.float32) * px)[:, None]
    region = "torso" if anatomy == "chest" else "knee"
    att = _projection_for(region, u, v, lateral, ctx.habitus)
    # "For presentation" look: log-compressed, direct exposure dark,
    # unexposed collimator border bright, lead side marker.
    val = 3600.0 * (1 - np.exp(-0.42 * att)) + 120.0
    val += 25.0 * ctx.rng.standard_normal(val.shape, dtype=np.float32)
    border = max(2, rows // 40)
    val[:border, :] = val[-border:, :] = 3950.0
    val[:, :border] = val[:, -border:] = 3950.0
    m = max(2, rows // 30)
    val[2 * border:2 * border + m, 2 * border:2 * border + m] = 4000.0
    stored = np.clip(np.rint(val), 0, 4095)
    if p["photometric"] == "MONOCHROME1":
        stored = 4095 - stored
    stored = stored.astype(np.uint16)
    sp.params["windows"] = _window_from(stored[border:-border, border:-border], 2, 98)
    orient = {"PA": ["L", "F"], "AP": ["L", "F"], "LL": ["A", "F"]}[p["view"]]
    yield stored, {"PixelSpacing": [_ds(px), _ds(px)],
                   "ImagerPixelSpacing": [_ds(px), _ds(px)],
                   "PatientOrientation": orient}


MG_VIEWS = [("R", "CC"), ("L", "CC"), ("R", "MLO"), ("L", "MLO")]
_MG_ORIENT = {("R", "CC"): ["P", "L"], ("L", "CC"): ["A", "R"],
              ("R", "MLO"): ["P", "FL"], ("L", "MLO"): ["A", "FR"]}
_MG_VIEW_CODE = {"CC": ("R-10242", "cranio-caudal"),
                 "MLO": ("R-10226", "medio-lateral oblique")}


def _code_item(value, scheme, meaning):
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    item.CodeMeaning = meaning
    return item


def render_mg(ctx, sp):
    p = sp.params
    rows, cols = p["size"]
    px = 204.8 / rows                       # 0.1 mm at full size
    x = (np.arange(cols, dtype=np.float32) * px)[None, :]   # from chest wall
    y = ((np.arange(rows, dtype=np.float32) - rows / 2) * px)[:, None]
    H, D = rows * px * 0.42, cols * px * 0.72
    # Fibroglandular pattern: a few octaves, from ducts to lobes.
    fib = (0.5 * smooth_noise(ctx.rng, (rows, cols), 1.5 / px)
           + 0.8 * smooth_noise(ctx.rng, (rows, cols), 5.0 / px)
           + 0.7 * smooth_noise(ctx.rng, (rows, cols), 15.0 / px))
    for lat, view in MG_VIEWS:
        if view == "CC":
            yc = 0.0
            yn = y / H
        else:
            # MLO: the breast reaches up into the axilla.
            yc = -0.08 * rows * px
            yn = np.where(y < yc, (y - yc) / (0.62 * rows * px), (y - yc) / H)
        xb = D * np.clip(1 - yn ** 2, 0, None) ** 0.4       # skin line
        inside = x <= xb
        t = np.sqrt(np.clip((xb - x) / (0.12 * D), 0, 1))   # thinner at edge
        dense_w = np.exp(-((x - 0.45 * D) / (0.35 * D)) ** 2 - (y / (0.6 * H)) ** 2)
        dense = 1 / (1 + np.exp(-1.3 * (fib + 1.5 * dense_w - 0.9)))
        val = np.where(inside, 2600 + 2600 * dense * t + 1400 * t, 300.0)
        val += np.where(inside & ((xb - x) < 1.5), 800, 0)
        if view == "MLO":
            pect = x < 0.35 * D * (1 - (y + rows * px / 2) / (0.6 * rows * px))
            val = np.where(pect & inside, val + 2500, val)
        val = np.where((x - D) ** 2 + (y - yc) ** 2 < 16.0, 5000, val)  # nipple
        if p.get("findings") and lat == "R":
            # A small mass and a cluster of micro-calcifications.
            mass = np.exp(-(((x - 0.5 * D) / 6) ** 2 + ((y - 0.15 * H) / 4.5) ** 2))
            val += 1800 * mass
            crng = random.Random(ctx.anat_seed)
            for _ in range(7):
                cx = 0.55 * D + crng.uniform(-4, 4)
                cy = -0.2 * H + crng.uniform(-4, 4)
                val = np.where((x - cx) ** 2 + (y - cy) ** 2 < max(0.35, px) ** 2,
                               9000, val)
        val += 40.0 * ctx.rng.standard_normal(val.shape, dtype=np.float32)
        stored = np.clip(np.rint(val), 0, 16383).astype(np.uint16)
        if lat == "R":
            stored = stored[:, ::-1]            # chest wall on the right
        code, meaning = _MG_VIEW_CODE[view]
        yield np.ascontiguousarray(stored), {
            "ImageLaterality": lat,
            "ViewPosition": view,
            "PatientOrientation": _MG_ORIENT[(lat, view)],
            "ViewCodeSequence": Sequence([_code_item(code, "SRT", meaning)]),
            "PixelSpacing": [_ds(px), _ds(px)],
            "ImagerPixelSpacing": [_ds(px), _ds(px)],
        }


def _rgb_to_ybr_full(rgb):
    r, g, b = (rgb[..., i].astype(np.float32) for i in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
    return np.clip(np.rint(np.stack([y, cb, cr], -1)), 0, 255).astype(np.uint8)


def _us_image(ctx, rows, cols, anatomy, index, phase=0.0, doppler=False):
    """One 8-bit RGB ultrasound frame plus its physical pixel size (mm)."""
    rng = ctx.rng
    if anatomy == "breast":
        depth = 40.0
        px = depth / (rows * 0.92)
        top = rows * 0.04
        x = ((np.arange(cols, dtype=np.float32) - cols / 2) * px)[None, :]
        d = ((np.arange(rows, dtype=np.float32) - top) * px)[:, None]
        sector = (d >= 0) & (np.abs(x) < cols * px * 0.4) & (d < depth)
        fibro = smooth_noise(rng, (rows, cols), 3.0 / px)
        e = np.where(d < 2, 0.9, 0.25 + 0.08 * fibro)
        e = np.where((d > 12) & (d < 28), 0.6 + 0.15 * fibro, e)
        e = np.where((d >= 33) & (d < depth), 0.4 + 0.1 * np.sin(d * 2.5), e)
        mx = 5.0 - 3.0 * index
        mass = ((x - mx) / 8) ** 2 + ((d - 18) / 5) ** 2 < 1
        e = np.where(mass, 0.05, e)
        e = np.where((np.abs(x - mx) < 7) & (d > 23), e * 0.5, e)
    else:
        depth = 160.0
        px = depth / (rows * 0.88)
        top = rows * 0.05
        apex = 30.0
        x = ((np.arange(cols, dtype=np.float32) - cols / 2) * px)[None, :]
        y = ((np.arange(rows, dtype=np.float32) - top) * px)[:, None] + apex
        rho = np.sqrt(x ** 2 + y ** 2)
        theta = np.arctan2(x, y)
        d = rho - apex
        sector = (d >= 0) & (d < depth) & (np.abs(theta) < 0.55)
        shift = 8.0 * index + 2.0 * math.sin(2 * math.pi * phase)
        xs = x - shift
        e = np.where(d < 12, 0.7, np.where(d < 25, 0.35, 0.5))
        e = e + 0.05 * smooth_noise(rng, (rows, cols), 4.0 / px)
        gb = ((xs + 20) / 22) ** 2 + ((y - 105) / 14) ** 2 < 1
        e = np.where(gb, 0.02, e)
        e = np.where((np.abs(xs + 20) < 18) & (y > 119), e * 1.4, e)
        vr = 7.0 * (1 + 0.15 * math.sin(2 * math.pi * phase))
        vessel_d = np.sqrt((xs - 15) ** 2 + (y - 125) ** 2)
        e = np.where(np.abs(vessel_d - vr) < 1.0, 0.9, e)
        vessel = vessel_d < vr
        e = np.where(vessel, 0.03, e)
        if index % 3 == 1:
            kid = ((xs - 10) / 45) ** 2 + ((y - 140) / 22) ** 2 < 1
            sinus = ((xs - 10) / 25) ** 2 + ((y - 140) / 8) ** 2 < 1
            e = np.where(kid, 0.35, e)
            e = np.where(sinus, 0.9, e)
        dia = np.abs(d - (140 + 0.002 * xs ** 2))
        e = np.where(dia < 1.5, 1.0, np.where(d > 141.5 + 0.002 * xs ** 2, 0.1, e))
    # Speckle: Rayleigh amplitude, stretched laterally like a real beam.
    n1 = rng.standard_normal((rows, cols), dtype=np.float32)
    n2 = rng.standard_normal((rows, cols), dtype=np.float32)
    speckle = np.sqrt(n1 ** 2 + n2 ** 2) / 1.25
    speckle = 0.5 * (speckle + np.roll(speckle, 1, axis=1))
    tgc = 1.0 - 0.3 * np.clip(d / depth, 0, 1)
    inten = np.clip(e, 0, None) * speckle * tgc
    gray = 255.0 * np.log1p(20 * inten) / math.log1p(30.0)
    gray = np.where(sector, np.clip(gray, 0, 255), 0).astype(np.uint8)
    rgb = np.repeat(gray[..., None], 3, axis=2)
    # Yellow depth ticks every centimetre down the right-hand margin.
    c0, c1 = int(cols * 0.93), int(cols * 0.96)
    for cm in range(0, int(depth / 10) + 1):
        r = int(round(top + cm * 10 / px))
        if 0 <= r < rows:
            rgb[r, c0:c1] = (230, 200, 40)
    if doppler and anatomy != "breast":
        box = (np.abs(xs - 15) < 20) & (np.abs(y - 125) < 18) & sector
        edge = box & ~((np.abs(xs - 15) < 19) & (np.abs(y - 125) < 17))
        rgb[edge] = (200, 200, 200)
        red = vessel & (y < 125)
        blue = vessel & (y >= 125)
        rgb[red] = (210, 40, 30)
        rgb[blue] = (40, 80, 220)
    return rgb, px


def _us_region(rows, cols, px_mm):
    item = Dataset()
    item.RegionSpatialFormat = 1
    item.RegionDataType = 1
    item.RegionFlags = 0
    item.RegionLocationMinX0 = 0
    item.RegionLocationMinY0 = 0
    item.RegionLocationMaxX1 = cols - 1
    item.RegionLocationMaxY1 = rows - 1
    item.PhysicalUnitsXDirection = 3           # cm
    item.PhysicalUnitsYDirection = 3
    item.PhysicalDeltaX = round(px_mm / 10.0, 6)
    item.PhysicalDeltaY = round(px_mm / 10.0, 6)
    return Sequence([item])


def _us_pixels(rgb, photometric):
    return _rgb_to_ybr_full(rgb) if photometric == "YBR_FULL" else rgb


def render_us(ctx, sp):
    p = sp.params
    rows, cols = p["size"]
    for i in range(sp.count):
        doppler = p["anatomy"] == "abdo" and i % 3 == 2
        rgb, px = _us_image(ctx, rows, cols, p["anatomy"], i, doppler=doppler)
        yield _us_pixels(rgb, p["photometric"]), {
            "SequenceOfUltrasoundRegions": _us_region(rows, cols, px)}


def render_us_cine(ctx, sp):
    p = sp.params
    rows, cols = p["size"]
    frames = []
    for f in range(sp.frames):
        rgb, px = _us_image(ctx, rows, cols, p["anatomy"], 0,
                            phase=f / sp.frames)
        frames.append(_us_pixels(rgb, p["photometric"]))
    yield np.stack(frames), {
        "SequenceOfUltrasoundRegions": _us_region(rows, cols, px)}


RENDERERS = {"ct_axial": render_ct_axial, "ct_scout": render_ct_scout,
             "mr_axial": render_mr_axial, "cr": render_cr, "mg": render_mg,
             "us": render_us, "us_cine": render_us_cine}

# --------------------------------------------------------------------------
# Planning: who, what, when -- all metadata decided before any pixel exists
# --------------------------------------------------------------------------


@dataclass
class Patient:
    index: int
    pn: str
    family: str
    given: str
    sex: str
    birth: dt.date
    charset: object
    patient_id: str
    habitus: float
    anat_seed: int


@dataclass
class SeriesPlan:
    number: int
    kind: str
    modality: str
    description: str
    body_part: str
    count: int
    frames: int
    uid: str
    start: float              # seconds after midnight
    params: dict


@dataclass
class StudyPlan:
    index: int
    patient: Patient
    protocol: str
    site: Site
    date: dt.date
    start: float
    uid: str
    frame_of_reference: str
    referring: str
    performing: str
    reading: str
    description: str
    series: list
    days_ago: int
    accession: str = ""
    study_id: str = ""
    laterality: str = ""


class UidFactory:
    def __init__(self, *context):
        self.base = "libportal-gen/v1/" + "/".join(str(c) for c in context)

    def __call__(self, *parts):
        return generate_uid(UID_PREFIX, [self.base + "/" + "/".join(str(p) for p in parts)])


def _make_patients(rng, today):
    patients = []
    used_ids = set()
    for i, (pn, sex, age, charset) in enumerate(PATIENTS):
        family, given = _pn_parts(pn)
        birth = today - dt.timedelta(days=int(age * 365.25) + rng.randint(0, 364))
        while True:
            # Every third ID has leading zeros: IDs are strings, not numbers.
            n = rng.randint(0, 9_999_999) if i % 3 == 0 else \
                rng.randint(10_000_000, 99_999_999)
            pid = f"{n:08d}"
            if pid not in used_ids:
                used_ids.add(pid)
                break
        patients.append(Patient(i, pn, family, given, sex, birth, charset, pid,
                                round(rng.uniform(0.88, 1.12), 3),
                                rng.randint(0, 2**31 - 1)))
    return patients


def _axial_positions(region, count, rng, jitter=True):
    lo, hi = REGION_RANGE[region]
    if jitter:
        shrink = rng.uniform(0.0, 0.08) * (hi - lo)
        lo, hi = lo + shrink / 2, hi - shrink / 2
    if count == 1:
        return [round((lo + hi) / 2, 2)]
    step = (hi - lo) / (count - 1)
    # Increasing anatomy z: the head is scanned caudal -> cranial (patient z
    # grows with InstanceNumber), the torso cranial -> caudal (z shrinks).
    return [round(lo + i * step, 2) for i in range(count)]


def _plan_series(study_index, proto, site, cfg, rng, uids, start, bench_n=None):
    lang = site.lang
    series = []
    t = start + rng.randint(20, 90)
    templates = list(proto.series)
    counts = None
    if bench_n is not None:
        # Exact instance budget: one localizer, the rest split by weight.
        weights = [tpl.params.get("weight", 0.1) for tpl in templates[1:]]
        counts = [1] + (_split_counts(bench_n - 1, weights) if bench_n > 1 else [])
        templates = templates[:len(counts)]
    for k, tpl in enumerate(templates):
        number = k + 1
        params = dict(tpl.params)
        frames = 1
        if tpl.kind == "ct_scout":
            count = 1
            params["size"] = cfg["ct"]
        elif tpl.kind == "ct_axial":
            count = counts[k] if counts else rng.randint(*cfg["ct_n"])
            params["size"] = cfg["ct"]
            params["positions"] = _axial_positions(params["region"], count, rng,
                                                   jitter=counts is None)
            if counts:
                lo, hi = REGION_RANGE[params["region"]]
                params["thickness"] = round(max(0.5, (hi - lo) / max(count, 1)), 3)
        elif tpl.kind == "mr_axial":
            count = rng.randint(*cfg["mr_n"])
            params["size"] = cfg["mr"]
            params["positions"] = _axial_positions(params["region"], count, rng)
            params["thickness"] = 5.0 if params["region"] == "head" else 6.0
        elif tpl.kind == "cr":
            count = 1
            params["size"] = cfg["cr"]
        elif tpl.kind == "mg":
            count = len(MG_VIEWS)
            params["size"] = cfg["mg"]
        elif tpl.kind == "us":
            count = cfg["us_n"]
            params["size"] = cfg["us"]
        elif tpl.kind == "us_cine":
            count = 1
            frames = cfg["cine_frames"]
            params["size"] = cfg["us"]
        else:
            raise AssertionError(tpl.kind)
        if "explanation" in params:
            params["explanation"] = params["explanation"][lang]
        series.append(SeriesPlan(number, tpl.kind, tpl.modality, tpl.desc[lang],
                                 tpl.body_part, count, frames,
                                 uids("series", study_index, number), t, params))
        t += rng.randint(45, 400)
    return series


def _pick_staff(names, charset, index):
    ok = [n for n in names if _fits(n, charset)]
    return ok[index % len(ok)]


def plan(preset, seed, n_studies, ct_instances, today):
    cfg = PRESETS[preset]
    rng = random.Random(f"{seed}/plan")
    context = [preset, seed, today.strftime("%Y%m%d")]
    if preset == "bench":
        context.append(ct_instances)
    uids = UidFactory(*context)
    patients = _make_patients(rng, today)
    studies = []

    def add(patient, proto_key, days_ago, hhmmss, site_key, ref, perf, read,
            bench_n=None):
        i = len(studies)
        site = SITES[site_key]
        proto = PROTOCOLS[proto_key]
        cs = patient.charset
        start = float(_parse_hhmmss(hhmmss))
        if site.time_fraction:
            start += rng.randint(0, 999) / 1000.0
        series = _plan_series(i, proto, site, cfg, rng, uids, start, bench_n)
        study = StudyPlan(
            index=i, patient=patient, protocol=proto_key, site=site,
            date=today - dt.timedelta(days=days_ago), start=start,
            uid=uids("study", i), frame_of_reference=uids("for", i),
            referring=_pick_staff(REFERRING, cs, ref),
            performing=_pick_staff(PERFORMING, cs, perf),
            reading=_pick_staff(READING, cs, read),
            description=proto.desc[site.lang], series=series,
            days_ago=days_ago,
            laterality=("R", "L")[i % 2] if proto_key == "cr_knee" else "")
        for text, what in ((patient.pn, "PatientName"),
                           (site.name, "InstitutionName"),
                           (study.description, "StudyDescription"),
                           *((s.description, "SeriesDescription") for s in series)):
            _check_charset(text, cs, what)
        studies.append(study)

    if preset == "bench":
        add(patients[0], "ct_tap", 0, "090000", "eloi", 0, 0, 0,
            bench_n=ct_instances)
    else:
        n_studies = cfg["studies"] if n_studies is None else n_studies
        for (pi, proto, days, hhmmss, site, ref, perf, read) in CORE_STUDIES[:n_studies]:
            add(patients[pi], proto, days, hhmmss, site, ref, perf, read)
        unused = [p for p in patients if all(s.patient is not p for s in studies)]
        protos = [k for k, w in EXTRA_PROTOCOLS for _ in range(w)]
        buckets = [b for b in EXTRA_AGE_BUCKETS for _ in range(b[2])]
        while len(studies) < n_studies:
            patient = unused.pop(0) if unused else rng.choice(patients)
            age_years = (today - patient.birth).days / 365.25
            choices = [k for k in protos
                       if not (k.startswith("mg") and
                               (patient.sex != "F" or age_years < 40))]
            proto = rng.choice(choices)
            lo, hi, _ = rng.choice(buckets)
            hi = min(hi, (today - patient.birth).days - 30)
            days = rng.randint(min(lo, hi), hi)
            sites = [k for k in SITE_KEYS if all(
                _fits(t, patient.charset) for t in
                (SITES[k].name, PROTOCOLS[proto].desc[SITES[k].lang],
                 *(s.desc[SITES[k].lang] for s in PROTOCOLS[proto].series)))]
            secs = rng.randint(7 * 3600 + 1800, 19 * 3600 + 1800)
            hhmmss = f"{secs // 3600:02d}{secs // 60 % 60:02d}{secs % 60:02d}"
            add(patient, proto, days, hhmmss, rng.choice(sites),
                rng.randrange(len(REFERRING)), rng.randrange(len(PERFORMING)),
                rng.randrange(len(READING)))

    # Accession numbers and study IDs increase with time, as a RIS would
    # hand them out.
    acc = 2_400_000 + rng.randint(0, 99_999)
    for n, study in enumerate(sorted(studies, key=lambda s: (s.date, s.start, s.index))):
        acc += rng.randint(3, 250)
        study.accession = f"ACC{acc:08d}"
        study.study_id = str(1001 + n)
    return studies


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _date(d):
    return d.strftime("%Y%m%d")


def _sop_class(sp):
    return {"CT": SOP_CT, "MR": SOP_MR, "CR": SOP_CR, "MG": SOP_MG,
            "US": SOP_US_MF if sp.kind == "us_cine" else SOP_US}[sp.modality]


def _base_dataset(study, sp, fraction):
    """Everything shared by the instances of one series."""
    pat, site = study.patient, study.site
    sop_class = _sop_class(sp)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sp.uid   # replaced per instance
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = IMPLEMENTATION_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION

    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    if pat.charset:
        ds.SpecificCharacterSet = pat.charset
    study_date = _date(study.date)
    series_time = _fmt_time(sp.start, fraction)
    ds.SOPClassUID = sop_class
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = study_date
    ds.StudyTime = _fmt_time(study.start, fraction)
    ds.SeriesTime = ds.AcquisitionTime = series_time
    ds.AccessionNumber = study.accession
    ds.Modality = sp.modality
    ds.Manufacturer = site.manufacturer
    ds.InstitutionName = site.name
    ds.ReferringPhysicianName = study.referring
    ds.StationName = f"{site.station}_{sp.modality}1"
    ds.StudyDescription = study.description
    ds.SeriesDescription = sp.description
    ds.PerformingPhysicianName = study.performing
    ds.NameOfPhysiciansReadingStudy = study.reading
    ds.ManufacturerModelName = site.models[sp.modality]
    ds.PatientName = pat.pn
    ds.PatientID = pat.patient_id
    ds.PatientBirthDate = _date(pat.birth)
    ds.PatientSex = pat.sex
    ds.PatientAge = _age_string(pat.birth, study.date)
    ds.PatientComments = "Synthetic test data (libportal gen_studies.py)"
    ds.BodyPartExamined = sp.body_part
    ds.SoftwareVersions = "libportal-gen 1"
    ds.StudyInstanceUID = study.uid
    ds.SeriesInstanceUID = sp.uid
    ds.StudyID = study.study_id
    ds.SeriesNumber = sp.number
    ds.AcquisitionNumber = 1
    ds.BurnedInAnnotation = "NO"
    ds.SamplesPerPixel = 1
    ds.Rows, ds.Columns = sp.params["size"]

    p = sp.params
    if sp.modality == "CT":
        ds.ImageType = ["ORIGINAL", "PRIMARY",
                        "LOCALIZER" if sp.kind == "ct_scout" else "AXIAL"]
        ds.KVP = "120"
        ds.XRayTubeCurrent = 250 if sp.kind == "ct_axial" else 35
        ds.PatientPosition = "HFS"
        ds.FrameOfReferenceUID = study.frame_of_reference
        ds.PositionReferenceIndicator = ""
        ds.RescaleIntercept = "-1024"
        ds.RescaleSlope = "1"
        ds.RescaleType = "HU"
        if site.ct_signed:
            ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
            ds.PixelRepresentation = 1
        else:
            ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
            ds.PixelRepresentation = 0
        ds.PhotometricInterpretation = "MONOCHROME2"
        if sp.kind == "ct_scout":
            ds.ImageOrientationPatient = ["1", "0", "0", "0", "0", "-1"]
            ds.SliceThickness = "1"
        else:
            fov = REGION_FOV[p["region"]]
            px = fov / ds.Columns
            ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
            ds.PixelSpacing = [_ds(px), _ds(px)]
            ds.SliceThickness = _ds(p["thickness"])
            ds.ReconstructionDiameter = _ds(fov)
            ds.ConvolutionKernel = p["kernel"]
            if p.get("phase", "none") != "none":
                ds.ContrastBolusAgent = "IOMERON 350"
    elif sp.modality == "MR":
        scan, variant, tr, te, ti, etl, flip, name = _MR_SEQ[p["seq"]]
        fov = 230.0 if p["region"] == "head" else REGION_FOV[p["region"]]
        px = fov / ds.Columns
        ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"]
        ds.ScanningSequence = scan
        ds.SequenceVariant = variant
        ds.ScanOptions = ""
        ds.MRAcquisitionType = "2D"
        ds.SequenceName = name
        ds.RepetitionTime = _ds(tr)
        ds.EchoTime = _ds(te)
        if ti:
            ds.InversionTime = _ds(ti)
        ds.EchoTrainLength = etl
        ds.FlipAngle = _ds(flip)
        ds.ImagedNucleus = "1H"
        ds.MagneticFieldStrength = _ds(site.mr_field)
        ds.ImagingFrequency = _ds(round(42.577478 * site.mr_field, 6))
        ds.SliceThickness = _ds(p["thickness"])
        pos = p["positions"]
        ds.SpacingBetweenSlices = _ds(
            (pos[-1] - pos[0]) / (len(pos) - 1) if len(pos) > 1 else p["thickness"])
        ds.PatientPosition = "HFS"
        ds.FrameOfReferenceUID = study.frame_of_reference
        ds.PositionReferenceIndicator = ""
        ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
        ds.PixelSpacing = [_ds(px), _ds(px)]
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
        ds.PixelRepresentation = 0
    elif sp.modality == "CR":
        ds.ImageType = ["ORIGINAL", "PRIMARY"]
        ds.ViewPosition = p["view"]
        ds.KVP = "125" if p["anatomy"] == "chest" else "65"
        ds.ExposureTime = 8 if p["anatomy"] == "chest" else 25
        if study.laterality:
            ds.Laterality = study.laterality
        ds.PhotometricInterpretation = p["photometric"]
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
        ds.PixelRepresentation = 0
    elif sp.modality == "MG":
        ds.ImageType = ["ORIGINAL", "PRIMARY", ""]
        ds.PresentationIntentType = "FOR PRESENTATION"
        ds.PresentationLUTShape = "IDENTITY"
        ds.PositionerType = "MAMMOGRAPHIC"
        ds.DetectorType = "DIRECT"
        ds.BreastImplantPresent = "NO"
        ds.KVP = "29"
        ds.BodyPartThickness = "52"
        ds.CompressionForce = "110"
        ds.AnatomicRegionSequence = Sequence([_code_item("T-04000", "SRT", "Breast")])
        ds.RescaleIntercept = "0"
        ds.RescaleSlope = "1"
        ds.RescaleType = "US"
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 14, 13
        ds.PixelRepresentation = 0
    elif sp.modality == "US":
        ds.ImageType = ["ORIGINAL", "PRIMARY",
                        "ABDOMINAL" if p["anatomy"] == "abdo" else "SMALL PARTS"]
        ds.SamplesPerPixel = 3
        ds.PhotometricInterpretation = p["photometric"]
        ds.PlanarConfiguration = 0
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
        ds.PixelRepresentation = 0
        ds.TransducerType = "CURVED LINEAR" if p["anatomy"] == "abdo" else "LINEAR"
        ds.LossyImageCompression = "00"
        if sp.kind == "us_cine":
            ds.NumberOfFrames = sp.frames
            ds.FrameTime = _ds(1000.0 / 15)
            ds.CineRate = 15
            ds.FrameIncrementPointer = Tag(0x0018, 0x1063)   # FrameTime
    # Placeholder with an explicit VR: pydicom's dictionary says "OB or OW".
    ds.add_new(0x7FE00010, "OB" if ds.BitsAllocated == 8 else "OW", b"")
    return ds


def _set_windows(ds, windows, explanation=None):
    if len(windows) == 1:
        ds.WindowCenter = _ds(windows[0][0])
        ds.WindowWidth = _ds(windows[0][1])
    else:
        ds.WindowCenter = [_ds(c) for c, _ in windows]
        ds.WindowWidth = [_ds(w) for _, w in windows]
    if explanation:
        ds.WindowCenterWidthExplanation = explanation


def _folder_name(study):
    return f"{study.patient.patient_id}_{_date(study.date)}_{study.accession}"


def _write_study(out_dir, study, seed, preset_cfg, uids):
    site = study.site
    fraction = site.time_fraction
    study_dir = _folder_name(study)
    series_out = []
    for sp in study.series:
        rng = np.random.default_rng([seed, study.index, sp.number, 7])
        ctx = RenderCtx(site, study.patient.habitus, study.patient.anat_seed,
                        preset_cfg["zq"], rng)
        ds = _base_dataset(study, sp, fraction)
        rel_dir = f"{study_dir}/S{sp.number:03d}_{sp.modality}"
        os.makedirs(os.path.join(out_dir, rel_dir), exist_ok=True)
        instances = []
        fixed_window = sp.kind in ("ct_axial",)
        if fixed_window:
            _set_windows(ds, sp.params["windows"], sp.params.get("explanation"))
        for i, (pixels, attrs) in enumerate(RENDERERS[sp.kind](ctx, sp)):
            number = i + 1
            sop_uid = uids("instance", study.index, sp.number, number)
            ds.SOPInstanceUID = sop_uid
            ds.file_meta.MediaStorageSOPInstanceUID = sop_uid
            ds.InstanceNumber = number
            ds.ContentTime = _fmt_time(sp.start + 0.5 * i, fraction)
            for key, value in attrs.items():
                setattr(ds, key, value)
            if not fixed_window:
                if sp.kind in ("ct_scout", "cr"):
                    windows = sp.params["windows"]
                elif sp.kind == "mr_axial":
                    windows = _window_from(pixels[pixels > 30]) if (pixels > 30).any() \
                        else [(500.0, 1000.0)]
                elif sp.kind == "mg":
                    windows = _window_from(pixels[pixels > 1000], 2, 99.8)
                else:
                    windows = None
                if windows:
                    _set_windows(ds, windows)
            ds.PixelData = pixels.tobytes()
            fname = f"IM{number:05d}.dcm"
            pydicom.dcmwrite(os.path.join(out_dir, rel_dir, fname), ds,
                             write_like_original=False)
            instances.append({"uid": sop_uid, "number": number,
                              "file": f"{rel_dir}/{fname}"})
        assert len(instances) == sp.count, (sp.kind, len(instances), sp.count)
        series_out.append({
            "uid": sp.uid,
            "number": sp.number,
            "modality": sp.modality,
            "description": sp.description,
            "body_part": sp.body_part,
            "sop_class_uid": _sop_class(sp),
            "series_date": _date(study.date),
            "series_time": _fmt_time(sp.start, fraction),
            "rows": int(ds.Rows),
            "columns": int(ds.Columns),
            "photometric": str(ds.PhotometricInterpretation),
            "bits_allocated": int(ds.BitsAllocated),
            "bits_stored": int(ds.BitsStored),
            "pixel_representation": int(ds.PixelRepresentation),
            "frames_per_instance": sp.frames,
            "num_instances": len(instances),
            "path": rel_dir,
            "instances": instances,
        })
    pat = study.patient
    return {
        "study_uid": study.uid,
        "study_id": study.study_id,
        "accession": study.accession,
        "patient_id": pat.patient_id,
        "patient_name": pat.pn,
        "family_name": pat.family,
        "given_name": pat.given,
        "birth_date": _date(pat.birth),
        "sex": pat.sex,
        "patient_age": _age_string(pat.birth, study.date),
        "specific_character_set": pat.charset,
        "study_date": _date(study.date),
        "study_time": _fmt_time(study.start, fraction),
        "days_ago": study.days_ago,
        "description": study.description,
        "referring": study.referring,
        "performing": study.performing,
        "reading": study.reading,
        "institution": site.name,
        "modalities": sorted({s["modality"] for s in series_out}),
        "num_series": len(series_out),
        "num_instances": sum(s["num_instances"] for s in series_out),
        "path": study_dir,
        "series": series_out,
    }


def _remove_previous_output(out_dir):
    """Delete the study folders a previous run listed in its manifest, so a
    re-run into the same directory never leaves stale studies behind.
    Anything not listed there is left alone."""
    path = os.path.join(out_dir, MANIFEST_NAME)
    try:
        with open(path, encoding="utf-8") as fh:
            old = json.load(fh)
    except (OSError, ValueError):
        return
    if not isinstance(old, dict) or old.get("format") != MANIFEST_FORMAT:
        return
    for study in old.get("studies", []):
        rel = str(study.get("path", ""))
        if not rel or "/" in rel or "\\" in rel or rel in (".", ".."):
            continue
        target = os.path.join(out_dir, rel)
        if os.path.isdir(target):
            shutil.rmtree(target)
    os.remove(path)


def _parse_today(today):
    if today is None:
        return dt.date.today()
    if isinstance(today, dt.datetime):
        return today.date()
    if isinstance(today, dt.date):
        return today
    return dt.datetime.strptime(str(today), "%Y%m%d").date()


def generate(out_dir, preset="test", seed=1, studies=None, ct_instances=2000,
             today=None):
    """Write the studies under `out_dir` and return the manifest dict.

    `today` may be None (the real date), a datetime.date or "YYYYMMDD".
    `studies` overrides the study count of the test/demo presets;
    `ct_instances` is the exact instance count of the bench study.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}")
    if studies is not None and studies < 1:
        raise ValueError("studies must be >= 1")
    if ct_instances < 1:
        raise ValueError("ct_instances must be >= 1")
    today = _parse_today(today)
    cfg = PRESETS[preset]
    os.makedirs(out_dir, exist_ok=True)
    _remove_previous_output(out_dir)

    plans = plan(preset, seed, studies, ct_instances, today)
    context = [preset, seed, today.strftime("%Y%m%d")]
    if preset == "bench":
        context.append(ct_instances)
    uids = UidFactory(*context)
    study_entries = [_write_study(out_dir, s, seed, cfg, uids) for s in plans]

    patients = {}
    for entry in study_entries:
        p = patients.setdefault(entry["patient_id"], {
            "patient_id": entry["patient_id"],
            "patient_name": entry["patient_name"],
            "family_name": entry["family_name"],
            "given_name": entry["given_name"],
            "birth_date": entry["birth_date"],
            "sex": entry["sex"],
            "specific_character_set": entry["specific_character_set"],
            "study_uids": [],
        })
        p["study_uids"].append(entry["study_uid"])
    for p in patients.values():
        p["num_studies"] = len(p["study_uids"])

    manifest = {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "preset": preset,
        "seed": seed,
        "today": today.strftime("%Y%m%d"),
        "uid_prefix": UID_PREFIX,
        "num_patients": len(patients),
        "num_studies": len(study_entries),
        "num_series": sum(s["num_series"] for s in study_entries),
        "num_instances": sum(s["num_instances"] for s in study_entries),
        "patients": list(patients.values()),
        "studies": study_entries,
    }
    tmp = os.path.join(out_dir, MANIFEST_NAME + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    os.replace(tmp, os.path.join(out_dir, MANIFEST_NAME))
    return manifest


def _yyyymmdd(text):
    try:
        dt.datetime.strptime(text, "%Y%m%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYYMMDD, got {text!r}")
    return text


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return value


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Generate deterministic synthetic DICOM studies.")
    ap.add_argument("out_dir", help="output directory (created if missing)")
    ap.add_argument("--preset", choices=sorted(PRESETS), default="test",
                    help="test: ~12 small studies (default); demo: ~30 "
                         "full-size studies; bench: one big CT study")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--studies", type=_positive, default=None,
                    help="number of studies (test/demo presets)")
    ap.add_argument("--ct-instances", type=_positive, default=2000,
                    help="exact instance count of the bench CT study")
    ap.add_argument("--today", type=_yyyymmdd, default=None,
                    help="reference date for relative study dates "
                         "(default: the real date)")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    manifest = generate(args.out_dir, preset=args.preset, seed=args.seed,
                        studies=args.studies, ct_instances=args.ct_instances,
                        today=args.today)
    print(f"{args.out_dir}: {manifest['num_patients']} patients, "
          f"{manifest['num_studies']} studies, {manifest['num_series']} series, "
          f"{manifest['num_instances']} instances "
          f"in {time.monotonic() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
