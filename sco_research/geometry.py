"""The bundled country geometries and the map frames they are projected into.

The polygons are in ``data/geo/countries.parquet`` (Natural Earth 1:10m, version 5.1.1, public
domain; see ``scripts/build_geometries.py`` and the ``geo`` resource of ``datapackage.json``).
The file is read once per process; each frame (projection, clip, view) is computed once.

Examples
--------
>>> geo = load_geometries()
>>> geo.crs.to_epsg()
4326
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import shapely

from . import data as _data
from ._timing import timed
from .data import default_package
from .errors import DataError

__all__ = ["EXTENTS", "frame", "geo_path", "load_geometries"]


@dataclass(frozen=True)
class _Extent:
    """A map frame: projection, the lon/lat box drawn, and the lon/lat box kept in view."""

    crs: str
    clip: tuple[float, float, float, float] | None
    #: lon/lat points the frame must show; the view is their projected bounds plus ``margin``.
    view: tuple[tuple[float, float], ...]
    margin: tuple[float, float, float, float]
    width: float
    label_scale: float
    #: Only states at least this large (km2) are named, besides the outlined ones.
    min_label_km2: float
    legend_loc: str


#: The map frames ``membership_map`` accepts.
EXTENTS: dict[str, _Extent] = {
    # Albers equal-area conic centred on Central Asia: Egypt to the Bering Strait, the Maldives
    # to the Arctic coast.
    "eurasia": _Extent(
        crs="+proj=aea +lat_0=45 +lon_0=85 +lat_1=25 +lat_2=60 +datum=WGS84 +units=m +no_defs",
        clip=(-40.0, -30.0, 200.0, 90.0),
        view=((24.0, 22.0), (25.0, 31.5), (73.0, -1.0), (107.0, 9.0), (146.0, 43.0),
              (100.0, 77.5), (28.0, 56.0), (23.0, 52.0)),
        margin=(0.02, 0.01, 0.02, 0.02),
        width=9.5,
        label_scale=1.0,
        min_label_km2=0.0,
        legend_loc="lower left",
    ),
    # The member states and their neighbours, closer up.
    "central_asia": _Extent(
        crs="+proj=aea +lat_0=40 +lon_0=75 +lat_1=25 +lat_2=50 +datum=WGS84 +units=m +no_defs",
        clip=(0.0, -10.0, 160.0, 90.0),
        view=((44.0, 24.0), (62.0, 20.0), (90.0, 21.0), (110.0, 35.0), (90.0, 56.0),
              (60.0, 56.0), (42.0, 50.0)),
        margin=(0.02, 0.02, 0.02, 0.02),
        width=9.5,
        label_scale=1.1,
        min_label_km2=0.0,
        legend_loc="upper right",
    ),
    # The whole world in the Equal Earth projection.
    "world": _Extent(
        crs="EPSG:8857",
        clip=None,
        view=((-180.0, 0.0), (180.0, 0.0), (0.0, -58.0), (0.0, 84.0)),
        margin=(0.0, 0.0, 0.0, 0.0),
        width=10.0,
        label_scale=0.85,
        min_label_km2=1.2e6,
        legend_loc="lower left",
    ),
}

#: Label anchors (lon, lat) where Natural Earth's label point does not suit these maps.
_LABEL_ANCHORS = {"RUS": (96.0, 62.0), "CHN": (102.0, 33.5), "IND": (78.5, 21.5),
                  "KAZ": (67.5, 48.0), "EGY": (29.5, 26.0), "SAU": (43.0, 23.5),
                  "AFG": (65.5, 33.8), "PAK": (68.0, 28.5)}
_LOCK = threading.RLock()


# -- geometries -------------------------------------------------------------------------------


def geo_path():
    pkg = default_package()
    resource = pkg.resources.get("geo")
    if resource is None:
        raise DataError(
            f"{pkg.descriptor_path}: no 'geo' resource; run scripts/build_geometries.py"
        )
    return pkg.base / resource["path"]


@lru_cache(maxsize=4)
@timed("data")
def _read_geometries(path: str) -> gpd.GeoDataFrame:
    # The render cache learns which files a report read (once the data layer can log it).
    if hasattr(_data, "record_read"):
        _data.record_read(path)
    try:
        return gpd.read_parquet(path)
    except FileNotFoundError:
        raise DataError(
            f"country geometries not found: {path}; rebuild them with "
            "scripts/build_geometries.py"
        ) from None


def load_geometries() -> gpd.GeoDataFrame:
    """The bundled country polygons (read once, then cached).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per country or territory, in EPSG:4326: ``iso3`` (ISO 3166-1 alpha-3, or
        Natural Earth's own code where there is none, see ``is_iso``), ``name``, ``is_iso``,
        ``label_x``/``label_y`` (label point, lon/lat), ``area_km2`` and ``geometry``.

    Raises
    ------
    DataError
        If the file is missing.

    Examples
    --------
    >>> geo = load_geometries()
    >>> geo.crs.to_epsg()
    4326
    >>> {"BHR", "MDV", "FRA", "NOR"} <= set(geo["iso3"])
    True
    """
    with _LOCK:
        return _read_geometries(str(geo_path())).copy()


load_geometries.cache_clear = _read_geometries.cache_clear  # type: ignore[attr-defined]


@lru_cache(maxsize=8)
def frame(extent: str, path: str) -> tuple[gpd.GeoDataFrame, tuple[float, float, float, float]]:
    """Geometries clipped and projected for ``extent``, and the view limits (x0, x1, y0, y1)."""
    ext = EXTENTS[extent]
    geo = _read_geometries(path)
    if ext.clip is not None:
        geoms = shapely.clip_by_rect(geo.geometry.values, *ext.clip)
        geo = geo.set_geometry(gpd.GeoSeries(geoms, index=geo.index, crs=geo.crs))
        geo = geo[~geo.geometry.is_empty]
    lon = geo["label_x"].to_numpy(float).copy()
    lat = geo["label_y"].to_numpy(float).copy()
    for i, iso3 in enumerate(geo["iso3"]):
        if iso3 in _LABEL_ANCHORS and extent != "world":
            lon[i], lat[i] = _LABEL_ANCHORS[iso3]
    out = geo.to_crs(ext.crs)
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=geo.crs).to_crs(ext.crs)
    out = out.assign(px=pts.x.to_numpy(), py=pts.y.to_numpy())
    out = out.set_index("iso3", drop=False)
    # View: the projected bounds of the points the frame must show, plus margins.
    lons, lats = zip(*ext.view, strict=True)
    pts = gpd.GeoSeries(gpd.points_from_xy(lons, lats), crs=geo.crs).to_crs(ext.crs)
    x0, x1, y0, y1 = pts.x.min(), pts.x.max(), pts.y.min(), pts.y.max()
    left, bottom, right, top = ext.margin
    w, h = x1 - x0, y1 - y0
    view = (float(x0 - left * w), float(x1 + right * w), float(y0 - bottom * h),
            float(y1 + top * h))
    return out.set_geometry(_to_scale(out.geometry.values, view, ext.width)), view


#: The resolution maps are saved at (dots per inch); the shapes are simplified to it.
SAVE_DPI = 150
#: Simplification tolerance, in pixels of the saved map: below what the eye can tell.
TOLERANCE_PX = 1.0
#: How far past the view (in pixels) the shapes are kept, so that borders run out of the frame.
CLIP_MARGIN_PX = 20


def _to_scale(geoms, view: tuple[float, float, float, float], width_in: float):
    """The projected shapes simplified to the scale of a ``width_in``-inch map of ``view``,
    as one coverage (neighbours keep one shared border), and clipped to the view.

    A shape wholly outside the view becomes empty (its row stays: the state is in the frame).
    """
    x0, x1, y0, y1 = view
    metres_per_px = (x1 - x0) / (width_in * SAVE_DPI)
    pad = CLIP_MARGIN_PX * metres_per_px
    # Clipped first (a clipped coverage is still one), so only what is drawn is simplified.
    clipped = shapely.clip_by_rect(geoms, x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    clipped = [g if shapely.get_type_id(g) in (3, 6) else _polygons(g) for g in clipped]
    tol = TOLERANCE_PX * metres_per_px
    try:
        return shapely.coverage_simplify(clipped, tol)
    except Exception:  # noqa: BLE001 - not a clean coverage: simplify each shape alone
        return shapely.simplify(clipped, tol, preserve_topology=True)


def _polygons(geom):
    """The polygons of a clipped shape (clipping can leave lines or an empty collection)."""
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(parts) if parts else shapely.Polygon()


