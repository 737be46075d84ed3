"""The bundled country geometries: complete, small, described, read once, logged."""

from __future__ import annotations

import hashlib
import json

import pytest

import sco_research as sco
from sco_research import geometry, maps, paths
from sco_research.errors import ParameterError


def test_every_state_that_ever_held_a_status_has_a_geometry():
    geo = maps.load_geometries()
    assert geo.crs.to_epsg() == 4326
    assert geo["iso3"].is_unique
    assert geo.geometry.is_valid.all() and not geo.geometry.is_empty.any()
    ever = set(sco.load("membership")["iso3"])
    assert ever <= set(geo["iso3"]), ever - set(geo["iso3"])
    # The -99 trap: France and Norway carry their real ISO codes.
    assert {"FRA", "NOR"} <= set(geo["iso3"]) and "-99" not in set(geo["iso3"])
    # Bahrain and the Maldives are too small to see: they become dots.
    small = geo.set_index("iso3").loc[["BHR", "MDV"], "area_km2"]
    assert (small < maps.DOT_BELOW_KM2).all()


def test_geometry_file_is_small_and_described_with_its_provenance():
    path = geometry.geo_path()
    assert path.stat().st_size < 4_000_000
    desc = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    geo = next(r for r in desc["resources"] if r["name"] == "geo")
    assert geo["hash"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert geo["x-natural-earth"]["version"] == "5.1.1"
    assert geo["x-natural-earth"]["scale"] == "1:10m"
    assert geo["licenses"][0]["name"] == "public-domain"
    assert "Natural Earth" in geo["sources"][0]["title"]
    assert (paths.PROJECT_ROOT / geo["x-derived-by"]).exists()
    # Not a table: the tabular API ignores it.
    assert "geo" not in set(sco.tables()["name"])
    with pytest.raises(ParameterError, match=r"name: unknown table 'geo'"):
        sco.load("geo")


def test_geometries_are_read_once(monkeypatch):
    maps.load_geometries()

    def fail(*args, **kwargs):
        raise AssertionError("read again")

    monkeypatch.setattr(geometry.gpd, "read_parquet", fail)
    assert len(maps.load_geometries()) > 200




def test_reading_the_geometries_is_logged_when_the_data_layer_can(monkeypatch):
    read = []
    monkeypatch.setattr(geometry._data, "record_read", read.append, raising=False)
    geometry.load_geometries.cache_clear()
    geometry.load_geometries()
    assert read == [str(geometry.geo_path())]
    geometry.load_geometries()
    assert len(read) == 1  # read once, logged once


def test_maps_reexport_the_geometry_names():
    assert maps.load_geometries is geometry.load_geometries
    assert maps.EXTENTS is geometry.EXTENTS


@pytest.mark.parametrize("extent", sorted(geometry.EXTENTS))
def test_frame_shapes_are_simplified_to_the_scale_drawn_and_borders_still_meet(extent):
    import shapely

    path = str(geometry.geo_path())
    shapes, (x0, x1, y0, y1) = geometry.frame(extent, path)
    ext = geometry.EXTENTS[extent]
    raw = geometry._read_geometries(path).set_index("iso3").to_crs(ext.crs)
    # every state of the frame keeps its row; a state wholly out of view is empty, not gone
    assert set(shapes.index) <= set(raw.index) and shapes.geometry.is_valid.all()
    drawn = shapes[~shapes.geometry.is_empty]
    n_raw = shapely.get_num_coordinates(raw.loc[drawn.index].geometry.values).sum()
    n_new = shapely.get_num_coordinates(drawn.geometry.values).sum()
    assert n_new < 0.6 * n_raw, (n_new, n_raw)
    # no vertex strays more than a pixel (plus the clip margin) outside the view
    px = (x1 - x0) / (ext.width * geometry.SAVE_DPI)
    bx0, by0, bx1, by1 = shapely.total_bounds(drawn.geometry.values)
    pad = (geometry.CLIP_MARGIN_PX + 1) * px
    assert bx0 >= x0 - pad and bx1 <= x1 + pad and by0 >= y0 - pad and by1 <= y1 + pad
    # simplified as one coverage: neighbours share their border, with no gap or overlap
    if {"KAZ", "RUS"} <= set(drawn.index):
        kaz, rus = drawn.geometry["KAZ"], drawn.geometry["RUS"]
        assert kaz.intersection(rus).area < 1e-6 * kaz.area
        assert kaz.boundary.intersection(rus.boundary).length > 5e5  # metres of shared border
    # each large state's outline moved on average by a fraction of a pixel
    view = shapely.box(x0, y0, x1, y1)
    for iso3 in {"KAZ", "CHN", "IND", "RUS"} & set(drawn.index):
        new, old = drawn.geometry[iso3] & view, raw.geometry[iso3] & view
        assert (new ^ old).area / old.boundary.length < 0.25 * px, iso3
