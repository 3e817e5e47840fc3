"""Generated studies: ingest counts, fields, every search filter, sort, paging, history."""

import datetime

import pytest

from conftest import fold, pn_words, portal, sha256_of

SORT_KEYS = ["date", "patient_name", "patient_id", "birth_date", "accession", "description",
             "modality", "site", "referring", "performing", "received"]


def uids(page):
    return sorted(s.uid for s in page)


def expected(dataset, pred):
    return sorted(s["study_uid"] for s in dataset.studies if pred(s))


def name_prefix(pn: str, q: str) -> bool:
    family, _, given = pn.split("=")[0].partition("^")
    return any(fold(part).startswith(fold(q)) for part in (family, given.split("^")[0]))


# --- ingest ----------------------------------------------------------------------------------


def test_ingest_counts_match_the_manifest(dataset, loaded):
    r = loaded.report
    assert r.stored == dataset.manifest["num_instances"] == len(dataset.files)
    assert r.duplicates == 0
    # The only non-DICOM file of the folder is the manifest itself.
    rejected = [f for f in r.files if f.status == "rejected"]
    assert [f.source.rsplit("/", 1)[-1] for f in rejected] == ["manifest.json"]
    assert rejected[0].message and rejected[0].error
    assert r.bytes_stored == sum(f.stat().st_size for f in dataset.files)
    assert loaded.session.find_studies().total == dataset.manifest["num_studies"]


def test_reingest_reports_every_file_as_duplicate(dataset, loaded):
    again = loaded.session.ingest([str(f) for f in dataset.files])
    assert (again.stored, again.duplicates, again.rejected) == (0, len(dataset.files), 0)
    assert loaded.session.find_studies().total == dataset.manifest["num_studies"]


def test_study_fields_match_the_manifest(dataset, loaded):
    s = loaded.session
    for m in dataset.studies:
        st = s.study(m["study_uid"])
        assert st.uid == m["study_uid"]
        assert st.patient.patient_id == m["patient_id"]
        assert st.patient.family_name == m["family_name"]
        assert st.patient.given_name == m["given_name"]
        assert st.patient.birth_date == m["birth_date"]
        assert st.patient.sex == m["sex"]
        assert st.date == m["study_date"]
        assert st.time == m["study_time"][:6]
        assert st.accession == m["accession"]
        assert st.description == m["description"]
        assert st.referring_physician == pn_words(m["referring"])
        assert st.performing_physician == pn_words(m["performing"])
        assert st.reading_physician == pn_words(m["reading"])
        assert st.institution == m["institution"]
        assert st.modalities == m["modalities"]
        assert st.num_series == m["num_series"]
        assert st.num_instances == m["num_instances"]
        assert st.repository == "import"
        files = [dataset.dir / i["file"] for se in m["series"] for i in se["instances"]]
        assert st.size_bytes == sum(f.stat().st_size for f in files)
        assert st.received_at and st.updated_at >= st.received_at


def test_series_and_instances_match_the_manifest(dataset, loaded):
    s = loaded.session
    for m in dataset.studies:
        series = s.series(m["study_uid"])
        want = sorted(m["series"], key=lambda x: x["number"])
        assert [x.uid for x in series] == [x["uid"] for x in want]
        for got, exp in zip(series, want):
            assert isinstance(got, portal.Series)
            assert (got.study_uid, got.modality, got.number, got.description, got.body_part,
                    got.num_instances) == (m["study_uid"], exp["modality"], exp["number"],
                                           exp["description"], exp["body_part"],
                                           exp["num_instances"])
            inst = s.instances(m["study_uid"], exp["uid"])
            assert [i.sop_uid for i in inst] == [
                i["uid"] for i in sorted(exp["instances"], key=lambda i: i["number"])]
            for i in inst:
                assert (i.series_uid, i.study_uid) == (exp["uid"], m["study_uid"])
                assert i.sop_class_uid == exp["sop_class_uid"]
                assert (i.rows, i.columns) == (exp["rows"], exp["columns"])
                assert i.frames == max(1, exp["frames_per_instance"])
                assert i.transfer_syntax_uid
        assert len(s.instances(m["study_uid"])) == m["num_instances"]


