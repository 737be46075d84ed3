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