def test_instance_bytes_are_the_original_files(dataset, loaded):
    s = loaded.session
    m = dataset.studies[0]
    by_sop = {i.sop_uid: i for i in s.instances(m["study_uid"])}
    for se in m["series"]:
        for i in se["instances"]:
            original = (dataset.dir / i["file"]).read_bytes()
            data = s.instance_bytes(i["uid"])
            assert data == original
            assert by_sop[i["uid"]].sha256 == sha256_of(data)
            assert by_sop[i["uid"]].size_bytes == len(original)


# --- filters ---------------------------------------------------------------------------------


def test_accent_insensitive_name_search(dataset, loaded):
    s = loaded.session
    muller = expected(dataset, lambda m: m["family_name"] == "Müller")
    assert len(muller) == 3
    assert uids(s.find_studies(last_name="muller")) == muller
    assert uids(s.find_studies(last_name="MULL")) == muller
    assert uids(s.find_studies(last_name="Müller")) == muller
    assert uids(s.find_studies(first_name="zoe")) == muller
    assert all(st.patient.family_name == "Müller" for st in s.find_studies(last_name="muller"))
    assert uids(s.find_studies(last_name="lefevre")) == expected(
        dataset, lambda m: m["family_name"] == "Lefèvre")
    assert uids(s.find_studies(last_name="nguyen")) == expected(
        dataset, lambda m: m["family_name"] == "Nguyễn")


@pytest.mark.parametrize("last,first", [("dupont", ""), ("dupont", "marie"), ("DUPONT", "jean"),
                                        ("o'brien", ""), ("bronte", "anne"), ("zz", "")])
def test_name_filters_combine(dataset, loaded, last, first):
    want = expected(dataset, lambda m: fold(m["family_name"]).startswith(fold(last))
                    and fold(m["given_name"]).startswith(fold(first)))
    assert uids(loaded.session.find_studies(last_name=last, first_name=first)) == want


@pytest.mark.parametrize("modality", ["CT", "mr", "US", "MG", "CR", "XA"])
def test_modality_filter(dataset, loaded, modality):
    want = expected(dataset, lambda m: modality.upper() in m["modalities"])
    assert uids(loaded.session.find_studies(modality=modality)) == want


def test_modality_filter_is_exact(loaded):
    assert loaded.session.find_studies(modality="C").total == 0


def test_patient_id_filter_is_exact(dataset, loaded):
    pid = dataset.studies[1]["patient_id"]
    want = expected(dataset, lambda m: m["patient_id"] == pid)
    assert uids(loaded.session.find_studies(patient_id=pid)) == want
    assert loaded.session.find_studies(patient_id=pid[:4]).total == 0


def test_accession_filter_is_exact(dataset, loaded):
    for m in dataset.studies:
        page = loaded.session.find_studies(accession=m["accession"])
        assert uids(page) == [m["study_uid"]]
    assert loaded.session.find_studies(accession=dataset.studies[0]["accession"][:-1]).total == 0


@pytest.mark.parametrize("q", ["martin", "claire", "DUBOIS", "etienne", "schm", "nobody"])
def test_referring_filter(dataset, loaded, q):
    want = expected(dataset, lambda m: name_prefix(m["referring"], q))
    assert uids(loaded.session.find_studies(referring=q)) == want
    if q == "martin":  # a referring physician, not the patient Martin^Paul
        assert want and all(m["family_name"] != "Martin"
                            for m in dataset.studies if m["study_uid"] in want)


@pytest.mark.parametrize("q", ["moreau", "ines", "petit", "chen", "lambert", "francois", "zz"])
def test_performing_filter_matches_performing_or_reading(dataset, loaded, q):
    want = expected(dataset, lambda m: name_prefix(m["performing"], q)
                    or name_prefix(m["reading"], q))
    assert uids(loaded.session.find_studies(performing=q)) == want


@pytest.mark.parametrize("q", ["hopital", "Hôpital Saint", "clinique", "NORTH", "xyz"])
def test_site_filter(dataset, loaded, q):
    want = expected(dataset, lambda m: fold(m["institution"]).startswith(fold(q)))
    assert uids(loaded.session.find_studies(site=q)) == want


def test_date_range_filter(dataset, loaded):
    s = loaded.session
    dates = sorted({m["study_date"] for m in dataset.studies})
    lo, hi = dates[2], dates[-3]
    want = expected(dataset, lambda m: lo <= m["study_date"] <= hi)
    assert uids(s.find_studies(date_from=lo, date_to=hi)) == want
    assert uids(s.find_studies(period="custom", date_from=lo, date_to=hi)) == want
    assert uids(s.find_studies(date_from=lo)) == expected(dataset, lambda m: m["study_date"] >= lo)
    assert uids(s.find_studies(date_to=hi)) == expected(dataset, lambda m: m["study_date"] <= hi)
    assert uids(s.find_studies(date_from=hi, date_to=hi)) == expected(
        dataset, lambda m: m["study_date"] == hi)


def test_date_filter_accepts_datetime_date(dataset, loaded):
    s = loaded.session
    d = datetime.datetime.strptime(dataset.studies[4]["study_date"], "%Y%m%d").date()
    want = expected(dataset, lambda m: m["study_date"] == d.strftime("%Y%m%d"))
    assert uids(s.find_studies(date_from=d, date_to=d)) == want
    assert len(want) >= 1
    # A datetime is a date: its time part is ignored.
    dtm = datetime.datetime.combine(d, datetime.time(23, 59))
    assert uids(s.find_studies(date_from=dtm, date_to=dtm)) == want


@pytest.mark.parametrize("period,max_days_ago,min_days_ago", [
    ("today", 0, 0), ("yesterday", 1, 1), ("7d", 6, 0), ("last7days", 6, 0), ("30d", 29, 0),
    ("last30days", 29, 0), ("all", 10**6, 0),
])
def test_period_filter(dataset, loaded, period, max_days_ago, min_days_ago):
    want = expected(dataset, lambda m: min_days_ago <= m["days_ago"] <= max_days_ago)
    assert want
    assert uids(loaded.session.find_studies(period=period)) == want


def test_filters_combine(dataset, loaded):
    want = expected(dataset, lambda m: m["family_name"] == "Müller" and "CT" in m["modalities"])
    assert len(want) == 2
    assert uids(loaded.session.find_studies(last_name="muller", modality="ct")) == want
    assert uids(loaded.session.find_studies(last_name="muller", modality="ct",
                                            period="7d")) == expected(
        dataset, lambda m: m["study_uid"] in want and m["days_ago"] <= 6)


# --- sort and paging -------------------------------------------------------------------------


def test_default_sort_is_newest_first(dataset, loaded):
    page = loaded.session.find_studies()
    keys = [(st.date, st.time) for st in page]
    assert keys == sorted(keys, reverse=True)
    assert len(page) == len(dataset.studies)


def test_sort_ascending_and_descending(loaded):
    s = loaded.session
    asc = [st.date for st in s.find_studies(sort="date")]
    assert asc == sorted(asc) and asc[0] < asc[-1]
    acc = [st.accession for st in s.find_studies(sort="-accession")]
    assert acc == sorted(acc, reverse=True)
    pid = [st.patient.patient_id for st in s.find_studies(sort="patient_id")]
    assert pid == sorted(pid)
    names = [fold(st.patient.family_name) for st in s.find_studies(sort="patient_name")]
    assert names == sorted(names)
    births = [st.patient.birth_date for st in s.find_studies(sort="-birth_date")]
    assert births == sorted(births, reverse=True)


@pytest.mark.parametrize("key", SORT_KEYS)
def test_every_sort_key_returns_every_study(dataset, loaded, key):
    for k in (key, "-" + key):
        assert uids(loaded.session.find_studies(sort=k)) == sorted(dataset.by_uid)


def test_limit_vs_total_and_paging(dataset, loaded):
    s = loaded.session
    n = len(dataset.studies)
    page = s.find_studies(limit=5, sort="accession")
    assert (len(page), page.total, page.limit, page.offset, page.truncated) == (5, n, 5, 0, True)
    pages = [s.find_studies(limit=5, offset=o, sort="accession") for o in range(0, n, 5)]
    assert [st.uid for p in pages for st in p] == [st.uid for st in s.find_studies(sort="accession")]
    last = pages[-1]
    assert (len(last), last.total, last.offset, last.truncated) == (n - 5 * (len(pages) - 1), n,
                                                                    5 * (len(pages) - 1), False)
    beyond = s.find_studies(offset=n + 10)
    assert len(beyond) == 0 and beyond.total == n
    filtered = s.find_studies(last_name="muller", limit=1)
    assert (len(filtered), filtered.total, filtered.truncated) == (1, 3, True)


def test_study_list_is_a_sequence(loaded):
    page = loaded.session.find_studies(sort="accession")
    items = list(page)
    assert len(items) == len(page) > 3
    assert all(isinstance(x, portal.Study) for x in items)
    assert page[0] == items[0] and page[-1] == items[-1]
    assert page[1:3] == items[1:3] and page[::-1] == items[::-1]
    assert items[2] in page
    with pytest.raises(IndexError):
        page[len(page)]
    with pytest.raises(IndexError):
        page[-len(page) - 1]
    assert [st.uid for st in page] == [st.uid for st in page]  # iterable more than once
    assert "total=" in repr(page)


def test_value_types_have_repr_and_to_dict(dataset, loaded):
    m = dataset.studies[1]
    st = loaded.session.study(m["study_uid"])
    assert m["study_uid"] in repr(st) and "Müller" in repr(st)
    d = st.to_dict()
    assert d["uid"] == m["study_uid"]
    assert d["patient"] == {"patient_id": m["patient_id"], "family_name": m["family_name"],
                            "given_name": m["given_name"], "birth_date": m["birth_date"],
                            "sex": m["sex"]}
    assert d["modalities"] == m["modalities"]
    assert set(d) == {"uid", "patient", "date", "time", "description", "accession",
                      "referring_physician", "performing_physician", "reading_physician",
                      "institution", "repository", "modalities", "num_series", "num_instances",
                      "seen_by_radiologist", "seen_by_referring", "seen_by_patient",
                      "has_report", "report_status",
                      "size_bytes", "received_at", "updated_at",
                      "notification_status", "notification_error"}
    se = loaded.session.series(m["study_uid"])[0]
    assert se.to_dict()["uid"] == se.uid and se.uid in repr(se)
    inst = loaded.session.instances(m["study_uid"])[0]
    assert inst.to_dict()["sha256"] == inst.sha256 and inst.sop_uid in repr(inst)
    with pytest.raises(AttributeError):
        st.uid = "changed"  # read-only


# --- history ---------------------------------------------------------------------------------


def test_history_lists_the_patients_other_studies_newest_first(dataset, loaded):
    s = loaded.session
    for m in dataset.studies:
        hist = s.history(m["study_uid"])
        want = [x for x in dataset.studies
                if x["patient_id"] == m["patient_id"] and x["study_uid"] != m["study_uid"]]
        assert sorted(h.uid for h in hist) == sorted(x["study_uid"] for x in want)
        assert [h.date for h in hist] == sorted((h.date for h in hist), reverse=True)
        assert all(isinstance(h, portal.Study) for h in hist)
    single = next(m for m in dataset.studies
                  if sum(x["patient_id"] == m["patient_id"] for x in dataset.studies) == 1)
    assert s.history(single["study_uid"]) == []
